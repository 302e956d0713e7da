package io.kafkaproxy.proxy.config;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AclConfigTest
{
    private static final String UPSTREAM = "upstream:\n  bootstrapServers: [b:9092]\n";

    @Test
    void shouldReadTheSectionThroughTheParser() throws ConfigException
    {
        // When
        final ProxyConfig config = parse(
            "acl:",
            "  defaultPolicy: deny",
            "  rules:",
            "    - effect: deny",
            "      principal: alice",
            "      resourceType: topic",
            "      resourceName: orders-",
            "      patternType: prefixed",
            "      operations: [write, describe]",
            "      hosts: [10.0.0.0/8, 192.168.1.7, '2001:db8::/32']",
            "    - effect: allow",
            "      principal: '*'",
            "      resourceType: cluster",
            "      operations: idempotentWrite");

        // Then
        assertThat(config.acl().defaultPolicy()).isEqualTo(AclEffect.DENY);
        assertThat(config.acl().rules()).containsExactly(
            new AclRuleConfig(AclEffect.DENY, "alice", AclResourceType.TOPIC, "orders-", AclPatternType.PREFIXED,
                Set.of(AclOperation.WRITE, AclOperation.DESCRIBE),
                List.of(CidrBlock.parse("10.0.0.0/8"), CidrBlock.parse("192.168.1.7/32"), CidrBlock.parse("2001:db8::/32"))),
            new AclRuleConfig(AclEffect.ALLOW, "*", AclResourceType.CLUSTER, AclResourceType.CLUSTER_NAME, AclPatternType.LITERAL,
                Set.of(AclOperation.IDEMPOTENT_WRITE), List.of()));
    }

    @Test
    void shouldAllowEverythingWhenTheSectionIsAbsentOrEmpty() throws ConfigException
    {
        // When
        final ProxyConfig absent = ConfigParser.parse(UPSTREAM, "t.yaml");
        final ProxyConfig empty = parse("acl: {}");

        // Then
        assertThat(absent.acl()).isEqualTo(AclConfig.defaults());
        assertThat(empty.acl()).isEqualTo(AclConfig.defaults());
        assertThat(AclConfig.defaults().defaultPolicy()).isEqualTo(AclEffect.ALLOW);
        assertThat(AclConfig.defaults().rules()).isEmpty();
    }

    @Test
    void shouldDefaultAPatternToLiteralAndHostsToAny() throws ConfigException
    {
        // When
        final AclRuleConfig rule = parse(
            "acl:",
            "  rules:",
            "    - {effect: allow, principal: svc-*, resourceType: group, resourceName: g1, operations: [read]}")
            .acl().rules().get(0);

        // Then
        assertThat(rule.patternType()).isEqualTo(AclPatternType.LITERAL);
        assertThat(rule.hosts()).isEmpty();
    }

    @Test
    void shouldRejectAnUnknownOperationNamingTheRuleAndLine()
    {
        // When / Then
        assertThatThrownBy(() -> parse(
            "acl:",
            "  rules:",
            "    - {effect: allow, principal: a, resourceType: topic, resourceName: t, operations: [read]}",
            "    - effect: deny",
            "      principal: a",
            "      resourceType: topic",
            "      resourceName: t",
            "      operations: [read, wirte]"))
            .isInstanceOf(ConfigException.class)
            .hasMessage("t.yaml:10: acl.rules[1].operations: unknown operation 'wirte'; known: read, write, create, delete, " +
                "alter, describe, idempotentWrite, describeConfigs, alterConfigs, all");
    }

    @Test
    void shouldRejectAnUnknownResourceTypeEffectPatternOrPolicyNamingThePath()
    {
        // Then
        assertRejected("acl.rules[0].resourceType: unknown resource type 'topics'; known: topic, group, transactionalId, cluster",
            "{effect: allow, principal: a, resourceType: topics, resourceName: t, operations: [read]}");
        assertRejected("acl.rules[0].effect: expected allow or deny, got 'permit'",
            "{effect: permit, principal: a, resourceType: topic, resourceName: t, operations: [read]}");
        assertRejected("acl.rules[0].patternType: expected literal or prefixed, got 'match'",
            "{effect: allow, principal: a, resourceType: topic, resourceName: t, patternType: match, operations: [read]}");
        assertThatThrownBy(() -> parse("acl:", "  defaultPolicy: block"))
            .isInstanceOf(ConfigException.class)
            .hasMessage("t.yaml:4: acl.defaultPolicy: expected allow or deny, got 'block'");
    }

    @Test
    void shouldRejectAMissingRequiredKeyNamingThePath()
    {
        // Then
        assertRejected("acl.rules[0].effect: required: allow or deny",
            "{principal: a, resourceType: topic, resourceName: t, operations: [read]}");
        assertRejected("acl.rules[0].principal: required: a name, a prefix ending in '*', or '*' for everyone",
            "{effect: allow, resourceType: topic, resourceName: t, operations: [read]}");
        assertRejected("acl.rules[0].resourceType: required: one of topic, group, transactionalId, cluster",
            "{effect: allow, principal: a, resourceName: t, operations: [read]}");
        assertRejected("acl.rules[0].resourceName: required: the group's name, a prefix with patternType prefixed, or '*' for every group",
            "{effect: allow, principal: a, resourceType: group, operations: [read]}");
        assertRejected("acl.rules[0].operations: required: at least one of read, write, create, delete, alter, describe, " +
            "idempotentWrite, describeConfigs, alterConfigs, all",
            "{effect: allow, principal: a, resourceType: topic, resourceName: t, operations: []}");
    }

    @Test
    void shouldRejectAnOperationTheResourceTypeDoesNotTake()
    {
        // Then
        assertRejected("acl.rules[0].operations: 'write' does not apply to a group; it takes: read, delete, describe, all",
            "{effect: allow, principal: a, resourceType: group, resourceName: g, operations: [read, write]}");
        assertRejected("acl.rules[0].operations: 'idempotentWrite' does not apply to a topic; it takes: read, write, create, " +
            "delete, alter, describe, describeConfigs, alterConfigs, all",
            "{effect: allow, principal: a, resourceType: topic, resourceName: t, operations: [idempotentWrite]}");
    }

    @Test
    void shouldRejectNamesThatCannotMeanWhatTheyLookLike()
    {
        // Then
        assertRejected("acl.rules[0].principal: '*' may only end the name (a prefix) or stand alone, got 'svc-*-prod'",
            "{effect: allow, principal: svc-*-prod, resourceType: topic, resourceName: t, operations: [read]}");
        assertRejected("acl.rules[0].resourceName: a prefixed '*' matches only names that start with '*'; for every topic " +
            "write '*' with patternType literal",
            "{effect: allow, principal: a, resourceType: topic, resourceName: '*', patternType: prefixed, operations: [read]}");
        assertRejected("acl.rules[0].resourceName: no topic is named 'orders-*'; for a prefix write resourceName: orders- " +
            "with patternType: prefixed",
            "{effect: allow, principal: a, resourceType: topic, resourceName: orders-*, operations: [read]}");
        assertRejected("acl.rules[0].resourceName: the cluster has one name, 'kafka-cluster' (literal); leave resourceName " +
            "and patternType out",
            "{effect: allow, principal: a, resourceType: cluster, resourceName: prod, operations: [describe]}");
    }

    @Test
    void shouldRejectABadHostNamingItsIndex()
    {
        // Then
        assertRejected("acl.rules[0].hosts[1]: expected an IP address or CIDR block such as 10.0.0.0/8, got 'gateway.internal'",
            "{effect: allow, principal: a, resourceType: topic, resourceName: t, operations: [read], hosts: [10.0.0.1, gateway.internal]}");
        assertRejected("acl.rules[0].hosts[0]: '10.1.2.3/8' sets bits past the /8 prefix; did you mean 10.0.0.0/8?",
            "{effect: allow, principal: a, resourceType: topic, resourceName: t, operations: [read], hosts: [10.1.2.3/8]}");
        assertRejected("acl.rules[0].hosts: empty; leave the key out to match every address",
            "{effect: allow, principal: a, resourceType: topic, resourceName: t, operations: [read], hosts: []}");
    }

    @Test
    void shouldRejectAnUnknownKeyInARule()
    {
        // When / Then
        assertThatThrownBy(() -> parse(
            "acl:",
            "  rules:",
            "    - effect: allow",
            "      principals: a"))
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("t.yaml:6: acl.rules[0].principals: unknown key; known keys here: ")
            .hasMessageContaining("principal");
    }

    @Test
    void checkShouldReportEachBadAclKey()
    {
        // Given
        final String yaml = String.join("\n",
            "upstream:",
            "  bootstrapServers: [b:9092]",
            "acl:",
            "  defaultPolicy: maybe",
            "  rules:",
            "    - {effect: allow, principal: a, resourceType: topic, resourceName: t, operations: [reed]}",
            "");

        // When
        final List<String> errors = ConfigParser.check(yaml, "t.yaml");

        // Then
        assertThat(errors).containsExactly(
            "t.yaml:4: acl.defaultPolicy: expected allow or deny, got 'maybe'",
            "t.yaml:6: acl.rules[0].operations: unknown operation 'reed'; known: read, write, create, delete, alter, describe, " +
                "idempotentWrite, describeConfigs, alterConfigs, all");
    }

    @Test
    void shouldWriteRulesSoThatTheyReadBackTheSame() throws ConfigException
    {
        // Given
        final ProxyConfig config = parse(
            "acl:",
            "  defaultPolicy: deny",
            "  rules:",
            "    - {effect: deny, principal: '*', resourceType: topic, resourceName: '*', operations: [all], hosts: ['::1', 10.0.0.0/8]}",
            "    - {effect: allow, principal: \"quote\\\"d\", resourceType: transactionalId, resourceName: tx-, patternType: prefixed, " +
                "operations: [write, describe]}");

        // When
        final String yaml = ConfigWriter.toYaml(config);

        // Then
        assertThat(ConfigParser.parse(yaml, "effective.yaml")).isEqualTo(config);
        assertThat(yaml).contains("      operations: [write, describe]\n", "      hosts: [\"0:0:0:0:0:0:0:1\", \"10.0.0.0/8\"]\n");
    }

    private static ProxyConfig parse(final String... lines) throws ConfigException
    {
        return ConfigParser.parse(UPSTREAM + String.join("\n", lines) + "\n", "t.yaml");
    }

    private static void assertRejected(final String message, final String rule)
    {
        assertThatThrownBy(() -> parse("acl:", "  rules:", "    - " + rule))
            .isInstanceOf(ConfigException.class)
            .hasMessage("t.yaml:5: " + message);
    }
}

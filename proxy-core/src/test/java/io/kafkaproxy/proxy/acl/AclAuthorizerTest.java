package io.kafkaproxy.proxy.acl;

import io.kafkaproxy.proxy.config.AclEffect;
import io.kafkaproxy.proxy.config.AclOperation;
import io.kafkaproxy.proxy.config.AclResourceType;
import io.kafkaproxy.proxy.config.AclConfig;
import io.kafkaproxy.proxy.config.ConfigException;
import io.kafkaproxy.proxy.config.ConfigParser;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.kafkaproxy.proxy.config.AclOperation.ALTER;
import static io.kafkaproxy.proxy.config.AclOperation.ALTER_CONFIGS;
import static io.kafkaproxy.proxy.config.AclOperation.CREATE;
import static io.kafkaproxy.proxy.config.AclOperation.DELETE;
import static io.kafkaproxy.proxy.config.AclOperation.DESCRIBE;
import static io.kafkaproxy.proxy.config.AclOperation.DESCRIBE_CONFIGS;
import static io.kafkaproxy.proxy.config.AclOperation.IDEMPOTENT_WRITE;
import static io.kafkaproxy.proxy.config.AclOperation.READ;
import static io.kafkaproxy.proxy.config.AclOperation.WRITE;
import static io.kafkaproxy.proxy.config.AclResourceType.CLUSTER;
import static io.kafkaproxy.proxy.config.AclResourceType.GROUP;
import static io.kafkaproxy.proxy.config.AclResourceType.TOPIC;
import static io.kafkaproxy.proxy.config.AclResourceType.TRANSACTIONAL_ID;
import static org.assertj.core.api.Assertions.assertThat;

class AclAuthorizerTest
{
    private static final InetAddress CLIENT = address("192.0.2.10");

    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));

    @Test
    void anEmptyConfigurationShouldAllowEverything()
    {
        // When
        final AclAuthorizer authorizer = AclAuthorizer.compile(AclConfig.defaults());
        final ClientAcl acl = authorizer.forClient("alice", CLIENT);

        // Then
        assertThat(authorizer.isAllowAll()).isTrue();
        assertThat(acl.allowsEverything()).isTrue();
        for (final AclResourceType type : AclResourceType.values())
        {
            for (final AclOperation operation : AclOperation.values())
            {
                assertThat(acl.allowsAll(type, operation)).isTrue();
                assertThat(acl.isAllowed(type, operation, "anything")).isTrue();
                assertThat(isAllowedInBuffer(acl, type, operation, "anything")).isTrue();
            }
        }
    }

    @Test
    void allowRulesUnderADefaultOfAllowShouldChangeNothing() throws ConfigException
    {
        // When
        final AclAuthorizer authorizer = compile("allow",
            "{effect: allow, principal: alice, resourceType: topic, resourceName: orders, operations: [read]}");

        // Then
        assertThat(authorizer.isAllowAll()).isTrue();
        assertThat(authorizer.forClient("alice", CLIENT).allowsEverything()).isTrue();
        assertThat(authorizer.forClient("bob", CLIENT).isAllowed(TOPIC, WRITE, "orders")).isTrue();
    }

    @Test
    void aDenyRuleShouldWinOverAnAllowRule() throws ConfigException
    {
        // Given
        final ClientAcl acl = compile("deny",
            "{effect: allow, principal: alice, resourceType: topic, resourceName: orders-, patternType: prefixed, operations: [all]}",
            "{effect: deny, principal: alice, resourceType: topic, resourceName: orders-payments, operations: [write]}")
            .forClient("alice", CLIENT);

        // Then
        assertAllowed(acl, TOPIC, WRITE, "orders-eu", true);
        assertAllowed(acl, TOPIC, WRITE, "orders-payments", false);
        assertAllowed(acl, TOPIC, READ, "orders-payments", true);
        assertThat(acl.allowsEverything()).isFalse();
        assertThat(acl.allowsAll(TOPIC, WRITE)).isFalse();
    }

    @Test
    void aLiteralNameShouldMatchItselfAndAPrefixEveryNameStartingWithIt() throws ConfigException
    {
        // Given
        final ClientAcl acl = compile("deny",
            "{effect: allow, principal: alice, resourceType: topic, resourceName: orders, operations: [read]}",
            "{effect: allow, principal: alice, resourceType: group, resourceName: billing-, patternType: prefixed, operations: [read]}")
            .forClient("alice", CLIENT);

        // Then
        assertAllowed(acl, TOPIC, READ, "orders", true);
        assertAllowed(acl, TOPIC, READ, "orders-eu", false);
        assertAllowed(acl, TOPIC, READ, "order", false);
        assertAllowed(acl, TOPIC, READ, "Orders", false);
        assertAllowed(acl, GROUP, READ, "billing-", true);
        assertAllowed(acl, GROUP, READ, "billing-nightly-reconciliation", true);
        assertAllowed(acl, GROUP, READ, "billing", false);
        assertAllowed(acl, TOPIC, READ, "billing-x", false);
    }

    @Test
    void theNameStarShouldMatchEveryResourceOfItsTypeOnly() throws ConfigException
    {
        // Given
        final ClientAcl acl = compile("deny",
            "{effect: allow, principal: alice, resourceType: topic, resourceName: '*', operations: [read]}")
            .forClient("alice", CLIENT);

        // Then
        assertAllowed(acl, TOPIC, READ, "anything", true);
        assertAllowed(acl, TOPIC, READ, "", true);
        assertAllowed(acl, GROUP, READ, "anything", false);
        assertThat(acl.allowsAll(TOPIC, READ)).isTrue();
        assertThat(acl.allowsAll(TOPIC, WRITE)).isFalse();
        assertThat(acl.allowsAll(GROUP, READ)).isFalse();
    }

    @Test
    void aPrincipalShouldMatchExactlyByPrefixOrEveryone() throws ConfigException
    {
        // Given
        final AclAuthorizer authorizer = compile("deny",
            "{effect: allow, principal: alice, resourceType: topic, resourceName: a, operations: [read]}",
            "{effect: allow, principal: svc-*, resourceType: topic, resourceName: s, operations: [read]}",
            "{effect: allow, principal: '*', resourceType: topic, resourceName: e, operations: [read]}");

        // Then
        assertAllowed(authorizer.forClient("alice", CLIENT), TOPIC, READ, "a", true);
        assertAllowed(authorizer.forClient("alice2", CLIENT), TOPIC, READ, "a", false);
        assertAllowed(authorizer.forClient("svc-orders", CLIENT), TOPIC, READ, "s", true);
        assertAllowed(authorizer.forClient("svc-", CLIENT), TOPIC, READ, "s", true);
        assertAllowed(authorizer.forClient("svc", CLIENT), TOPIC, READ, "s", false);
        assertAllowed(authorizer.forClient("", CLIENT), TOPIC, READ, "e", true);
        assertAllowed(authorizer.forClient("mallory", CLIENT), TOPIC, READ, "e", true);
        assertAllowed(authorizer.forClient("mallory", CLIENT), TOPIC, READ, "a", false);
    }

    @Test
    void anAllowShouldImplyDescribeAsKafkaDoesButADenyShouldNot() throws ConfigException
    {
        // Given
        final AclAuthorizer authorizer = compile("deny",
            "{effect: allow, principal: reader, resourceType: topic, resourceName: t, operations: [read]}",
            "{effect: allow, principal: writer, resourceType: topic, resourceName: t, operations: [write]}",
            "{effect: allow, principal: deleter, resourceType: group, resourceName: g, operations: [delete]}",
            "{effect: allow, principal: alterer, resourceType: topic, resourceName: t, operations: [alter]}",
            "{effect: allow, principal: configurer, resourceType: topic, resourceName: t, operations: [alterConfigs]}",
            "{effect: allow, principal: denied, resourceType: topic, resourceName: t, operations: [all]}",
            "{effect: deny, principal: denied, resourceType: topic, resourceName: t, operations: [read, alterConfigs]}");

        // Then
        assertAllowed(authorizer.forClient("reader", CLIENT), TOPIC, DESCRIBE, "t", true);
        assertAllowed(authorizer.forClient("reader", CLIENT), TOPIC, WRITE, "t", false);
        assertAllowed(authorizer.forClient("writer", CLIENT), TOPIC, DESCRIBE, "t", true);
        assertAllowed(authorizer.forClient("writer", CLIENT), TOPIC, READ, "t", false);
        assertAllowed(authorizer.forClient("deleter", CLIENT), GROUP, DESCRIBE, "g", true);
        assertAllowed(authorizer.forClient("alterer", CLIENT), TOPIC, DESCRIBE, "t", true);
        assertAllowed(authorizer.forClient("alterer", CLIENT), TOPIC, DESCRIBE_CONFIGS, "t", false);
        assertAllowed(authorizer.forClient("configurer", CLIENT), TOPIC, DESCRIBE_CONFIGS, "t", true);
        assertAllowed(authorizer.forClient("configurer", CLIENT), TOPIC, DESCRIBE, "t", false);
        assertAllowed(authorizer.forClient("denied", CLIENT), TOPIC, READ, "t", false);
        assertAllowed(authorizer.forClient("denied", CLIENT), TOPIC, ALTER_CONFIGS, "t", false);
        assertAllowed(authorizer.forClient("denied", CLIENT), TOPIC, DESCRIBE, "t", true);
        assertAllowed(authorizer.forClient("denied", CLIENT), TOPIC, DESCRIBE_CONFIGS, "t", true);
        assertAllowed(authorizer.forClient("denied", CLIENT), TOPIC, CREATE, "t", true);
    }

    @Test
    void aDenyOfAllShouldDenyEveryOperation() throws ConfigException
    {
        // Given
        final ClientAcl acl = compile("allow",
            "{effect: deny, principal: '*', resourceType: topic, resourceName: secret-, patternType: prefixed, operations: [all]}")
            .forClient("anyone", CLIENT);

        // Then
        for (final AclOperation operation : new AclOperation[]{READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS})
        {
            assertAllowed(acl, TOPIC, operation, "secret-plans", false);
            assertAllowed(acl, TOPIC, operation, "public", true);
            assertThat(acl.allowsAll(TOPIC, operation)).isFalse();
        }
        assertThat(acl.allowsAll(GROUP, READ)).isTrue();
    }

    @Test
    void aDefaultOfDenyShouldRefuseWhatNoRuleAllows() throws ConfigException
    {
        // Given
        final AclAuthorizer authorizer = compile("deny",
            "{effect: allow, principal: '*', resourceType: cluster, operations: [idempotentWrite]}");

        // When
        final ClientAcl acl = authorizer.forClient("alice", CLIENT);
        final ClientAcl unknown = AclAuthorizer.compile(new AclConfig(AclEffect.DENY, List.of())).forClient("alice", CLIENT);

        // Then
        assertThat(authorizer.isAllowAll()).isFalse();
        assertThat(acl.allowsEverything()).isFalse();
        assertAllowed(acl, TOPIC, READ, "orders", false);
        assertAllowed(acl, TRANSACTIONAL_ID, WRITE, "tx", false);
        assertThat(acl.allowsAll(CLUSTER, IDEMPOTENT_WRITE)).isTrue();
        assertThat(acl.isAllowed(CLUSTER, IDEMPOTENT_WRITE, "any name at all")).isTrue();
        assertThat(acl.isAllowed(CLUSTER, IDEMPOTENT_WRITE, buffer, 0, 0)).isTrue();
        assertAllowed(acl, CLUSTER, ALTER, AclResourceType.CLUSTER_NAME, false);
        assertThat(unknown.isAllowed(TOPIC, DESCRIBE, "orders")).isFalse();
        assertThat(unknown.allowsAll(TOPIC, DESCRIBE)).isFalse();
    }

    @Test
    void aRuleLimitedToHostsShouldApplyOnlyToClientsInsideThemIpv4AndIpv6() throws ConfigException
    {
        // Given
        final AclAuthorizer authorizer = compile("allow",
            "{effect: deny, principal: '*', resourceType: topic, resourceName: '*', operations: [write], " +
                "hosts: [10.0.0.0/8, 192.168.1.7, '2001:db8::/32']}");

        // Then
        assertAllowed(authorizer.forClient("alice", address("10.1.2.3")), TOPIC, WRITE, "t", false);
        assertAllowed(authorizer.forClient("alice", address("192.168.1.7")), TOPIC, WRITE, "t", false);
        assertAllowed(authorizer.forClient("alice", address("192.168.1.8")), TOPIC, WRITE, "t", true);
        assertAllowed(authorizer.forClient("alice", address("11.0.0.1")), TOPIC, WRITE, "t", true);
        assertAllowed(authorizer.forClient("alice", address("2001:db8:ffff::1")), TOPIC, WRITE, "t", false);
        assertAllowed(authorizer.forClient("alice", address("2001:db9::1")), TOPIC, WRITE, "t", true);
        assertAllowed(authorizer.forClient("alice", address("::ffff:10.9.9.9")), TOPIC, WRITE, "t", false);
        assertAllowed(authorizer.forClient("alice", null), TOPIC, WRITE, "t", true);
        assertThat(authorizer.forClient("alice", address("11.0.0.1")).allowsEverything()).isTrue();
    }

    @Test
    void decisionsOnNamesInABufferShouldEqualDecisionsOnStrings() throws ConfigException
    {
        // Given: many literal names (the hash table), prefixes shorter and longer than eight bytes, multi-byte UTF-8
        final List<String> rules = new ArrayList<>();
        final List<String> names = new ArrayList<>(List.of("", "o", "orders", "orders-", "orders-eu-west-1", "orders-eu-west-",
            "analytics.clicks.raw", "analytics.clicks.raW", "zamówienia-2024", "zamówienia", "zamowienia-2024", "注文-東京", "注文"));
        for (int i = 0; i < 40; i++)
        {
            rules.add("{effect: allow, principal: '*', resourceType: topic, resourceName: literal-topic-" + i + ", operations: [read]}");
            names.add("literal-topic-" + i);
            names.add("literal-topic-" + i + "x");
            names.add("literal-topic-" + (i + 40));
        }
        rules.add("{effect: allow, principal: '*', resourceType: topic, resourceName: orders-eu-, patternType: prefixed, operations: [all]}");
        rules.add("{effect: allow, principal: '*', resourceType: topic, resourceName: o, patternType: prefixed, operations: [write]}");
        rules.add("{effect: allow, principal: '*', resourceType: topic, resourceName: zamówienia-, patternType: prefixed, operations: [read]}");
        rules.add("{effect: allow, principal: '*', resourceType: topic, resourceName: 注文, operations: [read]}");
        rules.add("{effect: deny, principal: '*', resourceType: topic, resourceName: analytics.clicks.raw, operations: [read]}");
        rules.add("{effect: deny, principal: '*', resourceType: topic, resourceName: literal-topic-3, operations: [read]}");
        rules.add("{effect: deny, principal: '*', resourceType: topic, resourceName: orders-eu-west-, patternType: prefixed, operations: [write]}");
        final ClientAcl acl = compile("deny", rules.toArray(new String[0])).forClient("alice", CLIENT);

        // Then
        int allowed = 0;
        for (final String name : names)
        {
            for (final AclOperation operation : AclOperation.values())
            {
                final boolean expected = acl.isAllowed(TOPIC, operation, name);
                assertThat(isAllowedInBuffer(acl, TOPIC, operation, name)).as("%s %s", operation, name).isEqualTo(expected);
                allowed += expected ? 1 : 0;
            }
        }
        assertThat(allowed).isPositive();
        assertAllowed(acl, TOPIC, READ, "literal-topic-39", true);
        assertAllowed(acl, TOPIC, READ, "literal-topic-3", false);
        assertAllowed(acl, TOPIC, READ, "literal-topic-40", false);
        assertAllowed(acl, TOPIC, READ, "zamówienia-2024", true);
        assertAllowed(acl, TOPIC, READ, "注文", true);
        assertAllowed(acl, TOPIC, READ, "注文-東京", false);
        assertAllowed(acl, TOPIC, WRITE, "orders-eu-west-1", false);
        assertAllowed(acl, TOPIC, WRITE, "orders-eu-north-1", true);
        assertAllowed(acl, TOPIC, READ, "analytics.clicks.raw", false);
    }

    @Test
    void namesShouldBeComparedToTheirLastByteWhateverTheirLength() throws ConfigException
    {
        // Given: literal groups and prefixed topics of every length from 1 to 20 bytes (whole longs, int, short, byte tails)
        final String letters = "abcdefghijklmnopqrst";
        final List<String> rules = new ArrayList<>();
        for (int length = 1; length <= letters.length(); length++)
        {
            rules.add("{effect: allow, principal: '*', resourceType: group, resourceName: " + letters.substring(0, length) +
                ", operations: [read]}");
            rules.add("{effect: allow, principal: '*', resourceType: topic, resourceName: " + letters.substring(0, length) +
                "., patternType: prefixed, operations: [read]}");
        }
        final ClientAcl acl = compile("deny", rules.toArray(new String[0])).forClient("alice", CLIENT);

        // Then: each name matches, and a change in any one byte stops it matching
        for (int length = 1; length <= letters.length(); length++)
        {
            final String name = letters.substring(0, length);
            assertAllowed(acl, GROUP, READ, name, true);
            assertAllowed(acl, TOPIC, READ, name + ".x", true);
            for (int changed = 0; changed < length; changed++)
            {
                final String other = name.substring(0, changed) + 'Z' + name.substring(changed + 1);
                assertAllowed(acl, GROUP, READ, other, false);
                assertAllowed(acl, TOPIC, READ, other + ".x", false);
            }
            assertAllowed(acl, GROUP, READ, name + "u", false);
        }
    }

    @Test
    void allowsEverythingShouldHoldForAClientNoDenyRuleAppliesTo() throws ConfigException
    {
        // Given
        final AclAuthorizer authorizer = compile("allow",
            "{effect: deny, principal: svc-*, resourceType: group, resourceName: admin, operations: [delete]}");

        // Then
        assertThat(authorizer.isAllowAll()).isFalse();
        assertThat(authorizer.forClient("alice", CLIENT).allowsEverything()).isTrue();
        assertThat(authorizer.forClient("svc-a", CLIENT).allowsEverything()).isFalse();
        assertThat(authorizer.forClient("svc-a", CLIENT).allowsAll(GROUP, DELETE)).isFalse();
        assertThat(authorizer.forClient("svc-a", CLIENT).allowsAll(GROUP, DESCRIBE)).isTrue();
        assertThat(authorizer.forClient("svc-a", CLIENT).allowsAll(TOPIC, DELETE)).isTrue();
    }

    @Test
    void decisionsShouldAllocateNothing() throws ConfigException
    {
        // Given: decisions compiled, over names held off-heap
        final ClientAcl acl = compile("deny",
            "{effect: allow, principal: '*', resourceType: topic, resourceName: orders-, patternType: prefixed, operations: [write]}",
            "{effect: allow, principal: '*', resourceType: topic, resourceName: clicks, operations: [read]}",
            "{effect: deny, principal: '*', resourceType: topic, resourceName: orders-payments, operations: [write]}")
            .forClient("alice", CLIENT);
        final int allowedLength = buffer.putStringWithoutLengthUtf8(0, "orders-eu");
        final int deniedLength = buffer.putStringWithoutLengthUtf8(64, "orders-payments");
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long thread = Thread.currentThread().getId();
        decide(acl, allowedLength, deniedLength, 200_000);

        // When
        final long before = threads.getThreadAllocatedBytes(thread);
        final int allowed = decide(acl, allowedLength, deniedLength, 100_000);
        final long allocated = threads.getThreadAllocatedBytes(thread) - before;

        // Then: nothing per decision (a few bytes of slack for the measurement itself)
        assertThat(allowed).isEqualTo(200_000);
        assertThat(allocated).isLessThan(1024);
    }

    private int decide(final ClientAcl acl, final int allowedLength, final int deniedLength, final int rounds)
    {
        int allowed = 0;
        for (int i = 0; i < rounds; i++)
        {
            allowed += acl.isAllowed(TOPIC, WRITE, buffer, 0, allowedLength) ? 1 : 0;
            allowed += acl.isAllowed(TOPIC, WRITE, buffer, 64, deniedLength) ? 1 : 0;
            allowed += acl.isAllowed(TOPIC, READ, "clicks") ? 1 : 0;
            allowed += acl.allowsAll(TOPIC, WRITE) ? 1 : 0;
        }
        return allowed;
    }

    private void assertAllowed(final ClientAcl acl, final AclResourceType type, final AclOperation operation, final String name,
        final boolean expected)
    {
        assertThat(acl.isAllowed(type, operation, name)).as("%s %s %s", type, operation, name).isEqualTo(expected);
        assertThat(isAllowedInBuffer(acl, type, operation, name)).as("%s %s %s in a buffer", type, operation, name).isEqualTo(expected);
    }

    private boolean isAllowedInBuffer(final ClientAcl acl, final AclResourceType type, final AclOperation operation, final String name)
    {
        // At an odd offset, after other bytes, as a name sits inside a request.
        final byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        buffer.setMemory(0, 128, (byte)'x');
        buffer.putBytes(37, bytes);
        return acl.isAllowed(type, operation, buffer, 37, bytes.length);
    }

    private static AclAuthorizer compile(final String defaultPolicy, final String... rules) throws ConfigException
    {
        final StringBuilder yaml = new StringBuilder("upstream:\n  bootstrapServers: [b:9092]\nacl:\n  defaultPolicy: ")
            .append(defaultPolicy).append("\n  rules:\n");
        for (final String rule : rules)
        {
            yaml.append("    - ").append(rule).append('\n');
        }
        return AclAuthorizer.compile(ConfigParser.parse(yaml.toString(), "t.yaml").acl());
    }

    private static InetAddress address(final String literal)
    {
        try
        {
            return InetAddress.getByName(literal);
        }
        catch (final UnknownHostException e)
        {
            throw new IllegalArgumentException(literal, e);
        }
    }
}

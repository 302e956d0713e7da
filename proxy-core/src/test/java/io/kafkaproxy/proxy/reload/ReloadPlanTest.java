package io.kafkaproxy.proxy.reload;

import io.kafkaproxy.proxy.config.ClusterConfig;
import io.kafkaproxy.proxy.config.ConfigException;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.ProxyConfig;
import org.junit.jupiter.api.Test;

import static io.kafkaproxy.proxy.reload.ConfigChangeDetectorTest.RUNNING;
import static io.kafkaproxy.proxy.reload.ConfigChangeDetectorTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

class ReloadPlanTest
{
    @Test
    void shouldApplyLiveChangesAndKeepTheRunningValuesOfRestartOnlyOnes() throws ConfigException
    {
        // Given
        final ProxyConfig running = parse(RUNNING);
        final ProxyConfig fromFile = parse("""
            listener:
              bindAddress: 127.0.0.1:9094
            upstream:
              bootstrapServers: [kafka-2:9092]
            network:
              ioThreads: 3
            memory:
              poolSizeBytes: 512MiB
            audit:
              ringSizeBytes: 2MiB
              linesPerSecond: 7
            """);

        // When
        final StepResult<ReloadPlan> result = ReloadPlan.plan(running, fromFile);

        // Then
        assertThat(result).isInstanceOf(StepResult.Done.class);
        final ReloadPlan plan = ((StepResult.Done<ReloadPlan>)result).value();
        assertThat(plan.changed()).containsExactly("upstream.bootstrapServers", "audit");
        assertThat(plan.restartRequired()).containsExactly("listener", "network.ioThreads", "audit.ringSizeBytes");
        assertThat(plan.config().upstream().bootstrapServers()).containsExactly(new HostPort("kafka-2", 9092));
        assertThat(plan.config().listener()).isEqualTo(running.listener());
        assertThat(plan.config().network().ioThreads()).isEqualTo(2);
        assertThat(plan.config().audit().ringSizeBytes()).isEqualTo(running.audit().ringSizeBytes());
        assertThat(plan.config().audit().linesPerSecond()).isEqualTo(7);
    }

    @Test
    void shouldApplyAListenersNewTlsLiveButKeepItsSniUntilARestart() throws ConfigException
    {
        // Given
        final String listeners = """
            listeners:
              - name: sni
                bindAddress: 127.0.0.1:9300
                tls:
                  certificate: CERT
                  privateKey: /tls/server.key
                  sni: {bootstrapHost: bootstrap.example.com, nodeHostPattern: PATTERN}
            """;
        final ProxyConfig running = parse(RUNNING + listeners.replace("CERT", "/tls/a.crt").replace("PATTERN", "b-$(nodeId).example.com"));
        final ProxyConfig newCertificate = parse(RUNNING + listeners.replace("CERT", "/tls/b.crt").replace("PATTERN", "b-$(nodeId).example.com"));
        final ProxyConfig newPattern = parse(RUNNING + listeners.replace("CERT", "/tls/b.crt").replace("PATTERN", "n-$(nodeId).example.com"));

        // When
        final ReloadPlan certificatePlan = ((StepResult.Done<ReloadPlan>)ReloadPlan.plan(running, newCertificate)).value();
        final ReloadPlan patternPlan = ((StepResult.Done<ReloadPlan>)ReloadPlan.plan(running, newPattern)).value();

        // Then: a new certificate applies; a new pattern waits, and with it the listener's whole TLS section
        assertThat(certificatePlan.changed()).containsExactly("listeners[0].tls");
        assertThat(certificatePlan.restartRequired()).isEmpty();
        assertThat(certificatePlan.config().listeners().get(0).tls().certificate()).hasToString("/tls/b.crt");
        assertThat(patternPlan.changed()).isEmpty();
        assertThat(patternPlan.restartRequired()).containsExactly("listeners");
        assertThat(patternPlan.config().listeners()).isEqualTo(running.listeners());
    }

    @Test
    void shouldApplyAGatewayListenersNewCredentialsLiveButKeepItsAddressAndTheProducerUntilARestart() throws ConfigException
    {
        // Given
        final ProxyConfig running = parse(RUNNING + """
            http:
              bindAddress: 127.0.0.1:8082
              auth: {usersFile: /etc/a.txt}
            """);
        final ProxyConfig fromFile = parse(RUNNING + """
            http:
              bindAddress: 127.0.0.1:8083
              auth: {usersFile: /etc/b.txt}
            mqtt:
              bindAddress: 127.0.0.1:1883
            gateway:
              producer: {linger: 50ms}
            """);

        // When
        final ReloadPlan plan = ((StepResult.Done<ReloadPlan>)ReloadPlan.plan(running, fromFile)).value();

        // Then
        assertThat(plan.changed()).containsExactly("http.auth");
        assertThat(plan.restartRequired()).containsExactly("http", "mqtt", "gateway");
        assertThat(plan.config().http().bindAddress().port()).isEqualTo(8082);
        assertThat(plan.config().http().auth().usersFile()).hasToString("/etc/b.txt");
        assertThat(plan.config().mqtt()).isNull();
        assertThat(plan.config().gateway()).isEqualTo(running.gateway());
    }

    @Test
    void shouldAddRemoveAndChangeClustersByNameKeepingTheRunningListenersOfThoseThatStay() throws ConfigException
    {
        // Given
        final ProxyConfig running = parse(clusters("east", "127.0.0.1:9092", "deny") + clusters("west", "127.0.0.1:9192", "allow")
            .replace("clusters:\n", ""));
        final ProxyConfig fromFile = parse(clusters("north", "127.0.0.1:9292", "allow") +
            clusters("east", "127.0.0.1:9392", "allow").replace("clusters:\n", ""));

        // When
        final StepResult<ReloadPlan> result = ReloadPlan.plan(running, fromFile);

        // Then: north added, east's ACL changed but its listener kept, west removed
        assertThat(result).isInstanceOf(StepResult.Done.class);
        final ReloadPlan plan = ((StepResult.Done<ReloadPlan>)result).value();
        assertThat(plan.config().clusters()).extracting(ClusterConfig::name).containsExactly("north", "east");
        assertThat(plan.config().cluster("east").listener()).isEqualTo(running.cluster("east").listener());
        assertThat(plan.config().cluster("east").acl()).isEqualTo(fromFile.cluster("east").acl());
        assertThat(plan.changed()).containsExactly("clusters[0]", "clusters[1].acl", "clusters[1]");
        assertThat(plan.restartRequired()).containsExactly("clusters[1].listener");
    }

    private static String clusters(final String name, final String bind, final String policy)
    {
        return """
            clusters:
              - name: %s
                upstream: {bootstrapServers: [%s:9092]}
                listener: {bindAddress: "%s", nodePorts: {first: 0, count: 1}}
                acl: {defaultPolicy: %s}
            """.formatted(name, name, bind, policy);
    }

    @Test
    void shouldRefuseAFrameLimitTheRunningPoolCannotHold() throws ConfigException
    {
        // Given: the file grows the pool (restart-only) and the frame limit (live) together
        final ProxyConfig running = parse(RUNNING);
        final ProxyConfig fromFile = parse("""
            upstream:
              bootstrapServers: [kafka-1:9092]
            network:
              ioThreads: 2
              maxRequestSizeBytes: 300MiB
            memory:
              poolSizeBytes: 1GiB
            """);

        // When
        final StepResult<ReloadPlan> result = ReloadPlan.plan(running, fromFile);

        // Then
        assertThat(result).isInstanceOf(StepResult.Failed.class);
        assertThat(((StepResult.Failed<ReloadPlan>)result).error()).startsWith("network.maxRequestSizeBytes");
    }
}

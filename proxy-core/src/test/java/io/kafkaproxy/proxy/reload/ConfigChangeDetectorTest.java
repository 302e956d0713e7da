package io.kafkaproxy.proxy.reload;

import io.kafkaproxy.proxy.config.ConfigException;
import io.kafkaproxy.proxy.config.ConfigParser;
import io.kafkaproxy.proxy.config.NetworkConfig;
import io.kafkaproxy.proxy.config.ProxyConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ConfigChangeDetectorTest
{
    static final String RUNNING = """
        listener:
          bindAddress: 127.0.0.1:9092
        upstream:
          bootstrapServers: [kafka-1:9092]
        network:
          ioThreads: 2
        memory:
          poolSizeBytes: 512MiB
        """;

    @Test
    void shouldApplyTheListenerTlsSectionLiveAndKeepTheListenerAddressesRestartOnly() throws ConfigException
    {
        // Given
        final ProxyConfig running = parse(RUNNING);
        final ProxyConfig next = parse(RUNNING.replace("  bindAddress: 127.0.0.1:9092\n",
            "  bindAddress: 127.0.0.1:9092\n  tls:\n    certificate: s.crt\n    privateKey: s.key\n"));

        // When
        final ConfigChanges changes = ConfigChangeDetector.detect(running, next);
        final ReloadPlan plan = ((StepResult.Done<ReloadPlan>)ReloadPlan.plan(running, next)).value();

        // Then
        assertThat(changes.live()).containsExactly("listener.tls");
        assertThat(changes.restartOnly()).isEmpty();
        assertThat(plan.config().listener().tls()).isEqualTo(next.listener().tls());
        assertThat(plan.changed()).containsExactly("listener.tls");
    }

    @Test
    void shouldKeepTheRunningTransportAsRestartOnly() throws ConfigException
    {
        // Given
        final ProxyConfig running = parse(RUNNING);
        final ProxyConfig next = parse(RUNNING.replace("  ioThreads: 2\n", "  ioThreads: 2\n  transport: io_uring\n"));

        // When
        final ConfigChanges changes = ConfigChangeDetector.detect(running, next);
        final ReloadPlan plan = ((StepResult.Done<ReloadPlan>)ReloadPlan.plan(running, next)).value();

        // Then
        assertThat(changes.restartOnly()).containsExactly("network.transport");
        assertThat(plan.config().network().transport()).isEqualTo(NetworkConfig.TransportKind.AUTO);
    }

    @Test
    void shouldKeepTheRunningSocketOptionsAsRestartOnly() throws ConfigException
    {
        // Given
        final ProxyConfig running = parse(RUNNING);
        final ProxyConfig next = parse(RUNNING.replace("  ioThreads: 2\n",
            "  ioThreads: 2\n  brokerTcpQuickAck: true\n  socketReceiveBufferBytes: 1MiB\n  socketSendBufferBytes: 1MiB\n"));

        // When
        final ConfigChanges changes = ConfigChangeDetector.detect(running, next);
        final ReloadPlan plan = ((StepResult.Done<ReloadPlan>)ReloadPlan.plan(running, next)).value();

        // Then
        assertThat(changes.restartOnly()).containsExactly("network.brokerTcpQuickAck", "network.socketReceiveBufferBytes",
            "network.socketSendBufferBytes");
        assertThat(plan.config().network()).isEqualTo(running.network());
    }

    @Test
    void shouldNameEveryRestartOnlySectionThatChanged() throws ConfigException
    {
        // Given
        final ProxyConfig running = parse(RUNNING);
        final ProxyConfig next = parse("""
            listener:
              bindAddress: 127.0.0.1:9094
            upstream:
              bootstrapServers: [kafka-1:9092]
            network:
              ioThreads: 3
            memory:
              poolSizeBytes: 1GiB
            admin:
              bindAddress: 127.0.0.1:9191
            audit:
              ringSizeBytes: 2MiB
            """);

        // When
        final ConfigChanges changes = ConfigChangeDetector.detect(running, next);

        // Then
        assertThat(changes.restartOnly()).containsExactly("listener", "network.ioThreads", "memory", "admin", "audit.ringSizeBytes");
        assertThat(changes.live()).isEmpty();
    }

    @Test
    void shouldNameCutThroughRestartOnly() throws ConfigException
    {
        // Given
        final ProxyConfig running = parse(RUNNING);
        final ProxyConfig next = parse(RUNNING.replace("ioThreads: 2", "ioThreads: 2\n  cutThrough: false"));

        // When
        final ConfigChanges changes = ConfigChangeDetector.detect(running, next);

        // Then
        assertThat(next.network().cutThrough()).isFalse();
        assertThat(changes.restartOnly()).containsExactly("network.cutThrough");
        assertThat(changes.live()).isEmpty();
    }

    @Test
    void shouldKeepTheRunningMirrorAndNameItsChangeRestartOnly() throws ConfigException
    {
        // Given
        final ProxyConfig running = parse(RUNNING);
        final ProxyConfig next = parse(RUNNING + """
            mirror:
              bootstrapServers: [shadow-1:9092]
              topics: [orders]
            """);

        // When
        final ConfigChanges changes = ConfigChangeDetector.detect(running, next);
        final ReloadPlan plan = ((StepResult.Done<ReloadPlan>)ReloadPlan.plan(running, next)).value();

        // Then
        assertThat(changes.restartOnly()).containsExactly("mirror");
        assertThat(changes.live()).isEmpty();
        assertThat(plan.config().mirror()).isNull();
        assertThat(plan.restartRequired()).containsExactly("mirror");
    }

    @Test
    void shouldNameAddedListenersAsRestartOnly() throws ConfigException
    {
        // Given
        final ProxyConfig running = parse(RUNNING);
        final ProxyConfig next = parse(RUNNING + """
            listeners:
              - name: internal
                bindAddress: 127.0.0.1:9292
            """);

        // When
        final ConfigChanges changes = ConfigChangeDetector.detect(running, next);

        // Then
        assertThat(changes.restartOnly()).containsExactly("listeners");
        assertThat(changes.live()).isEmpty();
    }

    @Test
    void shouldNameEveryLiveSectionThatChanged() throws ConfigException
    {
        // Given
        final ProxyConfig running = parse(RUNNING);
        final ProxyConfig next = parse("""
            listener:
              bindAddress: 127.0.0.1:9092
            upstream:
              bootstrapServers: [kafka-2:9092]
              connectTimeout: 3s
              tls:
                hostnameVerification: false
              sasl:
                mechanism: PLAIN
                username: kafka-proxy
                password: secret
            network:
              ioThreads: 2
              maxRequestSizeBytes: 1MiB
              maxResponseSizeBytes: 2MiB
              idleTimeout: 1m
            memory:
              poolSizeBytes: 512MiB
            logging:
              level: DEBUG
            shutdown:
              drainTimeout: 5s
            acl:
              defaultPolicy: deny
            audit:
              linesPerSecond: 7
            quotas:
              - principal: "*"
                produceBytesPerSecond: 1MiB
            circuitBreaker:
              enabled: false
            """);

        // When
        final ConfigChanges changes = ConfigChangeDetector.detect(running, next);

        // Then
        assertThat(changes.live()).containsExactly(
            "upstream.bootstrapServers", "upstream.connectTimeout", "upstream.tls", "upstream.sasl", "network.maxRequestSizeBytes",
            "network.maxResponseSizeBytes", "network.idleTimeout", "logging", "shutdown.drainTimeout", "acl", "audit",
            "quotas", "circuitBreaker");
        assertThat(changes.restartOnly()).isEmpty();
    }

    @Test
    void shouldFindNothingBetweenEqualConfigurations() throws ConfigException
    {
        // When
        final ConfigChanges changes = ConfigChangeDetector.detect(parse(RUNNING), parse(RUNNING));

        // Then
        assertThat(changes.live()).isEmpty();
        assertThat(changes.restartOnly()).isEmpty();
    }

    @Test
    void shouldApplyListenerSaslLiveAndKeepTheListenerAddressesRestartOnly() throws ConfigException
    {
        // Given
        final ProxyConfig running = parse(RUNNING);
        final ProxyConfig next = parse(RUNNING.replace("  bindAddress: 127.0.0.1:9092\n",
            "  bindAddress: 127.0.0.1:9092\n  sasl: {mechanisms: [PLAIN], plainUsersFile: users.yaml}\n"));

        // When
        final ConfigChanges changes = ConfigChangeDetector.detect(running, next);

        // Then
        assertThat(changes.live()).containsExactly("listener.sasl");
        assertThat(changes.restartOnly()).isEmpty();
    }

    static ProxyConfig parse(final String yaml) throws ConfigException
    {
        return ConfigParser.parse(yaml, "test.yaml");
    }
}

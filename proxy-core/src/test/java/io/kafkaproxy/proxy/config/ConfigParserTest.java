package io.kafkaproxy.proxy.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigParserTest
{
    static Stream<Path> exampleConfigs() throws IOException
    {
        final Path conf = Path.of("..", "conf");
        final List<Path> files;
        try (Stream<Path> listing = Files.list(conf))
        {
            files = listing.filter(path -> path.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(files).isNotEmpty();
        return files.stream();
    }

    @ParameterizedTest
    @MethodSource("exampleConfigs")
    void shouldParseEveryExampleConfiguration(final Path file) throws ConfigException
    {
        // When
        final ProxyConfig config = ConfigParser.parse(file);

        // Then
        assertThat(config.upstream().bootstrapServers()).isNotEmpty();
    }

    @Test
    void shouldReadTheReferenceConfiguration() throws ConfigException
    {
        // When
        final ProxyConfig config = ConfigParser.parse(Path.of("..", "conf", "kafka-proxy.yaml"));

        // Then
        assertThat(config.listener().bindAddress()).isEqualTo(new HostPort("0.0.0.0", 9092));
        assertThat(config.listener().advertisedHost()).isEqualTo("kafka-proxy.example.com");
        assertThat(config.listener().nodePorts()).isEqualTo(new NodePortsConfig(9093, 100));
        assertThat(config.upstream().bootstrapServers()).hasSize(3).first().isEqualTo(new HostPort("kafka-1.internal", 9092));
        assertThat(config.upstream().connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.network().ioThreads()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(config.network().maxRequestSizeBytes()).isEqualTo(100 * 1024 * 1024);
        assertThat(config.network().maxResponseSizeBytes()).isEqualTo(256 << 20);
        assertThat(config.memory().poolSizeBytes()).isEqualTo(512L << 20);
        assertThat(config.memory().chunkSizeBytes()).isEqualTo(64 << 10);
        assertThat(config.memory().backing()).isEqualTo(MemoryConfig.Backing.DIRECT);
        assertThat(config.memory().frameTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.memory().minFrameBytesPerSecond()).isEqualTo(256 << 10);
        assertThat(config.network().idleTimeout()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void shouldReadTheFrameDeadlineAndRejectANegativeOne() throws ConfigException
    {
        // When
        final ProxyConfig config = ConfigParser.parse(
            "upstream:\n  bootstrapServers: [b:1]\nmemory:\n  frameTimeout: 0s\n  minFrameBytesPerSecond: 1MiB\n", "t.yaml");

        // Then
        assertThat(config.memory().frameTimeout()).isZero();
        assertThat(config.memory().minFrameBytesPerSecond()).isEqualTo(1 << 20);
        assertThatThrownBy(() -> ConfigParser.parse(
            "upstream:\n  bootstrapServers: [b:1]\nmemory:\n  frameTimeout: PT-1S\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("memory.frameTimeout: must not be negative");
    }

    @Test
    void shouldFillInDefaultsAroundTheBrokerCluster() throws ConfigException
    {
        // When
        final ProxyConfig config = ConfigParser.parse("upstream:\n  bootstrapServers: [b:9092]\nlistener:\n  bindAddress: 127.0.0.1:7000\n", "t.yaml");

        // Then
        assertThat(config.listener().advertisedHost()).isEqualTo("127.0.0.1");
        assertThat(config.listener().nodePorts()).isEqualTo(new NodePortsConfig(7001, 100));
        assertThat(config.network()).isEqualTo(NetworkConfig.defaults());
    }

    @Test
    void shouldRejectAnUnknownKeyNamingItsPathAndLine()
    {
        // When / Then
        assertThatThrownBy(() -> ConfigParser.parse("upstream:\n  bootstrapServers: [b:9092]\nnetwork:\n  ioThreds: 4\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("t.yaml:4: network.ioThreds: unknown key; known keys here: ")
            .hasMessageContaining("ioThreads");
    }

    @Test
    void shouldRejectADuplicateKey()
    {
        // When / Then
        assertThatThrownBy(() -> ConfigParser.parse("upstream:\n  bootstrapServers: [b:9092]\n  bootstrapServers: [c:9092]\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessage("t.yaml:3: upstream.bootstrapServers: duplicate key");
    }

    @Test
    void shouldRejectABadValueNamingItsPath()
    {
        // When / Then
        assertThatThrownBy(() -> ConfigParser.parse("upstream:\n  bootstrapServers: [b:9092]\nnetwork:\n  maxRequestSizeBytes: lots\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessage("t.yaml:4: network.maxRequestSizeBytes: expected a size such as 64MiB, got 'lots'");
        assertThatThrownBy(() -> ConfigParser.parse("upstream:\n  bootstrapServers: [b]\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessage("t.yaml:2: upstream.bootstrapServers[0]: expected host:port, got 'b'");
        assertThatThrownBy(() -> ConfigParser.parse("upstream:\n  bootstrapServers: [b:1]\n  connectTimeout: soon\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("t.yaml:3: upstream.connectTimeout: ");
    }

    @Test
    void shouldRequireABrokerCluster()
    {
        // When / Then
        assertThatThrownBy(() -> ConfigParser.parse("network:\n  ioThreads: 2\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("upstream.bootstrapServers: required");
        assertThatThrownBy(() -> ConfigParser.parse("", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("upstream.bootstrapServers");
    }

    @Test
    void shouldRejectANodeRangeThatContainsTheBootstrapPort()
    {
        // When / Then
        assertThatThrownBy(() -> ConfigParser.parse(
            "upstream:\n  bootstrapServers: [b:1]\nlistener:\n  bindAddress: h:9100\n  nodePorts: {first: 9093, count: 100}\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessage("t.yaml:5: listener.nodePorts: range 9093-9192 contains the bootstrap port 9100");
    }

    @Test
    void shouldRejectAFrameLimitTheMemoryPoolCannotHold()
    {
        // When / Then
        assertThatThrownBy(() -> ConfigParser.parse(
            "upstream:\n  bootstrapServers: [b:1]\nnetwork:\n  maxRequestSizeBytes: 100MiB\nmemory:\n  poolSizeBytes: 128MiB\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessage("t.yaml:4: network.maxRequestSizeBytes: 100MiB is more than half of memory.poolSizeBytes 128MiB");
        assertThatThrownBy(() -> ConfigParser.parse(
            "upstream:\n  bootstrapServers: [b:1]\nmemory:\n  backing: swap\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessage("t.yaml:4: memory.backing: expected direct or mappedFile, got 'swap'");
    }

    @Test
    void shouldReadSizesAndDurationsWithUnits()
    {
        // Then
        assertThat(Units.parseBytes("64MiB")).isEqualTo(64L << 20);
        assertThat(Units.parseBytes("64 MB")).isEqualTo(64_000_000L);
        assertThat(Units.parseBytes("4096")).isEqualTo(4096L);
        assertThat(Units.parseBytes("2gib")).isEqualTo(2L << 30);
        assertThat(Units.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Units.parseDuration("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(Units.parseDuration("PT30S")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Units.formatBytes(100L << 20)).isEqualTo("100MiB");
        assertThat(Units.formatDuration(Duration.ofSeconds(90))).isEqualTo("90s");
    }

    @Test
    void shouldParseHostPortsIncludingIpv6()
    {
        // Then
        assertThat(HostPort.parse("[::1]:9092")).isEqualTo(new HostPort("::1", 9092));
        assertThat(HostPort.parse("[::1]:9092").toString()).isEqualTo("[::1]:9092");
        assertThatThrownBy(() -> HostPort.parse("h:99999")).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @MethodSource("exampleConfigs")
    void shouldWriteTheEffectiveConfigurationSoThatItReadsBackTheSame(final Path file) throws ConfigException
    {
        // Given
        final ProxyConfig config = ConfigParser.parse(file);

        // When
        final String effective = ConfigWriter.toYaml(config);

        // Then
        assertThat(ConfigParser.parse(effective, "effective.yaml")).isEqualTo(config);
        assertThat(ConfigParser.check(effective, "effective.yaml")).isEmpty();
    }

    @Test
    void shouldReadTheOperatingSections() throws ConfigException
    {
        // When
        final ProxyConfig config = ConfigParser.parse("upstream:\n  bootstrapServers: [b:9092]\n" +
            "admin:\n  bindAddress: 0.0.0.0:9999\nlogging:\n  level: debug\n  loggers:\n    io.netty: warn\n" +
            "shutdown:\n  drainTimeout: 5s\n", "t.yaml");

        // Then
        assertThat(config.admin()).isEqualTo(new AdminConfig(true, new HostPort("0.0.0.0", 9999)));
        assertThat(config.logging().level()).isEqualTo("DEBUG");
        assertThat(config.logging().loggers()).containsEntry("io.netty", "WARN");
        assertThat(config.shutdown().drainTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(ConfigParser.parse("upstream:\n  bootstrapServers: [b:9092]\n", "t.yaml").admin())
            .isEqualTo(new AdminConfig(true, new HostPort("127.0.0.1", 9190)));
    }

    @Test
    void checkShouldListEveryErrorWithItsPathAndLine()
    {
        // Given: two bad values in one section, an unknown key in another, an unknown section, a bad log level
        final String yaml = String.join("\n",
            "upstream:",
            "  bootstrapServers: [b:9092]",
            "network:",
            "  ioThreads: -1",
            "  maxRequestSizeBytes: lots",
            "memory:",
            "  poolSize: 1GiB",
            "metrics:",
            "  port: 9",
            "logging:",
            "  level: loud",
            "");

        // When
        final List<String> errors = ConfigParser.check(yaml, "t.yaml");

        // Then
        assertThat(errors).hasSize(5);
        assertThat(errors.get(0)).startsWith("t.yaml:4: network.ioThreads: must be at least 1");
        assertThat(errors.get(1)).isEqualTo("t.yaml:5: network.maxRequestSizeBytes: expected a size such as 64MiB, got 'lots'");
        assertThat(errors.get(2)).startsWith("t.yaml:7: memory.poolSize: unknown key");
        assertThat(errors.get(3)).startsWith("t.yaml:8: metrics: unknown key");
        assertThat(errors.get(4)).startsWith("t.yaml:11: logging.level: not a log level: loud");
    }

    @Test
    void checkShouldReportWhatNoSingleKeyShowsOnceEveryKeyIsValid()
    {
        // When
        final List<String> missingBrokerCluster = ConfigParser.check("network:\n  ioThreads: 2\n", "t.yaml");
        final List<String> tooLarge = ConfigParser.check(
            "upstream:\n  bootstrapServers: [b:1]\nnetwork:\n  maxRequestSizeBytes: 100MiB\nmemory:\n  poolSizeBytes: 128MiB\n", "t.yaml");
        final List<String> syntax = ConfigParser.check("upstream: [\n", "t.yaml");

        // Then
        assertThat(missingBrokerCluster).singleElement().asString().contains("upstream.bootstrapServers: required");
        assertThat(tooLarge).containsExactly(
            "t.yaml:4: network.maxRequestSizeBytes: 100MiB is more than half of memory.poolSizeBytes 128MiB");
        assertThat(syntax).singleElement().asString().startsWith("t.yaml:");
    }

    @Test
    void shouldFillInThePolicySectionsWithDefaults() throws ConfigException
    {
        // When
        final ProxyConfig config = ConfigParser.parse("upstream:\n  bootstrapServers: [b:9092]\n", "t.yaml");

        // Then
        assertThat(config.audit()).isEqualTo(new AuditConfig(true, 100, 1 << 20));
        assertThat(config.quotas().rules()).isEmpty();
        assertThat(config.circuitBreaker()).isEqualTo(new CircuitBreakerConfig(true, 3, Duration.ofSeconds(10), Duration.ofSeconds(30)));
    }

    @Test
    void shouldReadThePolicySections() throws ConfigException
    {
        // When
        final ProxyConfig config = ConfigParser.parse(String.join("\n",
            "upstream:",
            "  bootstrapServers: [b:9092]",
            "audit:",
            "  enabled: false",
            "  linesPerSecond: 5",
            "  ringSizeBytes: 64KiB",
            "circuitBreaker:",
            "  failureThreshold: 5",
            "  openDuration: 500ms",
            "  requestTimeout: 1m",
            "quotas:",
            "  - principal: alice",
            "    produceBytesPerSecond: 1MiB",
            "    fetchBytesPerSecond: 10MiB",
            "    requestsPerSecond: 500",
            "    maxConnections: 100",
            "    connectionsPerSecond: 20",
            "  - principal: batch-*",
            "    topic: orders-*",
            "    produceBytesPerSecond: 4096",
            "  - address: 10.0.0.0/8",
            "    maxConnections: 1000",
            ""), "t.yaml");

        // Then
        assertThat(config.audit()).isEqualTo(new AuditConfig(false, 5, 64 << 10));
        assertThat(config.circuitBreaker()).isEqualTo(new CircuitBreakerConfig(true, 5, Duration.ofMillis(500), Duration.ofMinutes(1)));
        assertThat(config.quotas().rules()).containsExactly(
            new QuotaRuleConfig("alice", null, null, 1 << 20, 10 << 20, 500, 100, 20),
            new QuotaRuleConfig("batch-*", "orders-*", null, 4096, 0, 0, 0, 0),
            new QuotaRuleConfig(null, null, CidrBlock.parse("10.0.0.0/8"), 0, 0, 0, 1000, 0));
    }

    @Test
    void shouldRejectABadQuotaRuleNamingItsPlaceInTheList()
    {
        // Given
        final String head = "upstream:\n  bootstrapServers: [b:9092]\nquotas:\n  - principal: alice\n    maxConnections: 5\n";

        // When / Then
        assertThatThrownBy(() -> ConfigParser.parse(head + "  - principal: bob\n    produceBytesPerSecond: 0\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessage("t.yaml:7: quotas[1].produceBytesPerSecond: must be positive: 0");
        assertThatThrownBy(() -> ConfigParser.parse(head + "  - principal: bob\n    fetchBytesPerSecond: fast\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessage("t.yaml:7: quotas[1].fetchBytesPerSecond: expected a size such as 64MiB, got 'fast'");
        assertThatThrownBy(() -> ConfigParser.parse(head + "  - address: 10.0.0.1/8\n    maxConnections: 5\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessage("t.yaml:6: quotas[1].address: '10.0.0.1/8' sets bits past the /8 prefix; did you mean 10.0.0.0/8?");
        assertThatThrownBy(() -> ConfigParser.parse(head + "  - address: 10.0.0.0/8\n    requestsPerSecond: 5\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessage("t.yaml:7: quotas[1].requestsPerSecond: not allowed in an address rule");
        assertThatThrownBy(() -> ConfigParser.parse(head + "  - principal: bob\n    topic: t\n    maxConnections: 5\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessage("t.yaml:8: quotas[1].maxConnections: not allowed in a topic rule");
        assertThatThrownBy(() -> ConfigParser.parse(head + "  - principal: b*b\n    maxConnections: 5\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessage("t.yaml:6: quotas[1].principal: '*' may only end a pattern: 'b*b'");
        assertThatThrownBy(() -> ConfigParser.parse(head + "  - principal: bob\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessage("t.yaml:6: quotas[1].principal: the rule sets no limit");
        assertThatThrownBy(() -> ConfigParser.parse(head + "  - maxConnections: 5\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("t.yaml:6: quotas[1].principal: required, or address");
        assertThatThrownBy(() -> ConfigParser.parse(head + "  - principal: bob\n    maxConnection: 5\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("t.yaml:7: quotas[1].maxConnection: unknown key; known keys here: ");
    }

    @Test
    void shouldRejectBadAuditAndCircuitBreakerValues()
    {
        // Given
        final String head = "upstream:\n  bootstrapServers: [b:9092]\n";

        // When / Then
        assertThatThrownBy(() -> ConfigParser.parse(head + "audit:\n  ringSizeBytes: 100KiB\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessage("t.yaml:4: audit.ringSizeBytes: must be a power of two from 64KiB to 1GiB: 100KiB");
        assertThatThrownBy(() -> ConfigParser.parse(head + "audit:\n  linesPerSecond: 0\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessage("t.yaml:4: audit.linesPerSecond: must be at least 1: 0");
        assertThatThrownBy(() -> ConfigParser.parse(head + "circuitBreaker:\n  failureThreshold: 0\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessage("t.yaml:4: circuitBreaker.failureThreshold: must be at least 1: 0");
        assertThatThrownBy(() -> ConfigParser.parse(head + "circuitBreaker:\n  openDuration: 0s\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessage("t.yaml:4: circuitBreaker.openDuration: must be positive: PT0S");
    }

    @Test
    void checkShouldReportABadQuotaRuleWithItsLine()
    {
        // When
        final List<String> errors = ConfigParser.check(
            "upstream:\n  bootstrapServers: [b:9092]\nquotas:\n  - principal: bob\n    requestsPerSecond: -1\n", "t.yaml");

        // Then
        assertThat(errors).containsExactly("t.yaml:5: quotas[0].requestsPerSecond: must be positive: -1");
    }

    @Test
    void shouldWriteQuotaRulesSoThatTheyReadBackTheSame() throws ConfigException
    {
        // Given
        final ProxyConfig config = ConfigParser.parse(String.join("\n",
            "upstream:",
            "  bootstrapServers: [b:9092]",
            "quotas:",
            "  - principal: '*'",
            "    requestsPerSecond: 50",
            "  - principal: alice",
            "    topic: orders-*",
            "    produceBytesPerSecond: 1000000",
            "  - address: fd00::/8",
            "    maxConnections: 10",
            "    connectionsPerSecond: 2",
            ""), "t.yaml");

        // When
        final String effective = ConfigWriter.toYaml(config);

        // Then
        assertThat(ConfigParser.parse(effective, "effective.yaml")).isEqualTo(config);
        assertThat(ConfigParser.check(effective, "effective.yaml")).isEmpty();
    }

    @Test
    void shouldRefuseAFetchRateInATopicRule()
    {
        // When
        final List<String> errors = ConfigParser.check(String.join("\n",
            "upstream:",
            "  bootstrapServers: [b:9092]",
            "quotas:",
            "  - principal: alice",
            "    topic: orders-*",
            "    fetchBytesPerSecond: 1MiB",
            ""), "t.yaml");

        // Then
        assertThat(errors).containsExactly(
            "t.yaml:6: quotas[0].fetchBytesPerSecond: not allowed in a topic rule (topic rules limit produce bytes)");
    }

    @Test
    void shouldReadTheSaslTerminationSectionWithItsDefaults() throws ConfigException
    {
        // When
        final ProxyConfig config = ConfigParser.parse("""
            upstream:
              bootstrapServers: [b:9092]
            listener:
              sasl:
                mechanisms: [PLAIN, SCRAM-SHA-512, OAUTHBEARER]
                plainUsersFile: /etc/kafka-proxy/plain-users.yaml
                scramCredentialsFile: /etc/kafka-proxy/scram-users.yaml
                oauthbearer: {jwksFile: /etc/kafka-proxy/jwks.json, issuer: https://idp, audience: kafka}
            """, "t.yaml");

        // Then
        final SaslTerminationConfig sasl = config.listener().sasl();
        assertThat(sasl.mechanisms()).containsExactly(SaslMechanism.PLAIN, SaslMechanism.SCRAM_SHA_512, SaslMechanism.OAUTHBEARER);
        assertThat(sasl.plainUsersFile()).isEqualTo(Path.of("/etc/kafka-proxy/plain-users.yaml"));
        assertThat(sasl.scramCredentialsFile()).isEqualTo(Path.of("/etc/kafka-proxy/scram-users.yaml"));
        assertThat(sasl.oauthbearer()).isEqualTo(
            new OAuthBearerConfig(Path.of("/etc/kafka-proxy/jwks.json"), "https://idp", "kafka", "sub", Duration.ofSeconds(30)));
        assertThat(sasl.sessionLifetime()).isEqualTo(Duration.ZERO);
        assertThat(sasl.failedLoginsPerMinute()).isEqualTo(10);
    }

    @Test
    void shouldPassSaslThroughWhenTheListenerHasNoSaslSection() throws ConfigException
    {
        // When
        final ProxyConfig config = ConfigParser.parse("upstream:\n  bootstrapServers: [b:9092]\n", "t.yaml");

        // Then
        assertThat(config.listener().sasl()).isNull();
    }

    static Stream<List<String>> badSaslSections()
    {
        return Stream.of(
            List.of("    mechanisms: []\n", "t.yaml:5: listener.sasl.mechanisms: at least one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER"),
            List.of("    mechanisms: [GSSAPI]\n",
                "t.yaml:5: listener.sasl.mechanisms: unknown mechanism 'GSSAPI' (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER)"),
            List.of("    mechanisms: [PLAIN]\n", "t.yaml:5: listener.sasl.plainUsersFile: required with mechanism PLAIN"),
            List.of("    mechanisms: [SCRAM-SHA-256]\n", "t.yaml:5: listener.sasl.scramCredentialsFile: required with a SCRAM mechanism"),
            List.of("    mechanisms: [OAUTHBEARER]\n", "t.yaml:5: listener.sasl.oauthbearer: required with mechanism OAUTHBEARER"),
            List.of("    mechanisms: [OAUTHBEARER]\n    oauthbearer: {jwksFile: j.json, audience: a}\n",
                "t.yaml:6: listener.sasl.oauthbearer.issuer: required"),
            List.of("    mechanisms: [PLAIN]\n    plainUsersFile: u.yaml\n    failedLoginsPerMinute: 0\n",
                "t.yaml:7: listener.sasl.failedLoginsPerMinute: must be at least 1: 0"));
    }

    @ParameterizedTest
    @MethodSource("badSaslSections")
    void shouldRejectABadSaslSectionNamingItsPath(final List<String> section)
    {
        // When / Then
        assertThatThrownBy(() -> ConfigParser.parse(
            "upstream:\n  bootstrapServers: [b:1]\nlistener:\n  sasl:\n" + section.get(0), "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessage(section.get(1));
    }

    @Test
    void shouldParseTheCommentedSaslExampleOfTheReferenceConfiguration() throws Exception
    {
        // Given: the reference file with its listener.sasl example uncommented
        final StringBuilder yaml = new StringBuilder();
        boolean inSasl = false;
        for (final String line : Files.readAllLines(Path.of("..", "conf", "kafka-proxy.yaml")))
        {
            inSasl = line.equals("  # sasl:") || inSasl && line.startsWith("  #");
            yaml.append(inSasl ? "  " + line.substring(4) : line).append('\n');
        }

        // When
        final ProxyConfig config = ConfigParser.parse(yaml.toString(), "kafka-proxy.yaml");

        // Then
        assertThat(config.listener().sasl().mechanisms())
            .containsExactly(SaslMechanism.PLAIN, SaslMechanism.SCRAM_SHA_512, SaslMechanism.OAUTHBEARER);
        assertThat(config.listener().sasl().oauthbearer().audience()).isEqualTo("kafka");
    }

    @Test
    void shouldNameTheSaslProblemWithItsPathAndLineWhenChecking()
    {
        // When
        final List<String> errors = ConfigParser.check(
            "upstream:\n  bootstrapServers: [b:1]\nlistener:\n  sasl:\n    mechanisms: [PLAIN]\n    plainUsersFile: u.yaml\n    colour: blue\n", "t.yaml");

        // Then
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0)).startsWith("t.yaml:7: listener.sasl.colour: unknown key");
    }
}

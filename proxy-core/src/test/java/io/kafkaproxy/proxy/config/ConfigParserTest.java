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
    private static final String LISTENER_9092 = "upstream:\n  bootstrapServers: [b:1]\nlistener:\n  bindAddress: h:9092\n";

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

    @ParameterizedTest
    @MethodSource("exampleConfigs")
    void shouldReadEachExampleSectionBySectionAsTheWholeFileReadDoes(final Path file) throws Exception
    {
        // Given
        final String yaml = Files.readString(file);

        // When
        final ProxyConfig bySection = ConfigParser.readPresentSections(yaml);

        // Then
        final ProxyConfig whole = ConfigParser.readWholeFile(yaml);
        assertThat(bySection).isNotNull();
        assertThat(ConfigWriter.toYaml(bySection)).isEqualTo(ConfigWriter.toYaml(whole));
        assertThat(bySection).usingRecursiveComparison().isEqualTo(whole);
    }

    @Test
    void shouldReadScalarsOfEveryKindSectionBySectionAsTheWholeFileReadDoes() throws Exception
    {
        // Given: numbers, booleans, nulls, durations and sizes in several spellings, a section set to null
        final String yaml = """
            upstream:
              bootstrapServers: ["b:1", b2:2]
              connectTimeout: 1500ms
            listener:
              advertisedHost: 127.0.0.1
              nodePorts: {first: 9093, count: 10}
            network:
              ioThreads: 3
              idleTimeout: 90s
              maxRequestSizeBytes: 1MiB
            memory:
              poolSizeBytes: 1GiB
              frameTimeout: 0s
            logging:
            shutdown: ~
            """;

        // When
        final ProxyConfig bySection = ConfigParser.readPresentSections(yaml);

        // Then
        assertThat(bySection).isNotNull().usingRecursiveComparison().isEqualTo(ConfigParser.readWholeFile(yaml));
    }

    @Test
    void shouldLeaveToTheWholeFileReadWhatItCannotReadSectionBySection() throws IOException
    {
        // Given: an unknown section, a second document, a list, a bad value, a duplicate key
        final String unknown = "upstream:\n  bootstrapServers: [b:1]\nnetwrk: {}\n";
        final String twoDocuments = "upstream:\n  bootstrapServers: [b:1]\n---\nnetwork: {}\n";
        final String list = "- upstream\n";
        final String badValue = "upstream:\n  bootstrapServers: [b:1]\nnetwork:\n  ioThreads: many\n";
        final String duplicate = "upstream:\n  bootstrapServers: [b:1]\nupstream:\n  bootstrapServers: [b:2]\n";

        // Then: null or an exception, after which parse reads the whole file for the error it always gave
        assertThat(ConfigParser.readPresentSections(unknown)).isNull();
        assertThat(ConfigParser.readPresentSections(twoDocuments)).isNull();
        assertThat(ConfigParser.readPresentSections(list)).isNull();
        assertThatThrownBy(() -> ConfigParser.readPresentSections(badValue)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> ConfigParser.readPresentSections(duplicate)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> ConfigParser.parse(unknown, "t.yaml")).isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("t.yaml:3: netwrk: unknown key; known keys here: [");
        assertThatThrownBy(() -> ConfigParser.parse(twoDocuments, "t.yaml")).isInstanceOf(ConfigException.class)
            .hasMessageContaining("Trailing token");
        assertThatThrownBy(() -> ConfigParser.parse(badValue, "t.yaml")).isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("t.yaml:4: network.ioThreads: ");
        assertThatThrownBy(() -> ConfigParser.parse(duplicate, "t.yaml")).isInstanceOf(ConfigException.class)
            .hasMessageEndingWith(": upstream: duplicate key");
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
    void shouldReadCutThroughAndRejectAValueThatIsNotABoolean() throws ConfigException
    {
        // When
        final ProxyConfig config = ConfigParser.parse(
            "upstream:\n  bootstrapServers: [b:1]\nnetwork:\n  cutThrough: false\n", "t.yaml");

        // Then
        assertThat(config.network().cutThrough()).isFalse();
        assertThat(NetworkConfig.defaults().cutThrough()).isTrue();
        assertThatThrownBy(() -> ConfigParser.parse(
            "upstream:\n  bootstrapServers: [b:1]\nnetwork:\n  cutThrough: sometimes\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("network.cutThrough");
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
    void shouldReadTheTransportAndDefaultToAuto() throws ConfigException
    {
        // Given
        final String upstream = "upstream:\n  bootstrapServers: [b:9092]\n";

        // When
        final ProxyConfig absent = ConfigParser.parse(upstream, "t.yaml");
        final ProxyConfig ioUring = ConfigParser.parse(upstream + "network:\n  transport: io_uring\n", "t.yaml");
        final ProxyConfig nio = ConfigParser.parse(upstream + "network:\n  transport: NIO\n", "t.yaml");

        // Then
        assertThat(absent.network().transport()).isEqualTo(NetworkConfig.TransportKind.AUTO);
        assertThat(ioUring.network().transport()).isEqualTo(NetworkConfig.TransportKind.IO_URING);
        assertThat(nio.network().transport()).isEqualTo(NetworkConfig.TransportKind.NIO);
    }

    @Test
    void shouldRejectAnUnknownTransportNamingItsPath()
    {
        // When / Then
        assertThatThrownBy(() -> ConfigParser.parse("upstream:\n  bootstrapServers: [b:9092]\nnetwork:\n  transport: kqueue\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("t.yaml:4: network.transport: must be auto, epoll, io_uring or nio: kqueue");
    }

    @Test
    void shouldReadTheSocketOptionsAndDefaultToTheKernels() throws ConfigException
    {
        // Given
        final String upstream = "upstream:\n  bootstrapServers: [b:9092]\n";

        // When
        final ProxyConfig absent = ConfigParser.parse(upstream, "t.yaml");
        final ProxyConfig set = ConfigParser.parse(upstream +
            "network:\n  brokerTcpQuickAck: true\n  socketReceiveBufferBytes: 1MiB\n  socketSendBufferBytes: 256KiB\n", "t.yaml");

        // Then
        assertThat(absent.network().brokerTcpQuickAck()).isFalse();
        assertThat(absent.network().socketReceiveBufferBytes()).isZero();
        assertThat(absent.network().socketSendBufferBytes()).isZero();
        assertThat(set.network().brokerTcpQuickAck()).isTrue();
        assertThat(set.network().socketReceiveBufferBytes()).isEqualTo(1 << 20);
        assertThat(set.network().socketSendBufferBytes()).isEqualTo(256 << 10);
        assertThatThrownBy(() -> ConfigParser.parse(upstream + "network:\n  socketSendBufferBytes: big\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("t.yaml:4: network.socketSendBufferBytes: ");
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
    void shouldReadListenersBesideTheListenerSection() throws ConfigException
    {
        // When
        final ProxyConfig config = ConfigParser.parse("""
            upstream:
              bootstrapServers: [b:9092]
            listener:
              bindAddress: 127.0.0.1:9092
            listeners:
              - name: internal
                bindAddress: 10.0.0.1:9292
                advertisedHost: proxy.internal
                nodePorts: {first: 9293, count: 50}
            """, "t.yaml");

        // Then
        assertThat(config.listener().name()).isEqualTo("default");
        assertThat(config.listeners()).containsExactly(
            new ListenerConfig("internal", new HostPort("10.0.0.1", 9292), "proxy.internal", new NodePortsConfig(9293, 50), null));
        assertThat(config.allListeners()).extracting(ListenerConfig::name).containsExactly("default", "internal");
    }

    @Test
    void shouldRejectAListenersEntryWithoutAName()
    {
        // When / Then
        assertThatThrownBy(() -> ConfigParser.parse(LISTENER_9092 + "listeners:\n  - bindAddress: h:9300\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessage("t.yaml:6: listeners[0].name: required");
    }

    @Test
    void shouldRejectTwoListenersOfOneName()
    {
        // When / Then
        assertThatThrownBy(() -> ConfigParser.parse(LISTENER_9092 +
            "listeners:\n  - name: a\n    bindAddress: h:9300\n  - name: a\n    bindAddress: h:9500\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessage("t.yaml:8: listeners[1].name: another listener has the name a");
    }

    @Test
    void shouldRejectNodeRangesOfTwoListenersThatOverlap()
    {
        // When / Then
        assertThatThrownBy(() -> ConfigParser.parse(LISTENER_9092 +
            "listeners:\n  - name: a\n    bindAddress: h:9000\n    nodePorts: {first: 9050, count: 100}\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessage("t.yaml:8: listeners[0].nodePorts: range 9050-9149 contains the bootstrap port of listener: 9092");
        assertThatThrownBy(() -> ConfigParser.parse(LISTENER_9092 +
            "listeners:\n  - name: a\n    bindAddress: h:9300\n    nodePorts: {first: 9150, count: 100}\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessage("t.yaml:8: listeners[0].nodePorts: range 9150-9249 overlaps the node ports of listener: 9093-9192");
    }

    @Test
    void shouldRejectABootstrapPortOfAnotherListener()
    {
        // When / Then
        assertThatThrownBy(() -> ConfigParser.parse(LISTENER_9092 +
            "listeners:\n  - name: a\n    bindAddress: h:9100\n    nodePorts: {first: 9300, count: 10}\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessage("t.yaml:7: listeners[0].bindAddress: port 9100 is in the node ports of listener: 9093-9192");
        assertThatThrownBy(() -> ConfigParser.parse(LISTENER_9092 +
            "listeners:\n  - name: a\n    bindAddress: h:9092\n    nodePorts: {first: 9300, count: 10}\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessage("t.yaml:7: listeners[0].bindAddress: port 9092 is the bootstrap port of listener");
    }

    @Test
    void shouldNameTheListenersEntryOfABadValue()
    {
        // When
        final List<String> errors = ConfigParser.check(LISTENER_9092 +
            "listeners:\n  - name: a\n    bindAddress: h:9300\n  - name: b c\n    bindAddress: h:9500\n" +
            "    nodePorts: {first: 70000}\n", "t.yaml");

        // Then
        assertThat(errors).singleElement().asString()
            .isEqualTo("t.yaml:10: listeners[1].nodePorts.first: out of range: 70000");
        assertThatThrownBy(() -> ConfigParser.parse(LISTENER_9092 +
            "listeners:\n  - name: b c\n    bindAddress: h:9300\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessage("t.yaml:6: listeners[0].name: must be 1-64 letters, digits, '_' or '-': b c");
    }

    @Test
    void shouldWriteListenersSoThatTheyReadBackTheSame() throws ConfigException
    {
        // Given
        final ProxyConfig config = ConfigParser.parse(LISTENER_9092 + "  name: plain\n" +
            "listeners:\n  - name: a\n    bindAddress: h:9300\n    advertisedHost: a.example.com\n", "t.yaml");

        // When
        final String effective = ConfigWriter.toYaml(config);

        // Then
        assertThat(ConfigParser.parse(effective, "effective.yaml")).isEqualTo(config);
        assertThat(config.listener().name()).isEqualTo("plain");
        assertThat(config.listeners().get(0).nodePorts()).isEqualTo(new NodePortsConfig(9301, 100));
    }

    @Test
    void shouldReadAnSniListenerThatNeedsNoNodePorts() throws ConfigException
    {
        // When: its default node ports would overlap the listener section's; an SNI listener binds none
        final ProxyConfig config = ConfigParser.parse(LISTENER_9092 + """
            listeners:
              - name: sni
                bindAddress: h:9093
                tls:
                  certificate: /etc/tls/server.crt
                  privateKey: /etc/tls/server.key
                  sni:
                    bootstrapHost: bootstrap.kafka.example.com
                    nodeHostPattern: broker-$(nodeId).kafka.example.com
            """.replace("h:9093", "h:9300"), "t.yaml");

        // Then
        final ListenerConfig sni = config.listeners().get(0);
        assertThat(sni.tls().sni()).isEqualTo(new SniConfig("bootstrap.kafka.example.com", "broker-$(nodeId).kafka.example.com"));
        assertThat(sni.bindsNodePorts()).isFalse();
        assertThat(config.listener().bindsNodePorts()).isTrue();
        assertThat(ConfigParser.parse(ConfigWriter.toYaml(config), "effective.yaml")).isEqualTo(config);
    }

    @Test
    void shouldRejectANodeHostPatternWithoutExactlyOneNodeId()
    {
        // When / Then
        final String sni = LISTENER_9092 + "listeners:\n  - name: sni\n    bindAddress: h:9300\n    tls:\n" +
            "      certificate: s.crt\n      privateKey: s.key\n      sni:\n        bootstrapHost: b.example.com\n";
        assertThatThrownBy(() -> ConfigParser.parse(sni + "        nodeHostPattern: broker.example.com\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessage("t.yaml:13: listeners[0].tls.sni.nodeHostPattern: must hold $(nodeId) exactly once: broker.example.com");
        assertThatThrownBy(() -> ConfigParser.parse(sni + "        nodeHostPattern: $(nodeId)-$(nodeId).example.com\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("listeners[0].tls.sni.nodeHostPattern: must hold $(nodeId) exactly once");
        assertThatThrownBy(() -> ConfigParser.parse(sni + "        nodeHostPattern: broker_$(nodeId).example.com\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("listeners[0].tls.sni.nodeHostPattern: not a host name");
        assertThatThrownBy(() -> ConfigParser.parse(LISTENER_9092 + "  tls:\n    certificate: s.crt\n    privateKey: s.key\n" +
            "    sni:\n      bootstrapHost: broker-7.example.com\n      nodeHostPattern: broker-$(nodeId).example.com\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("listener.tls.sni.bootstrapHost: broker-7.example.com is also a node's name");
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
    void shouldReadTheListenerTlsSectionWithDefaults() throws ConfigException
    {
        // When
        final ProxyConfig config = ConfigParser.parse("upstream:\n  bootstrapServers: [b:1]\nlistener:\n  tls:\n" +
            "    certificate: /etc/tls/server.crt\n    privateKey: /etc/tls/server.key\n", "t.yaml");

        // Then
        final TlsServerConfig tls = config.listener().tls();
        assertThat(tls.certificate()).isEqualTo(Path.of("/etc/tls/server.crt"));
        assertThat(tls.privateKey()).isEqualTo(Path.of("/etc/tls/server.key"));
        assertThat(tls.clientAuth()).isEqualTo(TlsServerConfig.ClientAuth.NONE);
        assertThat(tls.protocols()).containsExactly("TLSv1.3", "TLSv1.2");
        assertThat(tls.cipherSuites()).isEmpty();
        assertThat(tls.provider()).isEqualTo(TlsProvider.AUTO);
        assertThat(tls.principalMappingRules()).isEqualTo("DEFAULT");
        assertThat(ConfigParser.parse("upstream:\n  bootstrapServers: [b:1]\n", "t.yaml").listener().tls()).isNull();
    }

    @Test
    void shouldReadAKeyStoreAndTrustStoreAndHideTheirPasswords() throws ConfigException
    {
        // When
        final ProxyConfig config = ConfigParser.parse("upstream:\n  bootstrapServers: [b:1]\nlistener:\n  tls:\n" +
            "    keyStore: {path: s.p12, password: secret1, keyPassword: secret2}\n" +
            "    trustStore: {path: t.jks, type: JKS, password: secret3}\n" +
            "    clientAuth: required\n    protocols: [TLSv1.3]\n    cipherSuites: [TLS_AES_128_GCM_SHA256]\n" +
            "    provider: jdk\n    principalMappingRules: 'RULE:^CN=(.*?),.*$/$1/L,DEFAULT'\n", "t.yaml");

        // Then
        final TlsServerConfig tls = config.listener().tls();
        assertThat(tls.keyStore()).isEqualTo(new StoreConfig(Path.of("s.p12"), StoreConfig.Type.PKCS12, "secret1", "secret2"));
        assertThat(tls.trustStore()).isEqualTo(new StoreConfig(Path.of("t.jks"), StoreConfig.Type.JKS, "secret3", null));
        assertThat(tls.clientAuth()).isEqualTo(TlsServerConfig.ClientAuth.REQUIRED);
        assertThat(tls.protocols()).containsExactly("TLSv1.3");
        assertThat(tls.cipherSuites()).containsExactly("TLS_AES_128_GCM_SHA256");
        assertThat(tls.provider()).isEqualTo(TlsProvider.JDK);
        assertThat(tls.toString()).doesNotContain("secret");
        assertThat(ConfigWriter.toYaml(config)).doesNotContain("secret");
    }

    @Test
    void shouldWriteTheTlsSectionSoThatItReadsBackTheSame() throws ConfigException
    {
        // Given
        final ProxyConfig config = ConfigParser.parse("upstream:\n  bootstrapServers: [b:1]\nlistener:\n  tls:\n" +
            "    certificate: a.crt\n    privateKey: a.key\n    privateKeyPasswordFile: a.pass\n" +
            "    clientAuth: requested\n    trustedCertificates: ca.pem\n", "t.yaml");

        // When
        final ProxyConfig readBack = ConfigParser.parse(ConfigWriter.toYaml(config), "written.yaml");

        // Then
        assertThat(readBack).isEqualTo(config);
    }

    @Test
    void shouldReadAndWriteBackTheCrlFileOnlyWithATrustSource() throws ConfigException
    {
        // Given
        final String head = "upstream:\n  bootstrapServers: [b:1]\nlistener:\n  tls:\n    certificate: a.crt\n    privateKey: a.key\n";

        // When
        final ProxyConfig config = ConfigParser.parse(head + "    clientAuth: required\n    trustedCertificates: ca.pem\n" +
            "    crlFile: ca.crl\n", "t.yaml");

        // Then
        assertThat(config.listener().tls().crlFile()).isEqualTo(Path.of("ca.crl"));
        assertThat(ConfigParser.parse(ConfigWriter.toYaml(config), "written.yaml")).isEqualTo(config);
        assertThatThrownBy(() -> ConfigParser.parse(head + "    crlFile: ca.crl\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("listener.tls.crlFile: only with trustedCertificates or trustStore");
    }

    @Test
    void shouldRejectBadTlsSettingsNamingTheirPath()
    {
        // When / Then
        final String head = "upstream:\n  bootstrapServers: [b:1]\nlistener:\n  tls:\n";
        assertThatThrownBy(() -> ConfigParser.parse(head + "    certificate: a.crt\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("listener.tls.privateKey: required with certificate");
        assertThatThrownBy(() -> ConfigParser.parse(head + "    clientAuth: none\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("listener.tls.certificate: required (with privateKey), or give keyStore");
        assertThatThrownBy(() -> ConfigParser.parse(head + "    certificate: a.crt\n    privateKey: a.key\n    keyStore: {path: s.p12, password: p}\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("listener.tls.keyStore: give either certificate and privateKey, or keyStore");
        assertThatThrownBy(() -> ConfigParser.parse(head + "    certificate: a.crt\n    privateKey: a.key\n    clientAuth: required\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("listener.tls.trustedCertificates: required when clientAuth is required");
        assertThatThrownBy(() -> ConfigParser.parse(head + "    certificate: a.crt\n    privateKey: a.key\n    clientAuth: maybe\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("listener.tls.clientAuth: unknown value 'maybe'");
        assertThatThrownBy(() -> ConfigParser.parse(head + "    certificate: a.crt\n    privateKey: a.key\n    protocols: [TLSv1.1]\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("listener.tls.protocols: unsupported protocol 'TLSv1.1'");
        assertThatThrownBy(() -> ConfigParser.parse(head + "    certificate: a.crt\n    privateKey: a.key\n    provider: gnutls\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("listener.tls.provider: unknown value 'gnutls'");
        assertThatThrownBy(() -> ConfigParser.parse(head + "    certificate: a.crt\n    privateKey: a.key\n    principalMappingRules: 'RULE:oops'\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("listener.tls.principalMappingRules: ");
        assertThatThrownBy(() -> ConfigParser.parse(head + "    keyStore: {path: s.p12}\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("listener.tls.keyStore.password: required");
        assertThatThrownBy(() -> ConfigParser.parse(head + "    keyStore: {path: s.p12, password: p, type: PEM}\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("listener.tls.keyStore: unknown store type 'PEM'");
        assertThatThrownBy(() -> ConfigParser.parse(head + "    keyStore: {path: s.p12, password: p}\n    privateKeyPassword: x\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("listener.tls.privateKeyPassword: only with privateKey");
        assertThatThrownBy(() -> ConfigParser.parse(head + "    certificate: a.crt\n    privateKey: a.key\n    sertificate: b\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("listener.tls.sertificate: unknown key");
    }

    @Test
    void shouldReadTlsToTheBrokersWithItsDefaults() throws ConfigException
    {
        // When
        final ProxyConfig config = ConfigParser.parse("""
            upstream:
              bootstrapServers: [b:9093]
              tls:
                trustedCertificates: /etc/kafka-proxy/broker-ca.pem
                certificate: /etc/kafka-proxy/proxy.crt
                privateKey: /etc/kafka-proxy/proxy.key
                privateKeyPasswordFile: /etc/kafka-proxy/proxy.key.password
            """, "t.yaml");

        // Then
        final BrokerTlsConfig tls = config.upstream().tls();
        assertThat(tls.trustedCertificates()).isEqualTo(Path.of("/etc/kafka-proxy/broker-ca.pem"));
        assertThat(tls.hostnameVerification()).isTrue();
        assertThat(tls.certificate()).isEqualTo(Path.of("/etc/kafka-proxy/proxy.crt"));
        assertThat(tls.privateKeyPasswordFile()).isEqualTo(Path.of("/etc/kafka-proxy/proxy.key.password"));
        assertThat(tls.protocols()).containsExactly("TLSv1.3", "TLSv1.2");
        assertThat(tls.cipherSuites()).isEmpty();
        assertThat(tls.provider()).isEqualTo(TlsProvider.AUTO);
        assertThat(config.upstream().sasl()).isNull();
    }

    @Test
    void shouldReadTlsStoresToTheBrokersWithoutPrintingTheirPasswords() throws ConfigException
    {
        // When
        final ProxyConfig config = ConfigParser.parse("""
            upstream:
              bootstrapServers: [b:9093]
              tls:
                trustStore: {path: trust.jks, type: JKS, password: trust-secret}
                keyStore: {path: proxy.p12, password: store-secret, keyPassword: key-secret}
                hostnameVerification: false
                protocols: [TLSv1.2]
                cipherSuites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]
                provider: jdk
            """, "t.yaml");

        // Then
        final BrokerTlsConfig tls = config.upstream().tls();
        assertThat(tls.trustStore()).isEqualTo(new StoreConfig(Path.of("trust.jks"), StoreConfig.Type.JKS, "trust-secret", null));
        assertThat(tls.keyStore()).isEqualTo(new StoreConfig(Path.of("proxy.p12"), StoreConfig.Type.PKCS12, "store-secret", "key-secret"));
        assertThat(tls.hostnameVerification()).isFalse();
        assertThat(tls.protocols()).containsExactly("TLSv1.2");
        assertThat(tls.provider()).isEqualTo(TlsProvider.JDK);
        assertThat(tls.toString()).doesNotContain("secret");
        assertThat(ConfigWriter.toYaml(config)).doesNotContain("secret");
    }

    @Test
    void shouldRejectBadTlsToTheBrokersNamingThePath()
    {
        assertRejected("tls: {trustedCertificates: ca.pem, trustStore: {path: t.p12}}",
            "upstream.tls: trustedCertificates and trustStore are exclusive");
        assertRejected("tls: {certificate: proxy.crt}", "upstream.tls.privateKey: required with upstream.tls.certificate");
        assertRejected("tls: {privateKey: proxy.key}", "upstream.tls.certificate: required with upstream.tls.privateKey");
        assertRejected("tls: {certificate: c, privateKey: k, keyStore: {path: k.p12}}",
            "upstream.tls: keyStore and certificate/privateKey are exclusive");
        assertRejected("tls: {certificate: c, privateKey: k, privateKeyPassword: p, privateKeyPasswordFile: f}",
            "upstream.tls: privateKeyPassword and privateKeyPasswordFile are exclusive");
        assertRejected("tls: {privateKeyPassword: p}", "upstream.tls.privateKey: required with upstream.tls.privateKeyPassword");
        assertRejected("tls: {trustStore: {type: PKCS12}}", "upstream.tls.trustStore.path: required");
        assertRejected("tls: {trustStore: {path: t, type: PEM}}", "upstream.tls.trustStore: unknown store type 'PEM'");
        assertRejected("tls: {trustStore: {path: t, keyPassword: k}}", "upstream.tls.trustStore.keyPassword: a trust store holds no keys");
        assertRejected("tls: {keyStore: {path: k, type: BKS}}", "upstream.tls.keyStore: unknown store type 'BKS'");
        assertRejected("tls: {protocols: [SSLv3]}", "upstream.tls.protocols: unknown or unsafe protocol 'SSLv3'");
        assertRejected("tls: {protocols: []}", "upstream.tls.protocols: at least one");
        assertRejected("tls: {provider: boring}", "upstream.tls.provider: must be auto, openssl or jdk");
        assertRejected("tls: {trustedCertificate: ca.pem}", "trustedCertificate");
    }

    @Test
    void shouldReadTheProxysOwnLoginToTheBrokers() throws ConfigException
    {
        // When
        final ProxyConfig inline = ConfigParser.parse(
            "upstream:\n  bootstrapServers: [b:9093]\n  sasl: {mechanism: SCRAM-SHA-512, username: kafka-proxy, password: s3cret}\n", "t.yaml");
        final ProxyConfig fromFile = ConfigParser.parse(
            "upstream:\n  bootstrapServers: [b:9093]\n  sasl: {mechanism: PLAIN, username: kafka-proxy, passwordFile: /run/pw}\n", "t.yaml");

        // Then
        assertThat(inline.upstream().sasl()).isEqualTo(new BrokerSaslConfig(BrokerSaslMechanism.SCRAM_SHA_512, "kafka-proxy", "s3cret", null));
        assertThat(inline.upstream().sasl().toString()).doesNotContain("s3cret");
        assertThat(ConfigWriter.toYaml(inline)).doesNotContain("s3cret").contains("mechanism: SCRAM-SHA-512");
        assertThat(fromFile.upstream().sasl()).isEqualTo(new BrokerSaslConfig(BrokerSaslMechanism.PLAIN, "kafka-proxy", null, Path.of("/run/pw")));
    }

    @Test
    void shouldWriteTlsAndLoginToTheBrokersBackAsTheSameConfigurationWhenTheirSecretsAreInFiles() throws ConfigException
    {
        // Given
        final ProxyConfig config = ConfigParser.parse(String.join("\n",
            "upstream:",
            "  bootstrapServers: [b:9093]",
            "  tls:",
            "    trustStore: {path: /etc/kafka-proxy/trust.p12}",
            "    hostnameVerification: false",
            "    certificate: /etc/kafka-proxy/proxy.crt",
            "    privateKey: /etc/kafka-proxy/proxy.key",
            "    privateKeyPasswordFile: /etc/kafka-proxy/proxy.key.password",
            "    cipherSuites: [TLS_AES_128_GCM_SHA256]",
            "    provider: openssl",
            "  sasl: {mechanism: SCRAM-SHA-256, username: kafka-proxy, passwordFile: /etc/kafka-proxy/broker.password}",
            ""), "t.yaml");

        // When
        final String effective = ConfigWriter.toYaml(config);

        // Then
        assertThat(ConfigParser.parse(effective, "effective.yaml")).isEqualTo(config);
        assertThat(ConfigParser.check(effective, "effective.yaml")).isEmpty();
    }

    @Test
    void shouldRejectABadLoginToTheBrokersNamingThePath()
    {
        assertRejected("sasl: {username: u, password: p}", "upstream.sasl.mechanism: required");
        assertRejected("sasl: {mechanism: GSSAPI, username: u, password: p}", "upstream.sasl.mechanism: must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512");
        assertRejected("sasl: {mechanism: PLAIN, password: p}", "upstream.sasl.username: required");
        assertRejected("sasl: {mechanism: PLAIN, username: u}", "upstream.sasl: exactly one of password and passwordFile");
        assertRejected("sasl: {mechanism: PLAIN, username: u, password: p, passwordFile: f}",
            "upstream.sasl: exactly one of password and passwordFile");
    }

    private static void assertRejected(final String upstreamEntry, final String message)
    {
        assertThatThrownBy(() -> ConfigParser.parse("upstream:\n  bootstrapServers: [b:9093]\n  " + upstreamEntry + "\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining(message);
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

package io.kafkaproxy.proxy.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MirrorConfigTest
{
    private static final String UPSTREAM = "upstream:\n  bootstrapServers: [b:9092]\n";
    private static final String MIRROR = "mirror:\n  bootstrapServers: [shadow-1:9092]\n  topics: [orders, \"payments-*\"]\n";

    @Test
    void shouldReadTheMirrorSectionAndWriteItBack() throws Exception
    {
        // Given
        final String yaml = UPSTREAM + MIRROR + "  memory: 16MiB\n  acks: -1\n  requestTimeout: 3s\n";

        // When
        final ProxyConfig config = ConfigParser.parse(yaml, "t.yaml");

        // Then
        final MirrorConfig mirror = config.mirror();
        assertThat(mirror.bootstrapServers()).containsExactly(new HostPort("shadow-1", 9092));
        assertThat(mirror.topics()).containsExactly("orders", "payments-*");
        assertThat(mirror.memoryBytes()).isEqualTo(16L << 20);
        assertThat(mirror.acks()).isEqualTo((short)-1);
        assertThat(mirror.requestTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(ConfigParser.parse(ConfigWriter.toYaml(config), "written.yaml")).isEqualTo(config);
    }

    @Test
    void shouldDefaultTheSliceAcksAndTimeoutAndHaveNoMirrorWithoutTheSection() throws Exception
    {
        // When
        final ProxyConfig with = ConfigParser.parse(UPSTREAM + MIRROR, "t.yaml");
        final ProxyConfig without = ConfigParser.parse(UPSTREAM, "t.yaml");

        // Then
        assertThat(with.mirror().memoryBytes()).isEqualTo(MirrorConfig.DEFAULT_MEMORY_BYTES);
        assertThat(with.mirror().acks()).isEqualTo(MirrorConfig.DEFAULT_ACKS);
        assertThat(with.mirror().requestTimeout()).isEqualTo(MirrorConfig.DEFAULT_REQUEST_TIMEOUT);
        assertThat(without.mirror()).isNull();
    }

    @Test
    void shouldPassTheCheckOfAFileWithAMirrorSection()
    {
        // When / Then: the check reads the top-level mirror section as the parser does
        assertThat(ConfigParser.check(UPSTREAM + MIRROR, "t.yaml")).isEmpty();
        assertThat(ConfigParser.check(UPSTREAM + MIRROR + "  acks: 2\n", "t.yaml"))
            .singleElement().asString().contains("mirror.acks");
    }

    @Test
    void shouldRejectBadMirrorValuesNamingTheirPath()
    {
        assertThatThrownBy(() -> ConfigParser.parse(UPSTREAM + "mirror:\n  topics: [orders]\n", "t.yaml"))
            .hasMessageContaining("mirror.bootstrapServers");
        assertThatThrownBy(() -> ConfigParser.parse(UPSTREAM + "mirror:\n  bootstrapServers: [s:9092]\n", "t.yaml"))
            .hasMessageContaining("mirror.topics");
        assertThatThrownBy(() -> ConfigParser.parse(UPSTREAM + "mirror:\n  bootstrapServers: [s:9092]\n  topics: [\"a b\"]\n", "t.yaml"))
            .hasMessageContaining("mirror.topics[0]");
        assertThatThrownBy(() -> ConfigParser.parse(UPSTREAM + MIRROR + "  acks: 2\n", "t.yaml"))
            .hasMessageContaining("mirror.acks");
        assertThatThrownBy(() -> ConfigParser.parse(UPSTREAM + MIRROR + "  memory: lots\n", "t.yaml"))
            .hasMessageContaining("mirror.memory");
        assertThatThrownBy(() -> ConfigParser.parse(UPSTREAM + MIRROR + "  requestTimeout: 0s\n", "t.yaml"))
            .hasMessageContaining("mirror.requestTimeout");
    }

    @Test
    void shouldNameTheMirrorsOwnPathForABadTlsOrSaslValue()
    {
        // Given: the mirror's tls and sasl are the upstream's records, placed by the parser under mirror
        final String clusters = "clusters:\n  - name: east\n    upstream: {bootstrapServers: [b:9092]}\n" +
            "    listener: {bindAddress: 127.0.0.1:9092, nodePorts: {first: 9093, count: 10}}\n" +
            "    mirror:\n      bootstrapServers: [s:9092]\n      topics: [orders]\n";

        // When / Then
        assertThatThrownBy(() -> ConfigParser.parse(UPSTREAM + MIRROR + "  tls: {provider: nonsense}\n", "t.yaml"))
            .hasMessageContaining("mirror.tls.provider: must be auto, openssl or jdk: nonsense")
            .hasMessageNotContaining("upstream.tls");
        assertThatThrownBy(() -> ConfigParser.parse(UPSTREAM + MIRROR + "  tls: {certificate: /c.pem}\n", "t.yaml"))
            .hasMessageContaining("mirror.tls.privateKey: required with mirror.tls.certificate")
            .hasMessageNotContaining("upstream.tls");
        assertThatThrownBy(() -> ConfigParser.parse(UPSTREAM + MIRROR + "  sasl: {mechanism: PLAIN, password: p}\n", "t.yaml"))
            .hasMessageContaining("mirror.sasl.username: required")
            .hasMessageNotContaining("upstream.sasl");
        assertThatThrownBy(() -> ConfigParser.parse(clusters + "      sasl: {mechanism: GSSAPI, username: u, password: p}\n", "t.yaml"))
            .hasMessageContaining("clusters[0].mirror.sasl.mechanism: must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512: GSSAPI")
            .hasMessageNotContaining("upstream.sasl");
        assertThat(ConfigParser.check(UPSTREAM + MIRROR + "  tls: {provider: nonsense}\n", "t.yaml"))
            .anyMatch(error -> error.contains("mirror.tls.provider")).noneMatch(error -> error.contains("upstream.tls"));
    }

    @Test
    void shouldNameTheMirrorsPathForABadStoreOrPasswordInAClustersEntry()
    {
        // Given
        final String clusters = "clusters:\n  - name: east\n    upstream: {bootstrapServers: [b:9092]}\n" +
            "    listener: {bindAddress: 127.0.0.1:9092, nodePorts: {first: 9093, count: 10}}\n" +
            "    mirror:\n      bootstrapServers: [s:9092]\n      topics: [orders]\n";

        // When / Then
        assertThatThrownBy(() -> ConfigParser.parse(clusters + "      tls: {trustStore: {type: PKCS12}}\n", "t.yaml"))
            .hasMessage("t.yaml:8: clusters[0].mirror.tls.trustStore.path: required");
        assertThatThrownBy(() -> ConfigParser.parse(clusters + "      tls: {privateKey: k.pem, privateKeyPassword: p, " +
            "privateKeyPasswordFile: p.txt, certificate: c.pem}\n", "t.yaml"))
            .hasMessage("t.yaml:8: clusters[0].mirror.tls: privateKeyPassword and privateKeyPasswordFile are exclusive; set one");
        assertThatThrownBy(() -> ConfigParser.parse(UPSTREAM + MIRROR + "  sasl: {mechanism: PLAIN, username: u, password: p, " +
            "passwordFile: p.txt}\n", "t.yaml"))
            .hasMessage("t.yaml:6: mirror.sasl: exactly one of password and passwordFile is required");
    }

    @Test
    void shouldRejectASliceThatLeavesTheFramesTooLittleOfThePool()
    {
        // Given
        final MirrorConfig mirror = MirrorConfig.of(List.of(new HostPort("s", 9092)), null, null, List.of("t"), "511MiB", null, null);

        // When / Then
        assertThatThrownBy(() -> ProxyConfig.builder(BrokerClusterConfig.of(List.of(new HostPort("b", 9092)), null))
            .memory(MemoryConfig.of("512MiB", null, null, null))
            .mirror(mirror)
            .build())
            .hasMessageContaining("mirror.memory")
            .hasMessageContaining("memory.poolSizeBytes");
    }

    @Test
    void shouldParseTheCommentedMirrorExampleOfTheReferenceConfiguration() throws Exception
    {
        // Given: the reference file with its mirror example uncommented
        final StringBuilder yaml = new StringBuilder();
        boolean inMirror = false;
        for (final String line : Files.readAllLines(Path.of("..", "conf", "kafka-proxy.yaml")))
        {
            inMirror = line.equals("#mirror:") || inMirror && line.startsWith("#  ");
            yaml.append(inMirror ? line.substring(1) : line).append('\n');
        }

        // When
        final MirrorConfig mirror = ConfigParser.parse(yaml.toString(), "kafka-proxy.yaml").mirror();

        // Then
        assertThat(mirror.topics()).containsExactly("orders", "payments-*");
        assertThat(mirror.memoryBytes()).isEqualTo(32L << 20);
        assertThat(mirror.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void shouldRoundTheSliceUpToWholeChunks()
    {
        // Given
        final MirrorConfig mirror = MirrorConfig.of(List.of(new HostPort("s", 9092)), null, null, List.of("t"), "10000KiB", null, null);
        final MemoryConfig memory = MemoryConfig.of("512MiB", "1MiB", null, null);

        // When
        final long slice = ProxyConfig.mirrorSliceBytes(mirror, memory);

        // Then
        assertThat(slice).isEqualTo(10L << 20);
    }
}

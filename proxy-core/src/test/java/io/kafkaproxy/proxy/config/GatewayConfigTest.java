package io.kafkaproxy.proxy.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GatewayConfigTest
{
    private static final String UPSTREAM = "upstream:\n  bootstrapServers: [b:9092]\n";

    @Test
    void shouldReadGatewaySectionsAndWriteThemBack() throws Exception
    {
        // Given
        final String yaml = UPSTREAM +
            "http:\n  bindAddress: 127.0.0.1:8082\n  maxBodyBytes: 2MiB\n  auth:\n    usersFile: /etc/users.txt\n" +
            "mqtt:\n  bindAddress: 127.0.0.1:1883\n  maxPacketBytes: 64KiB\n" +
            "gateway:\n  producer:\n    linger: 20ms\n    compression: zstd\n    bufferMemory: 16MiB\n" +
            "  subscriptions:\n    replayRecordsPerPartition: 50\n";

        // When
        final ProxyConfig config = ConfigParser.parse(yaml, "t.yaml");

        // Then
        assertThat(config.http().bindAddress()).isEqualTo(new HostPort("127.0.0.1", 8082));
        assertThat(config.http().maxBodyBytes()).isEqualTo(2L << 20);
        assertThat(config.http().auth().allowAnonymous()).isFalse();
        assertThat(config.mqtt().maxPacketBytes()).isEqualTo(64 << 10);
        assertThat(config.mqtt().auth().allowAnonymous()).isTrue();
        assertThat(config.gateway().producer().linger()).isEqualTo(Duration.ofMillis(20));
        assertThat(config.gateway().producer().compression()).isEqualTo("zstd");
        assertThat(config.gateway().subscriptions().replayRecordsPerPartition()).isEqualTo(50);
        assertThat(ConfigParser.parse(ConfigWriter.toYaml(config), "written.yaml")).isEqualTo(config);
    }

    @Test
    void shouldDefaultToNoGatewayListeners() throws Exception
    {
        // When
        final ProxyConfig config = ConfigParser.parse(UPSTREAM, "t.yaml");

        // Then
        assertThat(config.http()).isNull();
        assertThat(config.mqtt()).isNull();
        assertThat(config.gateway().producer().bufferMemoryBytes()).isEqualTo(32L << 20);
    }

    @Test
    void shouldRejectBadGatewayValuesNamingTheirPath()
    {
        assertThatThrownBy(() -> ConfigParser.parse(UPSTREAM + "gateway:\n  producer:\n    compression: brotli\n", "t.yaml"))
            .hasMessageContaining("gateway.producer.compression");
        assertThatThrownBy(() -> ConfigParser.parse(UPSTREAM + "http:\n  maxBodyBytes: 1MiB\n", "t.yaml"))
            .hasMessageContaining("http.bindAddress");
        assertThatThrownBy(() -> ConfigParser.parse(UPSTREAM + "mqtt:\n  bindAddress: 127.0.0.1:1883\n  maxPacketBytes: 10B\n", "t.yaml"))
            .hasMessageContaining("mqtt.maxPacketBytes");
    }

    @Test
    void shouldTakeTheProducerBufferOutOfTheMemoryBudget()
    {
        assertThatThrownBy(() -> ConfigParser.parse(UPSTREAM + "memory:\n  poolSizeBytes: 64MiB\n" +
            "http:\n  bindAddress: 127.0.0.1:0\ngateway:\n  producer:\n    bufferMemory: 63MiB\n", "t.yaml"))
            .hasMessageContaining("gateway.producer.bufferMemory");
    }
}

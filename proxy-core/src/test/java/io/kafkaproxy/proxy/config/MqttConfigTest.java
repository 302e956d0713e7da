package io.kafkaproxy.proxy.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MqttConfigTest
{
    private static final String HEAD = "upstream:\n  bootstrapServers: [b:9092]\nmqtt:\n  bindAddress: 127.0.0.1:1883\n";

    @Test
    void shouldReadTheMappingsRetainedTopicAndLimits() throws ConfigException
    {
        // When
        final ProxyConfig config = ConfigParser.parse(HEAD +
            "  mappings:\n    - filter: devices/+/telemetry\n      topic: telemetry\n      key: level:1\n" +
            "    - {filter: '#', topic: everything}\n" +
            "  retainedTopic: mqtt-retained\n  keepAliveMax: 2m\n  sessionExpiry: 10m\n", "t.yaml");

        // Then
        final MqttConfig mqtt = config.mqtt();
        assertThat(mqtt.mappings()).containsExactly(
            new MqttMappingConfig("devices/+/telemetry", "telemetry", "level:1"),
            new MqttMappingConfig("#", "everything", "clientId"));
        assertThat(mqtt.retainedTopic()).isEqualTo("mqtt-retained");
        assertThat(mqtt.keepAliveMax()).isEqualTo(Duration.ofMinutes(2));
        assertThat(mqtt.sessionExpiry()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void shouldDefaultToNoMappingsNoRetainedTopicAndTheDocumentedLimits() throws ConfigException
    {
        // When
        final MqttConfig mqtt = ConfigParser.parse(HEAD, "t.yaml").mqtt();

        // Then
        assertThat(mqtt.mappings()).isEmpty();
        assertThat(mqtt.retainedTopic()).isNull();
        assertThat(mqtt.keepAliveMax()).isEqualTo(Duration.ofMinutes(5));
        assertThat(mqtt.sessionExpiry()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void shouldRefuseAnInvalidMappingNamingItsKey()
    {
        // When / Then
        assertThatThrownBy(() -> ConfigParser.parse(HEAD + "  mappings:\n    - {filter: 'a/#/b', topic: t}\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("mqtt.mappings.filter: not an MQTT topic filter");
    }

    @Test
    void shouldRefuseAnInvalidRetainedTopic()
    {
        // When / Then
        assertThatThrownBy(() -> ConfigParser.parse(HEAD + "  retainedTopic: 'a b'\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("mqtt.retainedTopic: not a Kafka topic name");
    }

    @Test
    void shouldRefuseAKeepAliveMaxBeyondWhatMqttCanCarry()
    {
        // When / Then
        assertThatThrownBy(() -> ConfigParser.parse(HEAD + "  keepAliveMax: 1d\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("mqtt.keepAliveMax: must be between 1s and 65535s");
    }

    @Test
    void shouldParseTheCommentedMqttExampleOfTheReferenceConfiguration() throws Exception
    {
        // Given: the reference file with its mqtt example uncommented
        final StringBuilder yaml = new StringBuilder();
        boolean inMqtt = false;
        for (final String line : Files.readAllLines(Path.of("..", "conf", "kafka-proxy.yaml")))
        {
            inMqtt = line.equals("#mqtt:") || inMqtt && line.startsWith("#  ");
            yaml.append(inMqtt ? line.substring(1) : line).append('\n');
        }

        // When
        final MqttConfig mqtt = ConfigParser.parse(yaml.toString(), "kafka-proxy.yaml").mqtt();

        // Then
        assertThat(mqtt.mappings()).containsExactly(new MqttMappingConfig("devices/+/telemetry", "telemetry", "level:1"));
        assertThat(mqtt.retainedTopic()).isEqualTo("mqtt-retained");
        assertThat(mqtt.auth().oauthbearer().audience()).isEqualTo("kafka-proxy");
    }
}

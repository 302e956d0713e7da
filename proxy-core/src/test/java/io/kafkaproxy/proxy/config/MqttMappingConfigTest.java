package io.kafkaproxy.proxy.config;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MqttMappingConfigTest
{
    @Test
    void shouldKeyByClientIdByDefault()
    {
        // When
        final MqttMappingConfig mapping = MqttMappingConfig.of("devices/+/telemetry", "telemetry", null);

        // Then
        assertThat(mapping.key()).isEqualTo("clientId");
        assertThat(mapping.keyLevel()).isEqualTo(-1);
    }

    @Test
    void shouldReadALevelKey()
    {
        // When
        final MqttMappingConfig mapping = MqttMappingConfig.of("devices/+/telemetry", "telemetry", "level:1");

        // Then
        assertThat(mapping.keyLevel()).isEqualTo(1);
    }

    @Test
    void shouldRefuseAnInvalidFilter()
    {
        // When / Then
        assertThatThrownBy(() -> MqttMappingConfig.of("devices/#/x", "t", null))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("mqtt.mappings.filter: not an MQTT topic filter");
    }

    @Test
    void shouldRefuseAnInvalidKafkaTopic()
    {
        // When / Then
        assertThatThrownBy(() -> MqttMappingConfig.of("a/b", "no/slashes", null))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("mqtt.mappings.topic: not a Kafka topic name");
    }

    @Test
    void shouldRefuseAnUnknownKeySource()
    {
        // When / Then
        assertThatThrownBy(() -> MqttMappingConfig.of("a/b", "t", "level:x"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("mqtt.mappings.key: expected clientId, none or level:N");
    }
}

package io.kafkaproxy.proxy.gateway.mqtt;

import io.kafkaproxy.proxy.config.MqttMappingConfig;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MqttTopicMappingTest
{
    private static final MqttTopicMapping MAPPING = MqttTopicMapping.compile(List.of(
        MqttMappingConfig.of("devices/+/telemetry", "telemetry", "level:1"),
        MqttMappingConfig.of("devices/#", "devices", "none"),
        MqttMappingConfig.of("alerts/+", "alerts", null)));

    @Test
    void shouldTakeTheFirstMatchingRule()
    {
        // When
        final MqttTopicMapping.Route route = MAPPING.route("devices/d1/telemetry");

        // Then
        assertThat(route.topic("devices/d1/telemetry")).isEqualTo("telemetry");
        assertThat(route.key("devices/d1/telemetry", "client-1")).isEqualTo(bytes("d1"));
    }

    @Test
    void shouldGiveNoKeyWhenTheRuleSaysNone()
    {
        // When
        final MqttTopicMapping.Route route = MAPPING.route("devices/d1/status");

        // Then
        assertThat(route.topic("devices/d1/status")).isEqualTo("devices");
        assertThat(route.key("devices/d1/status", "client-1")).isNull();
    }

    @Test
    void shouldKeyByClientIdByDefault()
    {
        // When
        final MqttTopicMapping.Route route = MAPPING.route("alerts/fire");

        // Then
        assertThat(route.topic("alerts/fire")).isEqualTo("alerts");
        assertThat(route.key("alerts/fire", "client-1")).isEqualTo(bytes("client-1"));
    }

    @Test
    void shouldReplaceSlashesByDotsWhenNoRuleMatches()
    {
        // When
        final MqttTopicMapping.Route route = MAPPING.route("home/kitchen/temperature");

        // Then
        assertThat(route.topic("home/kitchen/temperature")).isEqualTo("home.kitchen.temperature");
        assertThat(route.key("home/kitchen/temperature", "client-1")).isEqualTo(bytes("client-1"));
    }

    @Test
    void shouldGiveNoTopicWhenTheDefaultRuleMakesAnInvalidKafkaTopicName()
    {
        // When
        final MqttTopicMapping.Route route = MAPPING.route("home/kitchen temperature");

        // Then
        assertThat(route.topic("home/kitchen temperature")).isNull();
        assertThat(route.topic("x".repeat(250))).isNull();
        assertThat(route.topic("/")).isNull();
    }

    @Test
    void shouldGiveNoKeyWhenTheTopicHasFewerLevelsThanTheRuleNames()
    {
        // Given
        final MqttTopicMapping mapping = MqttTopicMapping.compile(List.of(MqttMappingConfig.of("a/#", "a", "level:3")));

        // When
        final MqttTopicMapping.Route route = mapping.route("a/b");

        // Then
        assertThat(route.key("a/b", "c")).isNull();
        assertThat(route.key("a/b/c/d/e", "c")).isEqualTo(bytes("d"));
    }

    @Test
    void shouldDeliverKafkaTopicsWithDotsAsSlashes()
    {
        // When / Then
        assertThat(MqttTopicMapping.mqttTopic("home.kitchen.temperature")).isEqualTo("home/kitchen/temperature");
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}

package io.kafkaproxy.proxy.gateway.mqtt;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MqttTopicFilterTest
{
    @ParameterizedTest
    @CsvSource({
        "a/b/c, a/b/c, true",
        "a/b/c, a/b, false",
        "a/b, a/b/c, false",
        "a/+/c, a/b/c, true",
        "a/+/c, a//c, true",
        "a/+/c, a/b/d, false",
        "a/+, a/, true",
        "a/+, a, false",
        "+, a, true",
        "+, a/b, false",
        "+/+, /a, true",
        "#, a/b/c, true",
        "a/#, a, true",
        "a/#, a/b/c, true",
        "a/#, ab, false",
        "a/b/#, a/b, true",
        "+/#, a, true",
        "#, $SYS/x, false",
        "+/x, $SYS/x, false",
        "$SYS/#, $SYS/x, true",
        "devices/+/telemetry, devices/d1/telemetry, true",
        "devices/+/telemetry, devices/d1/status, false",
    })
    void shouldMatchTopicsByTheRulesOfTheSpecification(final String filter, final String topic, final boolean expected)
    {
        // Given
        final MqttTopicFilter compiled = MqttTopicFilter.of(filter);

        // When
        final boolean matches = compiled.matches(topic);

        // Then
        assertThat(matches).as("%s matches %s", filter, topic).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/#/b", "a#", "a/b+", "+a", "##", "a\u0000b"})
    void shouldRefuseInvalidFilters(final String filter)
    {
        // When / Then
        assertThatThrownBy(() -> MqttTopicFilter.of(filter))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("invalid MQTT topic filter");
    }

    @Test
    void shouldRefuseWildcardsInTopicNames()
    {
        // When / Then
        assertThat(MqttTopicFilter.isValidTopicName("a/b")).isTrue();
        assertThat(MqttTopicFilter.isValidTopicName("a/+")).isFalse();
        assertThat(MqttTopicFilter.isValidTopicName("a/#")).isFalse();
        assertThat(MqttTopicFilter.isValidTopicName("")).isFalse();
    }
}

package io.kafkaproxy.proxy.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CircuitBreakerConfigTest
{
    private static final String HEAD = "upstream:\n  bootstrapServers: [b:9092]\n";

    @Test
    void shouldReadTheProbeInterval() throws ConfigException
    {
        // When
        final ProxyConfig config = ConfigParser.parse(HEAD + "circuitBreaker:\n  probeInterval: 250ms\n", "t.yaml");

        // Then
        assertThat(config.circuitBreaker().probeInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.circuitBreaker().probeIntervalNanos()).isEqualTo(Duration.ofMillis(250).toNanos());
    }

    @Test
    void shouldProbeEverySecondByDefault() throws ConfigException
    {
        // When
        final ProxyConfig config = ConfigParser.parse(HEAD, "t.yaml");

        // Then
        assertThat(config.circuitBreaker().probeInterval()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void shouldNeverProbeLessOftenThanTheOpenDuration()
    {
        // When
        final CircuitBreakerConfig config = new CircuitBreakerConfig(true, 3, Duration.ofMillis(500), Duration.ofSeconds(30));

        // Then
        assertThat(config.probeIntervalNanos()).isEqualTo(Duration.ofMillis(500).toNanos());
    }

    @Test
    void shouldRefuseANonPositiveProbeInterval()
    {
        // When / Then
        assertThatThrownBy(() -> ConfigParser.parse(HEAD + "circuitBreaker:\n  probeInterval: 0s\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessage("t.yaml:4: circuitBreaker.probeInterval: must be positive: PT0S");
    }
}

package io.kafkaproxy.proxy.routing;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SniHostNamesTest
{
    private final SniHostNames names = new SniHostNames("bootstrap.kafka.example.com", "broker-$(nodeId).kafka.example.com");

    @Test
    void shouldNameEachNodeFromThePattern()
    {
        // When / Then
        assertThat(names.nodeHost(0)).isEqualTo("broker-0.kafka.example.com");
        assertThat(names.nodeHost(2_000_000_000)).isEqualTo("broker-2000000000.kafka.example.com");
    }

    @Test
    void shouldRouteTheBootstrapHostAndEveryNodeHostWhateverTheirCase()
    {
        // When / Then
        assertThat(names.route("bootstrap.kafka.example.com")).isEqualTo(SniHostNames.BOOTSTRAP);
        assertThat(names.route("Bootstrap.Kafka.Example.COM")).isEqualTo(SniHostNames.BOOTSTRAP);
        assertThat(names.route("broker-0.kafka.example.com")).isZero();
        assertThat(names.route("BROKER-70000.kafka.example.com")).isEqualTo(70_000);
        assertThat(names.route("broker-2147483647.kafka.example.com")).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void shouldRefuseEveryOtherName()
    {
        // When / Then
        assertThat(names.route(null)).isEqualTo(SniHostNames.UNKNOWN);
        assertThat(names.route("kafka.example.com")).isEqualTo(SniHostNames.UNKNOWN);
        assertThat(names.route("broker-.kafka.example.com")).isEqualTo(SniHostNames.UNKNOWN);
        assertThat(names.route("broker-01.kafka.example.com")).isEqualTo(SniHostNames.UNKNOWN);
        assertThat(names.route("broker--1.kafka.example.com")).isEqualTo(SniHostNames.UNKNOWN);
        assertThat(names.route("broker-1x.kafka.example.com")).isEqualTo(SniHostNames.UNKNOWN);
        assertThat(names.route("broker-2147483648.kafka.example.com")).isEqualTo(SniHostNames.UNKNOWN);
        assertThat(names.route("broker-1.kafka.example.com.evil.org")).isEqualTo(SniHostNames.UNKNOWN);
    }

    @Test
    void shouldRefuseAPatternWithoutExactlyOnePlaceholder()
    {
        // When / Then
        assertThatThrownBy(() -> new SniHostNames("b", "broker.example.com"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exactly once");
        assertThatThrownBy(() -> new SniHostNames("b", "$(nodeId)-$(nodeId).example.com"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exactly once");
    }
}

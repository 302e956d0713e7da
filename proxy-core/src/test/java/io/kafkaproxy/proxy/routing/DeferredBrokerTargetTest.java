package io.kafkaproxy.proxy.routing;

import io.kafkaproxy.proxy.config.HostPort;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeferredBrokerTargetTest
{
    @Test
    void shouldHaveNoBrokerUntilChosen()
    {
        // Given
        final DeferredBrokerTarget target = new DeferredBrokerTarget();

        // When / Then
        assertThat(target.brokerAddress(0)).isNull();
        assertThat(target.route()).isEqualTo("unrouted");
        assertThat(target.isChosen()).isFalse();
    }

    @Test
    void shouldGoWhereTheChosenTargetGoesAndBeChosenOnce()
    {
        // Given
        final DeferredBrokerTarget target = new DeferredBrokerTarget();

        // When
        target.choose(new BootstrapTarget(List.of(new HostPort("kafka-1", 9092))));

        // Then
        assertThat(target.brokerAddress(0).getHostString()).isEqualTo("kafka-1");
        assertThat(target.brokerAddress(1)).isNull();
        assertThat(target.route()).isEqualTo("bootstrap");
        assertThatThrownBy(() -> target.choose(new BootstrapTarget(List.of(new HostPort("kafka-2", 9092)))))
            .isInstanceOf(IllegalStateException.class);
    }
}

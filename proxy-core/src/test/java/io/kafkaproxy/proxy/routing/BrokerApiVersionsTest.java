package io.kafkaproxy.proxy.routing;

import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BrokerApiVersionsTest
{
    private static final long THIRTY_SECONDS_NANOS = 30_000_000_000L;

    @Test
    void shouldLetOneCallerAskPerIntervalWhileTheVersionsAreUnknown()
    {
        // Given
        final BrokerApiVersions versions = new BrokerApiVersions();
        final long now = System.nanoTime();

        // When
        final boolean first = versions.tryDemand(now);
        final boolean second = versions.tryDemand(now + 1);
        final boolean later = versions.tryDemand(now + THIRTY_SECONDS_NANOS);

        // Then
        assertThat(first).isTrue();
        assertThat(second).isFalse();
        assertThat(later).isTrue();
    }

    @Test
    void shouldNeitherAskNorWaitOnceTheBrokersAnswered()
    {
        // Given
        final BrokerApiVersions versions = new BrokerApiVersions();
        final ApiVersionsResponseData answer = new ApiVersionsResponseData();

        // When
        versions.onLearnt(answer);

        // Then
        assertThat(versions.latest()).isSameAs(answer);
        assertThat(versions.tryDemand(System.nanoTime() + THIRTY_SECONDS_NANOS)).isFalse();
    }
}

package io.kafkaproxy.proxy.policy;

import io.kafkaproxy.proxy.metrics.PolicyMetrics.Quota;
import io.netty.buffer.ByteBuf;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class QuotaStageTest
{
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final short METADATA_VERSION = 12;
    private static final String QUOTAS = """
        quotas:
          - principal: alice
            requestsPerSecond: 10
          - principal: limited
            maxConnections: 1
        """;

    /** The simulated clock: every time below is an offset from it. */
    private final long start = 1_000 * SECOND;
    private final PolicyFixtures fixtures = new PolicyFixtures(QUOTAS);

    @AfterEach
    void tearDown()
    {
        fixtures.close();
    }

    @Test
    void shouldLetAPrincipalWithinItsRequestRateGoUnthrottled()
    {
        // Given
        final QuotaStage stage = connection("alice");

        // When
        chargeMetadataRequests(stage, 10, start);

        // Then
        assertThat(stage.throttleRemainingNanos(start)).isZero();
    }

    @Test
    void shouldThrottleAPrincipalOverItsRequestRateUntilTheClockCatchesUp()
    {
        // Given
        final QuotaStage stage = connection("alice");

        // When
        chargeMetadataRequests(stage, 11, start);

        // Then: one request over a burst of ten, at ten a second
        assertThat(stage.throttleRemainingNanos(start)).isEqualTo(SECOND / 10);
        assertThat(stage.throttleRemainingNanos(start + SECOND / 20)).isEqualTo(SECOND / 20);
        assertThat(stage.throttleRemainingNanos(start + SECOND / 10)).isZero();
        assertThat(fixtures.metrics.throttledSeconds(Quota.REQUEST)).isEqualTo(0.1);
    }

    @Test
    void shouldCarryTheThrottleInTheResponsesThrottleTime()
    {
        // Given
        final QuotaStage stage = connection("alice");
        chargeMetadataRequests(stage, 11, start);
        final ByteBuf response = PolicyFixtures.response(ApiKeys.METADATA, METADATA_VERSION, new MetadataResponseData().setThrottleTimeMs(0));

        // When
        stage.onResponse(response, ApiKeys.METADATA.id, METADATA_VERSION,
            PolicyFixtures.responseBodyOffset(ApiKeys.METADATA, METADATA_VERSION), start + SECOND / 20);

        // Then: the 50 ms left, not the broker's 0
        final MetadataResponseData answer =
            PolicyFixtures.readResponseBody(response, ApiKeys.METADATA, METADATA_VERSION, new MetadataResponseData());
        response.release();
        assertThat(answer.throttleTimeMs()).isEqualTo(50);
    }

    @Test
    void shouldRefuseAConnectionOverItsPrincipalsLimitUntilAnotherCloses()
    {
        // Given
        final QuotaStage first = new QuotaStage(fixtures.services, InetAddress.getLoopbackAddress());
        final QuotaStage second = new QuotaStage(fixtures.services, InetAddress.getLoopbackAddress());
        final QuotaStage third = new QuotaStage(fixtures.services, InetAddress.getLoopbackAddress());
        final boolean firstAccepted = first.onPrincipal("limited", start);

        // When
        final boolean secondAccepted = second.onPrincipal("limited", start);
        first.onClosed(start + SECOND);
        final boolean thirdAccepted = third.onPrincipal("limited", start + SECOND);

        // Then
        assertThat(firstAccepted).isTrue();
        assertThat(secondAccepted).isFalse();
        assertThat(thirdAccepted).isTrue();
        assertThat(fixtures.services.connectionLimiter().openConnections("limited")).isEqualTo(1);
    }

    private QuotaStage connection(final String principal)
    {
        final QuotaStage stage = new QuotaStage(fixtures.services, InetAddress.getLoopbackAddress());
        stage.onConnected(start);
        stage.onPrincipal(principal, start);
        return stage;
    }

    private void chargeMetadataRequests(final QuotaStage stage, final int count, final long nowNanos)
    {
        for (int i = 0; i < count; i++)
        {
            final ByteBuf frame = PolicyFixtures.request(ApiKeys.METADATA, METADATA_VERSION, "app", new MetadataRequestData().setTopics(List.of()));
            try
            {
                stage.chargeRequest(fixtures.decode(frame), nowNanos);
            }
            finally
            {
                frame.release();
            }
        }
    }
}

package io.kafkaproxy.proxy.connection;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class InFlightRequestsTest
{
    private final InFlightRequests inFlight = new InFlightRequests();

    @Test
    void shouldReturnRequestsInTheOrderTheyWereSentAcrossGrowth()
    {
        // Given: more requests than the initial capacity, with the ring already wrapped once
        for (int i = 0; i < 5; i++)
        {
            inFlight.addBrokerAnswered(i, (short)0, (short)0, 7L);
            inFlight.removeHead();
        }
        for (int i = 0; i < 100; i++)
        {
            inFlight.addBrokerAnswered(-i, (short)(i % 90), (short)(i % 17), 1000L + i);
        }

        // Then
        for (int i = 0; i < 100; i++)
        {
            assertThat(inFlight.headCorrelationId()).isEqualTo(-i);
            assertThat(inFlight.headApiKey()).isEqualTo((short)(i % 90));
            assertThat(inFlight.headApiVersion()).isEqualTo((short)(i % 17));
            assertThat(inFlight.headReadNanos()).isEqualTo(1000L + i);
            assertThat(inFlight.headIsLocallyAnswered()).isFalse();
            assertThat(inFlight.removeHead()).isNull();
        }
        assertThat(inFlight.isEmpty()).isTrue();
    }

    @Test
    void shouldHandOverALocalResponseWhenItReachesTheHead()
    {
        // Given
        final ByteBuf local = Unpooled.buffer(4);
        inFlight.addBrokerAnswered(1, (short)3, (short)12, 0L);
        inFlight.addLocallyAnswered(2, (short)18, (short)9, 0L, local);

        // When
        final ByteBuf first = inFlight.removeHead();

        // Then
        assertThat(first).isNull();
        assertThat(inFlight.headIsLocallyAnswered()).isTrue();
        assertThat(inFlight.headCorrelationId()).isEqualTo(2);
        assertThat(inFlight.removeHead()).isSameAs(local);
        local.release();
    }

    @Test
    void shouldReleaseUnsentLocalResponsesWhenCleared()
    {
        // Given
        final ByteBuf local = Unpooled.buffer(4);
        inFlight.addBrokerAnswered(1, (short)3, (short)12, 0L);
        inFlight.addLocallyAnswered(2, (short)18, (short)9, 0L, local);

        // When
        inFlight.clear();

        // Then
        assertThat(local.refCnt()).isZero();
        assertThat(inFlight.isEmpty()).isTrue();
    }
}

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
            inFlight.addBrokerAnswered(i, (short)0, (short)0, 7L, 0);
            inFlight.removeHead(8L);
        }
        for (int i = 0; i < 100; i++)
        {
            inFlight.addBrokerAnswered(-i, (short)(i % 90), (short)(i % 17), 1000L + i, 40_000 + i);
        }

        // Then
        for (int i = 0; i < 100; i++)
        {
            assertThat(inFlight.headCorrelationId()).isEqualTo(-i);
            assertThat(inFlight.headApiKey()).isEqualTo((short)(i % 90));
            assertThat(inFlight.headApiVersion()).isEqualTo((short)(i % 17));
            assertThat(inFlight.headReadNanos()).isEqualTo(1000L + i);
            assertThat(inFlight.headBrokerWaitMillis()).isEqualTo(40_000 + i);
            assertThat(inFlight.headIsLocallyAnswered()).isFalse();
            assertThat(inFlight.removeHead(0L)).isNull();
        }
        assertThat(inFlight.isEmpty()).isTrue();
    }

    @Test
    void shouldForgetThatTheHeadStreamsOnceItIsRemoved()
    {
        // Given: the head's response streaming, another request behind it
        inFlight.addBrokerAnswered(1, (short)1, (short)12, 0L, 500);
        inFlight.addBrokerAnswered(2, (short)1, (short)12, 0L, 500);
        inFlight.markHeadStreaming();
        final boolean streamingBefore = inFlight.headIsStreaming();

        // When
        inFlight.removeHead(1L);

        // Then
        assertThat(streamingBefore).isTrue();
        assertThat(inFlight.headIsStreaming()).isFalse();
    }

    @Test
    void shouldStartTheWaitOfAStreamingRequestAtItsLastByte()
    {
        // Given: an older request, then one entered at its head while it still streams to the broker
        inFlight.addBrokerAnswered(1, (short)0, (short)9, 10L, 0);
        inFlight.addBrokerAnswered(2, (short)0, (short)9, 20L, 0);
        inFlight.markTailArriving();
        final boolean arrivingBehindAnother = inFlight.headIsArriving();
        inFlight.removeHead(30L);
        final boolean arrivingAtTheHead = inFlight.headIsArriving();

        // When: its last byte goes
        inFlight.tailArrived(40L);

        // Then: only the head's own arrival counts, and its read time is its end
        assertThat(arrivingBehindAnother).isFalse();
        assertThat(arrivingAtTheHead).isTrue();
        assertThat(inFlight.headIsArriving()).isFalse();
        assertThat(inFlight.headReadNanos()).isEqualTo(40L);
        assertThat(inFlight.headCorrelationId()).isEqualTo(2);
    }

    @Test
    void shouldHandOverALocalResponseWhenItReachesTheHead()
    {
        // Given
        final ByteBuf local = Unpooled.buffer(4);
        inFlight.addBrokerAnswered(1, (short)3, (short)12, 0L, 0);
        inFlight.addLocallyAnswered(2, (short)18, (short)9, 0L, local);

        // When
        final ByteBuf first = inFlight.removeHead(1L);

        // Then
        assertThat(first).isNull();
        assertThat(inFlight.headIsLocallyAnswered()).isTrue();
        assertThat(inFlight.headCorrelationId()).isEqualTo(2);
        assertThat(inFlight.removeHead(1L)).isSameAs(local);
        local.release();
    }

    @Test
    void shouldStartTheHeadsWaitWhenTheRequestBeforeItWasAnswered()
    {
        // Given: a long Fetch read at 1000, a Metadata request read behind it at 2000
        inFlight.addBrokerAnswered(1, (short)1, (short)11, 1000L, 40_000);
        inFlight.addBrokerAnswered(2, (short)3, (short)12, 2000L, 0);
        final long fetchWaitStart = inFlight.headWaitStartNanos();

        // When: the Fetch is answered at 9000
        inFlight.removeHead(9000L);

        // Then: the broker only started on the Metadata request once it had answered the Fetch
        assertThat(fetchWaitStart).isEqualTo(1000L);
        assertThat(inFlight.headWaitStartNanos()).isEqualTo(9000L);
        assertThat(inFlight.headBrokerWaitMillis()).isZero();
    }

    @Test
    void shouldStartTheHeadsWaitWhenItWasReadIfThatCameAfterTheLastAnswer()
    {
        // Given
        inFlight.addBrokerAnswered(1, (short)3, (short)12, 1000L, 0);
        inFlight.removeHead(1500L);

        // When
        inFlight.addBrokerAnswered(2, (short)3, (short)12, 2000L, 0);

        // Then
        assertThat(inFlight.headWaitStartNanos()).isEqualTo(2000L);
    }

    @Test
    void shouldReleaseUnsentLocalResponsesWhenCleared()
    {
        // Given
        final ByteBuf local = Unpooled.buffer(4);
        inFlight.addBrokerAnswered(1, (short)3, (short)12, 0L, 0);
        inFlight.addLocallyAnswered(2, (short)18, (short)9, 0L, local);

        // When
        inFlight.clear();

        // Then
        assertThat(local.refCnt()).isZero();
        assertThat(inFlight.isEmpty()).isTrue();
    }
}

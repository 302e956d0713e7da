package io.kafkaproxy.proxy.gateway.stream;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FeedSubscriptionTest
{
    private static final int RECORD_BYTES = 100;

    private final List<FeedCloseReason> ended = new ArrayList<>();
    private final ChannelSubscriber subscriber = new ChannelSubscriber();
    private final FeedSubscription subscription = new FeedSubscription(subscriber, 1000, (s, reason) -> ended.add(reason));

    @AfterEach
    void closeChannel()
    {
        subscriber.channel.finishAndReleaseAll();
    }

    @Test
    void shouldStartAtTheGivenPositionsReplayAndThenTakeLiveRecords()
    {
        // When
        subscription.start(new long[] {5, 7}, null, List.of(record(0, 5)));
        subscription.deliverLive(List.of(record(0, 6), record(1, 7)));

        // Then
        assertThat(subscriber.started).isTrue();
        assertThat(subscriber.offsets).containsExactly("0:5", "0:6", "1:7");
        assertThat(subscription.appendPositions(new StringBuilder()).toString()).isEqualTo("0:7,1:8");
        assertThat(subscriber.flushes).isEqualTo(2);
    }

    @Test
    void shouldDropRecordsBeforeItsPositionSoAnOverlapIsNotRepeated()
    {
        // Given
        subscription.start(new long[] {0}, null, List.of(record(0, 0), record(0, 1)));

        // When
        subscription.deliverLive(List.of(record(0, 1), record(0, 2)));

        // Then
        assertThat(subscriber.offsets).containsExactly("0:0", "0:1", "0:2");
    }

    @Test
    void shouldTakeAPartitionFromItsCatchUpReaderUntilTheHandOverAndFromTheFeedAfter()
    {
        // Given: partition 0 starts at 2, before the window; the feed already delivers 10 and 11.
        final BitSet catchUp = new BitSet();
        catchUp.set(0);
        subscription.start(new long[] {2}, catchUp, List.of());

        // When
        subscription.deliverLive(List.of(record(0, 10)));
        subscription.deliverPrivate(List.of(record(0, 2), record(0, 3)));
        subscription.deliverLive(List.of(record(0, 11)));
        subscription.handOver(0, List.of(record(0, 3), record(0, 10), record(0, 11)));
        subscription.deliverLive(List.of(record(0, 12)));

        // Then
        assertThat(subscriber.offsets).containsExactly("0:2", "0:3", "0:10", "0:11", "0:12");
    }

    @Test
    void shouldDropASubscriberWhoseBacklogStaysAboveTheLimitAfterAFlush()
    {
        // Given: the peer reads nothing, so every record stays in the channel.
        subscriber.peerReads = false;
        subscription.start(new long[] {0}, null, List.of());

        // When
        subscription.deliverLive(List.of(record(0, 0), record(0, 1), record(0, 2), record(0, 3), record(0, 4),
            record(0, 5), record(0, 6), record(0, 7), record(0, 8), record(0, 9), record(0, 10), record(0, 11)));

        // Then: written until the channel held more than 1000 bytes (records plus Netty's per-entry overhead), no more.
        assertThat(subscriber.offsets).hasSizeBetween(1000 / (2 * RECORD_BYTES), 1000 / RECORD_BYTES + 1);
        assertThat(subscriber.backlogBytes()).isGreaterThan(1000).isLessThan(1000 + 2 * RECORD_BYTES + 100);
        assertThat(subscriber.closed).containsExactly(FeedCloseReason.SLOW);
        assertThat(ended).containsExactly(FeedCloseReason.SLOW);
        assertThat(subscription.isCancelled()).isTrue();
    }

    @Test
    void shouldKeepASubscriberWhoseFlushDrainsTheBacklog()
    {
        // Given
        subscription.start(new long[] {0}, null, List.of());
        final List<FeedRecord> batch = new ArrayList<>();
        for (int offset = 0; offset < 50; offset++)
        {
            batch.add(record(0, offset));
        }

        // When
        subscription.deliverLive(batch);

        // Then
        assertThat(subscriber.offsets).hasSize(50);
        assertThat(subscriber.closed).isEmpty();
        assertThat(subscriber.flushes).isGreaterThan(1);
    }

    @Test
    void shouldCallNothingAfterItIsCancelled()
    {
        // Given
        subscription.start(new long[] {0}, null, List.of());

        // When
        subscription.cancel();
        subscription.deliverLive(List.of(record(0, 0)));

        // Then
        assertThat(subscriber.offsets).isEmpty();
        assertThat(subscriber.closed).isEmpty();
        assertThat(ended).containsExactly((FeedCloseReason) null);
    }

    @Test
    void shouldRefuseBeforeTheStartWithTheReason()
    {
        // When
        subscription.close(FeedCloseReason.UNKNOWN_TOPIC);
        final boolean started = subscription.start(new long[] {0}, null, List.of());

        // Then
        assertThat(started).isFalse();
        assertThat(subscriber.started).isFalse();
        assertThat(subscriber.closed).containsExactly(FeedCloseReason.UNKNOWN_TOPIC);
    }

    @Test
    void shouldTakeRecordsOfAPartitionItDidNotKnowAtItsStart()
    {
        // Given
        subscription.start(new long[] {3}, null, List.of());

        // When
        subscription.deliverLive(List.of(record(2, 0)));

        // Then
        assertThat(subscriber.offsets).containsExactly("2:0");
        assertThat(subscription.positions()).containsEntry(0, 3L).containsEntry(2, 1L).doesNotContainKey(1);
    }

    private static FeedRecord record(final int partition, final long offset)
    {
        return new FeedRecord("t", partition, offset, 0, null, new byte[RECORD_BYTES], new RecordHeaders());
    }

    private static final class ChannelSubscriber implements FeedSubscriber
    {
        private final List<String> offsets = new ArrayList<>();
        private final List<FeedCloseReason> closed = new ArrayList<>();
        private boolean peerReads = true;
        private boolean started;
        private int flushes;
        private final EmbeddedChannel channel = new EmbeddedChannel(new ChannelOutboundHandlerAdapter()
        {
            @Override
            public void flush(final ChannelHandlerContext ctx)
            {
                if (peerReads)
                {
                    ctx.flush();
                }
            }
        });

        @Override
        public EventLoop eventLoop()
        {
            return channel.eventLoop();
        }

        @Override
        public void onStart(final FeedSubscription subscription)
        {
            started = true;
        }

        @Override
        public void onRecord(final FeedRecord record, final FeedSubscription subscription)
        {
            offsets.add(record.partition() + ":" + record.offset());
            channel.write(Unpooled.wrappedBuffer(record.value()));
        }

        @Override
        public void onFlush()
        {
            flushes++;
            channel.flush();
            ByteBuf written;
            while ((written = channel.readOutbound()) != null)
            {
                ReferenceCountUtil.release(written);
            }
        }

        @Override
        public long backlogBytes()
        {
            return FeedSubscriber.channelBacklogBytes(channel);
        }

        @Override
        public void onClosed(final FeedCloseReason reason)
        {
            closed.add(reason);
        }
    }
}

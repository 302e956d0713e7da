package io.kafkaproxy.proxy.gateway.stream;

import io.netty.channel.EventLoop;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A private reader for one subscription that starts before a feed's window: it reads the older records of those
 * partitions with a consumer of its own and, partition by partition, hands the subscription over to the shared feed
 * once it reaches the window ({@link TopicFeed#handOver}), then stops.
 *
 * <p>It reads one batch at a time and waits until the subscriber's event loop took it, so it holds one batch at most;
 * a subscriber too slow for it is dropped by the slow-subscriber rule like any other. Runs on a reader thread.
 */
final class CatchUpReader implements Runnable
{
    private static final Logger LOGGER = LoggerFactory.getLogger(CatchUpReader.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
    private static final long WAIT_STEP_MILLIS = 100;

    private final TopicFeed feed;
    private final TopicFeeds owner;
    private final FeedSubscription subscription;
    private final long[] startPositions;
    private final BitSet partitions;

    CatchUpReader(
        final TopicFeed feed,
        final TopicFeeds owner,
        final FeedSubscription subscription,
        final long[] startPositions,
        final BitSet partitions)
    {
        this.feed = feed;
        this.owner = owner;
        this.subscription = subscription;
        this.startPositions = startPositions;
        this.partitions = (BitSet) partitions.clone();
    }

    @Override
    public void run()
    {
        final Map<Integer, TopicPartition> remaining = new HashMap<>();
        partitions.stream().forEach(partition -> remaining.put(partition, new TopicPartition(feed.topic(), partition)));
        try (KafkaConsumer<byte[], byte[]> consumer = owner.newConsumer("kafka-proxy-catch-up-" + feed.topic(), null, "earliest"))
        {
            consumer.assign(List.copyOf(remaining.values()));
            for (final TopicPartition partition : remaining.values())
            {
                consumer.seek(partition, startPositions[partition.partition()]);
            }
            while (!remaining.isEmpty() && !gone())
            {
                if (handOverReached(consumer, remaining))
                {
                    if (remaining.isEmpty())
                    {
                        break;
                    }
                    consumer.assign(List.copyOf(remaining.values()));
                }
                final ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL_TIMEOUT);
                if (!records.isEmpty())
                {
                    deliver(records);
                }
            }
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        catch (final RuntimeException e)
        {
            LOGGER.atWarn().addKeyValue("topic", feed.topic()).addKeyValue("error", e.toString()).log("catch-up read failed");
            final EventLoop eventLoop = subscription.subscriber().eventLoop();
            eventLoop.execute(() -> subscription.close(FeedCloseReason.FAILED));
        }
    }

    private boolean gone()
    {
        return subscription.isCancelled() || feed.isStopping();
    }

    private boolean handOverReached(final KafkaConsumer<byte[], byte[]> consumer, final Map<Integer, TopicPartition> remaining)
        throws InterruptedException
    {
        boolean handedOver = false;
        for (final TopicPartition partition : List.copyOf(remaining.values()))
        {
            final long position = consumer.position(partition);
            if (position >= feed.publishedStart(partition.partition())
                && await(feed.handOver(subscription, partition.partition(), position)) == Boolean.TRUE)
            {
                remaining.remove(partition.partition());
                handedOver = true;
            }
        }
        return handedOver;
    }

    private void deliver(final ConsumerRecords<byte[], byte[]> records) throws InterruptedException
    {
        final List<FeedRecord> batch = new ArrayList<>(records.count());
        for (final ConsumerRecord<byte[], byte[]> record : records)
        {
            batch.add(new FeedRecord(feed.topic(), record.partition(), record.offset(), record.timestamp(),
                record.key(), record.value(), record.headers()));
        }
        final CompletableFuture<Boolean> taken = new CompletableFuture<>();
        subscription.subscriber().eventLoop().execute(() ->
        {
            subscription.deliverPrivate(batch);
            taken.complete(Boolean.TRUE);
        });
        await(taken);
    }

    private <T> T await(final CompletableFuture<T> future) throws InterruptedException
    {
        while (!gone())
        {
            try
            {
                return future.get(WAIT_STEP_MILLIS, TimeUnit.MILLISECONDS);
            }
            catch (final TimeoutException e)
            {
                // Not yet: look again whether the subscription is still there.
            }
            catch (final ExecutionException e)
            {
                throw new IllegalStateException("catch-up step failed: topic=" + feed.topic(), e.getCause());
            }
        }
        return null;
    }
}

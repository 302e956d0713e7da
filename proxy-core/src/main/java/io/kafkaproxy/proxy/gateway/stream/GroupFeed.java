package io.kafkaproxy.proxy.gateway.stream;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A consumer-group subscription: a {@link KafkaConsumer} of its own in that group (group semantics cannot be
 * shared), on a reader thread, that commits the offsets its subscriber took.
 *
 * <p>It reads one batch at a time and waits until the subscriber's event loop took it before committing and reading
 * on, so it holds one batch at most, and a subscriber that disconnects resumes in its group where it stopped.
 */
final class GroupFeed implements Runnable, FeedSubscription.Owner
{
    private static final Logger LOGGER = LoggerFactory.getLogger(GroupFeed.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
    private static final long WAIT_STEP_MILLIS = 100;

    private final String topic;
    private final String group;
    private final String offsetReset;
    private final TopicFeeds owner;
    private final FeedSubscription subscription;
    private volatile boolean stopping;
    private volatile KafkaConsumer<byte[], byte[]> consumer;

    GroupFeed(final String topic, final String group, final FeedStart resetTo, final TopicFeeds owner, final FeedSettings settings,
        final FeedSubscriber subscriber)
    {
        if (resetTo instanceof FeedStart.Offsets)
        {
            throw new IllegalArgumentException("a group subscription starts at its group's offsets: resetTo must be latest or earliest");
        }
        this.topic = topic;
        this.group = group;
        this.offsetReset = resetTo instanceof FeedStart.Earliest ? "earliest" : "latest";
        this.owner = owner;
        this.subscription = new FeedSubscription(subscriber, settings.subscriberBufferBytes(), this);
    }

    FeedSubscription subscription()
    {
        return subscription;
    }

    /**
     * Asks to stop; any thread.
     */
    void stop()
    {
        stopping = true;
        final KafkaConsumer<byte[], byte[]> current = consumer;
        if (current != null)
        {
            current.wakeup();
        }
    }

    @Override
    public void onEnded(final FeedSubscription ended, final FeedCloseReason reason)
    {
        owner.onGroupEnded(this, reason);
        stop();
    }

    @Override
    public void run()
    {
        try (KafkaConsumer<byte[], byte[]> groupConsumer = owner.newConsumer("kafka-proxy-group-" + group, group, offsetReset))
        {
            consumer = groupConsumer;
            if (stopping || subscription.isCancelled())
            {
                return;
            }
            if (groupConsumer.partitionsFor(topic).isEmpty())
            {
                subscription.subscriber().eventLoop().execute(() -> subscription.close(FeedCloseReason.UNKNOWN_TOPIC));
                return;
            }
            groupConsumer.subscribe(List.of(topic));
            subscription.subscriber().eventLoop().execute(() -> subscription.start(new long[0], null, List.of()));
            while (!gone())
            {
                final ConsumerRecords<byte[], byte[]> records = groupConsumer.poll(POLL_TIMEOUT);
                if (!records.isEmpty())
                {
                    final Map<TopicPartition, OffsetAndMetadata> taken = deliver(records);
                    if (taken != null && !taken.isEmpty())
                    {
                        groupConsumer.commitSync(taken);
                    }
                }
            }
        }
        catch (final WakeupException e)
        {
            // Stopped while polling or committing: the subscriber is gone or the proxy stops.
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        catch (final RuntimeException e)
        {
            LOGGER.atWarn().addKeyValue("topic", topic).addKeyValue("group", group).addKeyValue("error", e.toString())
                .log("group subscription failed");
            subscription.subscriber().eventLoop().execute(() -> subscription.close(FeedCloseReason.FAILED));
        }
    }

    private boolean gone()
    {
        return stopping || subscription.isCancelled();
    }

    private Map<TopicPartition, OffsetAndMetadata> deliver(final ConsumerRecords<byte[], byte[]> records)
        throws InterruptedException
    {
        final List<FeedRecord> batch = new ArrayList<>(records.count());
        for (final ConsumerRecord<byte[], byte[]> record : records)
        {
            batch.add(new FeedRecord(topic, record.partition(), record.offset(), record.timestamp(), record.key(),
                record.value(), record.headers()));
        }
        final CompletableFuture<Map<TopicPartition, OffsetAndMetadata>> taken = new CompletableFuture<>();
        subscription.subscriber().eventLoop().execute(() ->
        {
            subscription.deliverPrivate(batch);
            // What the subscriber took, even if it was dropped half way: the next member resumes right after it.
            final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            for (final TopicPartition partition : records.partitions())
            {
                final Long next = subscription.positions().get(partition.partition());
                if (next != null)
                {
                    offsets.put(partition, new OffsetAndMetadata(next));
                }
            }
            taken.complete(offsets);
        });
        while (true)
        {
            try
            {
                return taken.get(WAIT_STEP_MILLIS, TimeUnit.MILLISECONDS);
            }
            catch (final TimeoutException e)
            {
                if (stopping)
                {
                    return null;
                }
            }
            catch (final ExecutionException e)
            {
                throw new IllegalStateException("group delivery failed: topic=" + topic + ", group=" + group, e.getCause());
            }
        }
    }
}

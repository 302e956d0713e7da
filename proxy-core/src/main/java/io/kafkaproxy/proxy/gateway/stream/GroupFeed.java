package io.kafkaproxy.proxy.gateway.stream;

import org.apache.kafka.clients.consumer.CloseOptions;
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
 *
 * <p>When the cluster switches upstream ({@link #restart}) the reader drops its consumer without leaving the group or
 * committing on the upstream left, and joins the group again with a consumer of the now-active upstream: it resumes
 * where the group's offsets there say (the operator's offset sync), or at {@code resetTo} if the group has none. The
 * subscriber stays connected.
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
    private static final CloseOptions LEFT_UPSTREAM = CloseOptions.groupMembershipOperation(
        CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP).withTimeout(Duration.ZERO);

    private volatile boolean stopping;
    private volatile boolean restarting;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    // The reader thread's: whether the subscriber was told of its start (once, whatever the consumers after a switch).
    private boolean started;

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

    /**
     * Asks the reader to go on with a consumer of the now-active upstream; any thread.
     */
    void restart()
    {
        restarting = true;
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
        try
        {
            while (!gone())
            {
                restarting = false;
                final KafkaConsumer<byte[], byte[]> groupConsumer = owner.newConsumer("kafka-proxy-group-" + group, group, offsetReset);
                consumer = groupConsumer;
                try
                {
                    if (!restarting && !read(groupConsumer))
                    {
                        return;
                    }
                }
                catch (final WakeupException e)
                {
                    if (!restarting)
                    {
                        // Stopped while polling or committing: the subscriber is gone or the proxy stops.
                        return;
                    }
                }
                finally
                {
                    // After a switch: no LeaveGroup nor commit reaches the upstream left.
                    if (restarting)
                    {
                        groupConsumer.close(LEFT_UPSTREAM);
                    }
                    else
                    {
                        groupConsumer.close();
                    }
                }
                if (restarting)
                {
                    LOGGER.atDebug().addKeyValue("topic", topic).addKeyValue("group", group)
                        .log("group subscription rejoins on the now-active upstream");
                }
            }
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        catch (final RuntimeException e)
        {
            LOGGER.atWarn().addKeyValue("topic", topic).addKeyValue("group", group).addKeyValue("error", e.toString())
                .log("group subscription failed");
            subscription.post(() -> subscription.close(FeedCloseReason.FAILED));
        }
    }

    /**
     * Reads with one consumer until the subscriber is gone (false) or the cluster switched upstream (true).
     */
    private boolean read(final KafkaConsumer<byte[], byte[]> groupConsumer) throws InterruptedException
    {
        if (gone())
        {
            return false;
        }
        if (groupConsumer.partitionsFor(topic).isEmpty())
        {
            subscription.post(() -> subscription.close(FeedCloseReason.UNKNOWN_TOPIC));
            return false;
        }
        groupConsumer.subscribe(List.of(topic));
        if (!started)
        {
            if (!subscription.post(() -> subscription.start(new long[0], null, List.of())))
            {
                return false;
            }
            started = true;
        }
        else if (!subscription.post(subscription::forgetPositions))
        {
            // After a switch: the subscription would take the new upstream's offsets below its old ones for repeats.
            return false;
        }
        while (!gone())
        {
            final ConsumerRecords<byte[], byte[]> records = groupConsumer.poll(POLL_TIMEOUT);
            if (!records.isEmpty())
            {
                final Map<TopicPartition, OffsetAndMetadata> taken = deliver(records);
                if (restarting)
                {
                    // What the subscriber took is not committed on the upstream left: it may come again on the new one.
                    return true;
                }
                if (taken != null && !taken.isEmpty())
                {
                    groupConsumer.commitSync(taken);
                }
            }
            if (restarting)
            {
                return true;
            }
        }
        return false;
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
        final boolean posted = subscription.post(() ->
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
        if (!posted)
        {
            stopping = true;
            return null;
        }
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

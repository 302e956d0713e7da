package io.kafkaproxy.proxy.gateway.stream;

import io.netty.channel.EventLoop;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The shared reader of one topic: one thread, one {@link KafkaConsumer} assigned to every partition (no group),
 * a {@link ReplayWindow}, and the subscribers grouped by event loop.
 *
 * <pre>
 *  subscribe ──► commands ──► feed thread: poll ─► window ─► one task per event loop ─► each subscriber there
 *                                 │                                       ▲
 *                                 └─► catch-up reader (offsets older than the window) ─┘ hands over at the window
 * </pre>
 *
 * <p>A subscriber joins through a command the feed's thread runs between two polls: its start positions and the
 * window's records after them go to its event loop in one task, and every later batch follows on the same loop, so
 * nothing is missed and nothing repeats. Everything but the command queue, the published window starts and the
 * subscriber count (guarded by {@link TopicFeeds}) is confined to the feed's thread.
 */
final class TopicFeed implements Runnable, FeedSubscription.Owner
{
    private static final Logger LOGGER = LoggerFactory.getLogger(TopicFeed.class);
    // Joins run between polls: a short poll keeps a new subscriber's wait short. Waking the consumer instead would
    // throw WakeupException into whichever consumer call comes next, a join's offsets lookup included.
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(20);
    private static final long MIN_LOOP_LAG_BYTES = 4L * 1024 * 1024;

    private final String topic;
    private final TopicFeeds owner;
    private final FeedSettings settings;
    private final long maxLoopLagBytes;
    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final ReplayWindow window;
    private final Map<EventLoop, LoopFanOut> loops = new IdentityHashMap<>();
    private final Map<FeedSubscription, LoopFanOut> members = new IdentityHashMap<>();
    private final Map<Integer, TopicPartition> partitions = new HashMap<>();
    private KafkaConsumer<byte[], byte[]> consumer;
    private long nextRefreshNanos;
    private long idleSinceNanos;
    private FeedCloseReason closeReason;
    // The window's first offset per partition, republished after each poll for catch-up readers (a stale copy is
    // lower, so a reader asks for the handover too early at worst, and is told to read on).
    private volatile long[] published = new long[0];
    private volatile boolean stopping;
    private volatile FeedCloseReason stopReason = FeedCloseReason.SHUTDOWN;
    // Guarded by the TopicFeeds that owns this feed.
    private int subscriberCount;
    private boolean retired;

    TopicFeed(final String topic, final TopicFeeds owner, final FeedSettings settings)
    {
        this.topic = topic;
        this.owner = owner;
        this.settings = settings;
        this.window = new ReplayWindow(settings.replayRecordsPerPartition(), settings.replayBytesPerPartition());
        this.maxLoopLagBytes = Math.max(MIN_LOOP_LAG_BYTES, 4 * settings.subscriberBufferBytes());
    }

    String topic()
    {
        return topic;
    }

    // Guarded by owner.
    int subscriberCount()
    {
        return subscriberCount;
    }

    // Guarded by owner.
    void subscriberCount(final int count)
    {
        subscriberCount = count;
    }

    // Guarded by owner.
    boolean retired()
    {
        return retired;
    }

    // Guarded by owner.
    void retire()
    {
        retired = true;
    }

    /**
     * Joins a subscription; any thread. The subscriber count was raised by the owner.
     *
     * @param subscription the subscription.
     * @param start        where it starts.
     */
    void add(final FeedSubscription subscription, final FeedStart start)
    {
        commands.add(() -> join(subscription, start));
    }

    /**
     * Asks to stop; any thread. Subscribers are closed with {@link FeedCloseReason#SHUTDOWN}.
     */
    void stop()
    {
        stop(FeedCloseReason.SHUTDOWN);
    }

    /**
     * Asks to stop, its subscribers closed for a reason; any thread.
     *
     * @param reason why: {@link FeedCloseReason#SHUTDOWN} or {@link FeedCloseReason#UPSTREAM_SWITCHED}.
     */
    void stop(final FeedCloseReason reason)
    {
        stopReason = reason;
        stopping = true;
    }

    /**
     * Whether the feed is stopping; any thread.
     *
     * @return true once stopping.
     */
    boolean isStopping()
    {
        return stopping;
    }

    /**
     * The first offset the window covers, as last published; any thread.
     *
     * @param partition the partition.
     * @return the offset, or {@link Long#MAX_VALUE} if the partition is not read yet.
     */
    long publishedStart(final int partition)
    {
        final long[] starts = published;
        return partition < starts.length ? starts[partition] : Long.MAX_VALUE;
    }

    /**
     * Asks to hand a partition of a catch-up subscription over to the live feed at an offset; any thread.
     *
     * @param subscription the subscription.
     * @param partition    the partition.
     * @param offset       the next offset the catch-up reader would read.
     * @return completes true when handed over (or the subscription is gone), false if the window no longer covers
     *     the offset.
     */
    CompletableFuture<Boolean> handOver(final FeedSubscription subscription, final int partition, final long offset)
    {
        final CompletableFuture<Boolean> result = new CompletableFuture<>();
        commands.add(() ->
        {
            if (subscription.isCancelled() || !members.containsKey(subscription))
            {
                result.complete(true);
                return;
            }
            if (!window.covers(partition, offset))
            {
                result.complete(false);
                return;
            }
            final List<FeedRecord> replay = new ArrayList<>();
            window.copyFrom(partition, offset, replay);
            execute(subscription.subscriber().eventLoop(), () -> subscription.handOver(partition, replay));
            result.complete(true);
        });
        return result;
    }

    @Override
    public void onEnded(final FeedSubscription subscription, final FeedCloseReason reason)
    {
        final LoopFanOut fanOut = subscription.fanOut();
        if (fanOut != null)
        {
            fanOut.remove(subscription);
        }
        owner.onEnded(this, reason);
        commands.add(() -> leave(subscription));
    }

    @Override
    public void run()
    {
        try
        {
            consumer = owner.newConsumer("kafka-proxy-feed-" + topic, null, "earliest");
            LOGGER.atDebug().addKeyValue("topic", topic).log("feed started");
            while (!stopping)
            {
                runCommands();
                if (stopping || idleLongEnough())
                {
                    break;
                }
                if (System.nanoTime() - nextRefreshNanos >= 0)
                {
                    refreshPartitions();
                }
                if (partitions.isEmpty() || loopsBehind())
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                    continue;
                }
                fanOut(consumer.poll(POLL_TIMEOUT));
            }
            owner.retireNow(this);
            closeAll(stopReason);
        }
        catch (final Throwable t)
        {
            LOGGER.atWarn().addKeyValue("topic", topic).addKeyValue("error", t.toString()).log("feed failed");
            owner.retireNow(this);
            closeAll(FeedCloseReason.FAILED);
            if (t instanceof Error error)
            {
                throw error;
            }
        }
        finally
        {
            if (consumer != null)
            {
                consumer.close(Duration.ZERO);
            }
            LOGGER.atDebug().addKeyValue("topic", topic).log("feed stopped");
        }
    }

    private boolean idleLongEnough()
    {
        if (!members.isEmpty())
        {
            idleSinceNanos = 0;
            return false;
        }
        final long now = System.nanoTime();
        if (idleSinceNanos == 0)
        {
            idleSinceNanos = now;
            return false;
        }
        return now - idleSinceNanos >= settings.idleGrace().toNanos() && owner.tryRetire(this);
    }

    private void runCommands()
    {
        Runnable command;
        while ((command = commands.poll()) != null)
        {
            command.run();
        }
    }

    private boolean loopsBehind()
    {
        for (final LoopFanOut fanOut : loops.values())
        {
            if (fanOut.inFlightBytes().get() > maxLoopLagBytes)
            {
                return true;
            }
        }
        return false;
    }

    private void refreshPartitions()
    {
        nextRefreshNanos = System.nanoTime() + settings.partitionRefresh().toNanos();
        final List<PartitionInfo> infos = consumer.partitionsFor(topic);
        final List<TopicPartition> added = new ArrayList<>();
        for (final PartitionInfo info : infos)
        {
            if (!partitions.containsKey(info.partition()))
            {
                final TopicPartition partition = new TopicPartition(topic, info.partition());
                partitions.put(info.partition(), partition);
                added.add(partition);
            }
        }
        if (added.isEmpty())
        {
            return;
        }
        final boolean first = added.size() == partitions.size();
        consumer.assign(List.copyOf(partitions.values()));
        // At the start the feed reads from the end: subscribers that want older records get them from a catch-up
        // reader. A partition added later is read from its beginning, so a subscriber misses none of its records.
        if (first)
        {
            consumer.seekToEnd(added);
        }
        else
        {
            consumer.seekToBeginning(added);
        }
        for (final TopicPartition partition : added)
        {
            window.addPartition(partition.partition(), consumer.position(partition));
        }
        publishStarts();
        LOGGER.atDebug().addKeyValue("topic", topic).addKeyValue("partitions", partitions.size()).log("feed partitions");
    }

    private void fanOut(final ConsumerRecords<byte[], byte[]> records)
    {
        final List<FeedRecord> batch = records.isEmpty() ? List.of() : new ArrayList<>(records.count());
        long bytes = 0;
        for (final ConsumerRecord<byte[], byte[]> record : records)
        {
            final FeedRecord feedRecord = new FeedRecord(topic, record.partition(), record.offset(), record.timestamp(),
                record.key(), record.value(), record.headers());
            window.append(feedRecord);
            batch.add(feedRecord);
            bytes += feedRecord.sizeBytes();
        }
        for (final TopicPartition partition : partitions.values())
        {
            window.advanceTo(partition.partition(), consumer.position(partition));
        }
        publishStarts();
        if (batch.isEmpty())
        {
            return;
        }
        final long batchBytes = bytes;
        for (final LoopFanOut fanOut : loops.values())
        {
            fanOut.inFlightBytes().addAndGet(batchBytes);
            if (!execute(fanOut.eventLoop(), () -> fanOut.deliver(batch, batchBytes)))
            {
                fanOut.inFlightBytes().addAndGet(-batchBytes);
            }
        }
    }

    private void publishStarts()
    {
        int highest = -1;
        for (final int partition : partitions.keySet())
        {
            highest = Math.max(highest, partition);
        }
        final long[] starts = new long[highest + 1];
        for (int partition = 0; partition <= highest; partition++)
        {
            starts[partition] = window.hasPartition(partition) ? window.start(partition) : Long.MAX_VALUE;
        }
        published = starts;
    }

    private void join(final FeedSubscription subscription, final FeedStart start)
    {
        if (subscription.isCancelled())
        {
            return;
        }
        final EventLoop eventLoop = subscription.subscriber().eventLoop();
        if (closeReason != null)
        {
            final FeedCloseReason reason = closeReason;
            execute(eventLoop, () -> subscription.close(reason));
            return;
        }
        try
        {
            joinAtStart(subscription, start, eventLoop);
        }
        catch (final KafkaException e)
        {
            // The metadata or offsets a start needs could not be had (a timeout, say): that subscriber fails, the
            // feed and its other subscribers go on.
            LOGGER.atWarn().addKeyValue("topic", topic).addKeyValue("error", e.toString()).log("subscriber could not start");
            execute(eventLoop, () -> subscription.close(FeedCloseReason.FAILED));
        }
    }

    private void joinAtStart(final FeedSubscription subscription, final FeedStart start, final EventLoop eventLoop)
    {
        if (partitions.isEmpty())
        {
            refreshPartitions();
        }
        if (partitions.isEmpty())
        {
            execute(eventLoop, () -> subscription.close(FeedCloseReason.UNKNOWN_TOPIC));
            return;
        }
        final Map<TopicPartition, Long> earliest = start instanceof FeedStart.Earliest
            ? consumer.beginningOffsets(partitions.values())
            : Map.of();
        int highest = -1;
        for (final int partition : partitions.keySet())
        {
            highest = Math.max(highest, partition);
        }
        final long[] positions = new long[highest + 1];
        Arrays.fill(positions, -1);
        final BitSet catchUp = new BitSet();
        final List<FeedRecord> replay = new ArrayList<>();
        for (final TopicPartition topicPartition : partitions.values())
        {
            final int partition = topicPartition.partition();
            final long end = window.end(partition);
            final long wanted;
            if (start instanceof FeedStart.Offsets offsets)
            {
                wanted = offsets.nextOffsetByPartition().getOrDefault(partition, end);
            }
            else
            {
                wanted = start instanceof FeedStart.Earliest ? earliest.getOrDefault(topicPartition, end) : end;
            }
            // An offset past the end (a stale id after the topic was recreated) starts at the end.
            final long position = Math.min(wanted, end);
            positions[partition] = position;
            if (window.covers(partition, position))
            {
                window.copyFrom(partition, position, replay);
            }
            else
            {
                catchUp.set(partition);
            }
        }
        final LoopFanOut fanOut = loops.computeIfAbsent(eventLoop, LoopFanOut::new);
        fanOut.addMember();
        members.put(subscription, fanOut);
        final boolean posted = execute(eventLoop, () ->
        {
            if (subscription.start(positions, catchUp.isEmpty() ? null : catchUp, replay))
            {
                subscription.joined(fanOut);
                fanOut.add(subscription);
            }
        });
        if (posted && !catchUp.isEmpty())
        {
            owner.startCatchUp(new CatchUpReader(this, owner, subscription, positions, catchUp));
        }
    }

    private void leave(final FeedSubscription subscription)
    {
        final LoopFanOut fanOut = members.remove(subscription);
        if (fanOut != null)
        {
            fanOut.removeMember();
            if (fanOut.members() == 0)
            {
                loops.remove(fanOut.eventLoop());
            }
        }
    }

    private void closeAll(final FeedCloseReason reason)
    {
        // Retired first, so no join can be queued after these commands run; the joins among them are refused.
        stopping = true;
        closeReason = reason;
        runCommands();
        for (final FeedSubscription subscription : List.copyOf(members.keySet()))
        {
            execute(subscription.subscriber().eventLoop(), () -> subscription.close(reason));
        }
        members.clear();
        loops.clear();
    }

    private static boolean execute(final EventLoop eventLoop, final Runnable task)
    {
        try
        {
            eventLoop.execute(task);
            return true;
        }
        catch (final RejectedExecutionException e)
        {
            // The event loop is shutting down with the proxy: its channels close anyway.
            return false;
        }
    }
}

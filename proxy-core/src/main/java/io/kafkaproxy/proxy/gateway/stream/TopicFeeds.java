package io.kafkaproxy.proxy.gateway.stream;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The shared fan-out of one upstream cluster: one {@link TopicFeed} per subscribed topic (one consumer, one thread,
 * whatever the number of subscribers), started at the first subscriber and stopped {@link FeedSettings#idleGrace()}
 * after the last; plus the private readers some subscriptions need (catch-up for offsets older than a feed's window,
 * one consumer per consumer-group subscription) on reader threads: catch-up readers on a pool of about one thread per
 * processor (more wait their turn), group readers one thread each.
 *
 * <p>Thread-safe: subscriptions come from any event loop; the feed registry and subscriber counts are guarded by
 * this object's monitor, taken once per subscribe and once per end, never on the record path.
 */
public final class TopicFeeds implements AutoCloseable
{
    private static final Logger LOGGER = LoggerFactory.getLogger(TopicFeeds.class);
    private static final long STOP_WAIT_MILLIS = 5_000;
    // A group subscription costs a thread and a consumer (group semantics cannot be shared): far fewer than streams.
    private static final int MAX_GROUP_SUBSCRIPTIONS = 256;

    // Replaced when the cluster switches upstream; read by each consumer built.
    private volatile Map<String, Object> clientProperties;
    private final FeedSettings settings;
    private final Map<String, TopicFeed> feeds = new HashMap<>();
    private final Map<TopicFeed, Thread> feedThreads = new HashMap<>();
    private final Set<GroupFeed> groupFeeds = new HashSet<>();
    private final ExecutorService readers;
    private final ThreadPoolExecutor catchUpReaders;
    private final AtomicInteger readerThreads = new AtomicInteger();
    private final AtomicInteger consumersCreated = new AtomicInteger();
    private final Map<FeedCloseReason, LongAdder> ended = new EnumMap<>(FeedCloseReason.class);
    private int subscriptions;
    private boolean closed;

    /**
     * The fan-out of one cluster.
     *
     * @param clientProperties Kafka client properties for the upstream cluster (bootstrap servers, security).
     * @param settings         the settings.
     */
    public TopicFeeds(final Map<String, Object> clientProperties, final FeedSettings settings)
    {
        this.clientProperties = Map.copyOf(clientProperties);
        this.settings = Objects.requireNonNull(settings, "settings");
        for (final FeedCloseReason reason : FeedCloseReason.values())
        {
            ended.put(reason, new LongAdder());
        }
        final ThreadFactory threads = runnable ->
        {
            final Thread thread = new Thread(runnable, "gateway-feed-reader-" + readerThreads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        // A group subscription reads for as long as it lasts: one thread each. Catch-up reads end, so a burst of
        // subscribers from the earliest offsets queues for a few threads (and consumers) instead of taking hundreds.
        this.readers = Executors.newCachedThreadPool(threads);
        final int catchUpThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
        this.catchUpReaders = new ThreadPoolExecutor(catchUpThreads, catchUpThreads, 60, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), threads);
        catchUpReaders.allowCoreThreadTimeOut(true);
    }

    /**
     * The settings.
     *
     * @return the settings.
     */
    public FeedSettings settings()
    {
        return settings;
    }

    /**
     * Subscribes to a topic through its shared feed. The subscriber's {@link FeedSubscriber#onStart} or
     * {@link FeedSubscriber#onClosed} (refused: unknown topic, too many subscribers, stopping) follows on its event
     * loop.
     *
     * @param topic      the topic.
     * @param start      where to start.
     * @param subscriber the subscriber.
     * @return the subscription, to cancel.
     */
    public FeedSubscription subscribe(final String topic, final FeedStart start, final FeedSubscriber subscriber)
    {
        Objects.requireNonNull(start, "start");
        if (!isValidTopic(topic))
        {
            return refused(subscriber, FeedCloseReason.UNKNOWN_TOPIC);
        }
        final TopicFeed feed;
        final FeedSubscription subscription;
        synchronized (this)
        {
            final FeedCloseReason refusal = refusal();
            if (refusal != null)
            {
                return refused(subscriber, refusal);
            }
            subscriptions++;
            final TopicFeed current = feeds.get(topic);
            feed = current != null && !current.retired() ? current : startFeed(topic);
            feed.subscriberCount(feed.subscriberCount() + 1);
            subscription = new FeedSubscription(subscriber, settings.subscriberBufferBytes(), feed);
            feed.add(subscription, start);
        }
        return subscription;
    }

    /**
     * Subscribes to a topic as a member of a consumer group, with a consumer of its own that commits what the
     * subscriber took.
     *
     * @param topic      the topic.
     * @param group      the consumer group.
     * @param resetTo    where to start when the group has no committed offset: latest or earliest.
     * @param subscriber the subscriber.
     * @return the subscription, to cancel; refused with {@link FeedCloseReason#MAX_SUBSCRIBERS} past 256 group
     *     subscriptions (each costs a thread and a consumer) as well as past {@code maxSubscribers}.
     * @throws IllegalArgumentException if {@code resetTo} gives offsets.
     */
    public FeedSubscription subscribeGroup(
        final String topic,
        final String group,
        final FeedStart resetTo,
        final FeedSubscriber subscriber)
    {
        if (!isValidTopic(topic))
        {
            return refused(subscriber, FeedCloseReason.UNKNOWN_TOPIC);
        }
        final GroupFeed groupFeed = new GroupFeed(topic, group, resetTo, this, settings, subscriber);
        synchronized (this)
        {
            final FeedCloseReason refusal = groupFeeds.size() >= MAX_GROUP_SUBSCRIPTIONS ? FeedCloseReason.MAX_SUBSCRIBERS : refusal();
            if (refusal != null)
            {
                return refused(subscriber, refusal);
            }
            subscriptions++;
            groupFeeds.add(groupFeed);
        }
        startReader(groupFeed, groupFeed.subscription());
        return groupFeed.subscription();
    }

    /**
     * Open subscriptions, shared and group.
     *
     * @return the count.
     */
    public synchronized int subscriptions()
    {
        return subscriptions;
    }

    /**
     * Topics with a running shared feed.
     *
     * @return the count.
     */
    public synchronized int activeFeeds()
    {
        return feeds.size();
    }

    /**
     * Kafka consumers created so far (shared feeds, catch-up readers, group subscriptions): the fetch streams.
     *
     * @return the count.
     */
    public int consumersCreated()
    {
        return consumersCreated.get();
    }

    /**
     * Subscriptions ended (or refused) for a reason so far.
     *
     * @param reason the reason.
     * @return the count.
     */
    public long ended(final FeedCloseReason reason)
    {
        return ended.get(reason).sum();
    }

    /**
     * Moves the fan-out to another upstream cluster (the cluster failed over or back). Consumers built from now on
     * reach it. A shared feed's positions are offsets of the upstream left, which mean nothing on the other (the proxy
     * never translates nor invents offsets): each shared feed stops, its subscribers (and their catch-up readers)
     * closed with {@link FeedCloseReason#UPSTREAM_SWITCHED}, and a new subscription of its topic starts a new feed.
     * A group subscription stays open: its reader closes its consumer without leaving the group of the upstream left
     * and joins the group on the now-active upstream, resuming at the group's offsets there. Any thread; returns
     * without waiting for the feed threads.
     *
     * @param upstream the now-active upstream's connection settings.
     */
    public void switchUpstream(final Map<String, Object> upstream)
    {
        synchronized (this)
        {
            clientProperties = Map.copyOf(upstream);
            if (closed)
            {
                return;
            }
            for (final TopicFeed feed : feedThreads.keySet())
            {
                // Retired now, not when its thread ends: a subscriber joining from here on gets a feed on the new upstream.
                feed.retire();
                feeds.remove(feed.topic(), feed);
                feed.stop(FeedCloseReason.UPSTREAM_SWITCHED);
            }
            groupFeeds.forEach(GroupFeed::restart);
        }
    }

    /**
     * Stops every feed and reader; their subscribers are closed with {@link FeedCloseReason#SHUTDOWN}. Waits a few
     * seconds for the feed threads.
     */
    @Override
    public void close()
    {
        final List<Thread> threads;
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
            closed = true;
            threads = new ArrayList<>(feedThreads.values());
            feedThreads.keySet().forEach(TopicFeed::stop);
            groupFeeds.forEach(groupFeed ->
            {
                groupFeed.stop();
                final FeedSubscription subscription = groupFeed.subscription();
                subscription.post(() -> subscription.close(FeedCloseReason.SHUTDOWN));
            });
        }
        readers.shutdown();
        catchUpReaders.shutdown();
        try
        {
            for (final Thread thread : threads)
            {
                thread.join(STOP_WAIT_MILLIS);
            }
            readers.awaitTermination(STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            catchUpReaders.awaitTermination(STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        readers.shutdownNow();
        catchUpReaders.shutdownNow();
    }

    /**
     * A consumer for the upstream cluster.
     *
     * @param clientId    the client id.
     * @param group       the group, or null for none.
     * @param offsetReset {@code earliest} or {@code latest}.
     * @return the consumer.
     */
    KafkaConsumer<byte[], byte[]> newConsumer(final String clientId, final String group, final String offsetReset)
    {
        final Map<String, Object> properties = new HashMap<>(clientProperties);
        properties.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId + "-" + consumersCreated.incrementAndGet());
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, offsetReset);
        // partitionsFor answers from the consumer's metadata: refreshed this often, a feed sees new partitions.
        properties.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, (int) Math.min(Integer.MAX_VALUE, settings.partitionRefresh().toMillis()));
        if (group != null)
        {
            properties.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        else
        {
            properties.remove(ConsumerConfig.GROUP_ID_CONFIG);
        }
        return new KafkaConsumer<>(properties);
    }

    /**
     * Runs a catch-up reader on a reader thread.
     *
     * @param reader the reader.
     */
    void startCatchUp(final CatchUpReader reader)
    {
        try
        {
            catchUpReaders.execute(reader);
        }
        catch (final RejectedExecutionException e)
        {
            // Stopping: the feed closes the subscription itself.
        }
    }

    /**
     * A shared subscription ended; on its event loop.
     *
     * @param feed   its feed.
     * @param reason why; null when cancelled.
     */
    synchronized void onEnded(final TopicFeed feed, final FeedCloseReason reason)
    {
        subscriptions--;
        feed.subscriberCount(feed.subscriberCount() - 1);
        count(reason);
    }

    /**
     * A group subscription ended; on its event loop.
     *
     * @param groupFeed its reader.
     * @param reason    why; null when cancelled.
     */
    synchronized void onGroupEnded(final GroupFeed groupFeed, final FeedCloseReason reason)
    {
        if (groupFeeds.remove(groupFeed))
        {
            subscriptions--;
        }
        count(reason);
    }

    /**
     * Retires an idle feed unless a subscriber joined meanwhile; the feed's thread.
     *
     * @param feed the feed.
     * @return true if retired: the feed stops.
     */
    synchronized boolean tryRetire(final TopicFeed feed)
    {
        if (feed.subscriberCount() > 0)
        {
            return false;
        }
        retireNow(feed);
        return true;
    }

    /**
     * Retires a feed that stops; the feed's thread. Later subscribers of its topic get a new feed.
     *
     * @param feed the feed.
     */
    synchronized void retireNow(final TopicFeed feed)
    {
        feed.retire();
        feeds.remove(feed.topic(), feed);
        feedThreads.remove(feed);
    }

    private static boolean isValidTopic(final String topic)
    {
        try
        {
            Topic.validate(topic);
            return true;
        }
        catch (final InvalidTopicException e)
        {
            return false;
        }
    }

    private FeedCloseReason refusal()
    {
        if (closed)
        {
            return FeedCloseReason.SHUTDOWN;
        }
        return subscriptions >= settings.maxSubscribers() ? FeedCloseReason.MAX_SUBSCRIBERS : null;
    }

    private FeedSubscription refused(final FeedSubscriber subscriber, final FeedCloseReason reason)
    {
        count(reason);
        final FeedSubscription subscription = new FeedSubscription(subscriber, settings.subscriberBufferBytes(), (s, r) -> { });
        subscription.post(() -> subscription.close(reason));
        return subscription;
    }

    private void count(final FeedCloseReason reason)
    {
        if (reason != null)
        {
            ended.get(reason).increment();
        }
    }

    private TopicFeed startFeed(final String topic)
    {
        final TopicFeed feed = new TopicFeed(topic, this, settings);
        final Thread thread = new Thread(feed, "gateway-feed-" + topic);
        thread.setDaemon(true);
        feeds.put(topic, feed);
        feedThreads.put(feed, thread);
        thread.start();
        LOGGER.atDebug().addKeyValue("topic", topic).log("feed starting");
        return feed;
    }

    private void startReader(final Runnable reader, final FeedSubscription subscription)
    {
        try
        {
            readers.execute(reader);
        }
        catch (final RejectedExecutionException e)
        {
            subscription.post(() -> subscription.close(FeedCloseReason.SHUTDOWN));
        }
    }
}

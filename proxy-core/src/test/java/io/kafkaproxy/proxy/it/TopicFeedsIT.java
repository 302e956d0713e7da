package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.gateway.stream.FeedCloseReason;
import io.kafkaproxy.proxy.gateway.stream.FeedRecord;
import io.kafkaproxy.proxy.gateway.stream.FeedSettings;
import io.kafkaproxy.proxy.gateway.stream.FeedStart;
import io.kafkaproxy.proxy.gateway.stream.FeedSubscriber;
import io.kafkaproxy.proxy.gateway.stream.FeedSubscription;
import io.kafkaproxy.proxy.gateway.stream.TopicFeeds;
import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoop;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The shared fan-out against a real broker: many subscribers of a topic fed by one consumer, resumes inside the
 * replay window and before it without a gap or a repeat, consumer-group subscriptions that commit what they took,
 * partitions added while the feed runs, and the feed stopping once nobody listens.
 */
class TopicFeedsIT
{
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static InJvmKafka kafka;
    private static DefaultEventLoopGroup eventLoops;
    private static KafkaProducer<String, String> producer;

    private TopicFeeds feeds;

    @BeforeAll
    static void start()
    {
        kafka = InJvmKafka.start(List.of(1), Map.of());
        eventLoops = new DefaultEventLoopGroup(4);
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
            ProducerConfig.LINGER_MS_CONFIG, 0));
    }

    @AfterAll
    static void stop()
    {
        if (producer != null)
        {
            producer.close();
        }
        if (eventLoops != null)
        {
            eventLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (kafka != null)
        {
            kafka.close();
        }
    }

    @AfterEach
    void closeFeeds()
    {
        if (feeds != null)
        {
            feeds.close();
        }
    }

    @Test
    void manySubscribersOfATopicShouldBeFedByOneConsumer() throws Exception
    {
        // Given
        createTopic("fan-out", 3);
        feeds = newFeeds(FeedSettings.DEFAULTS);
        final List<RecordingSubscriber> subscribers = new ArrayList<>();
        for (int i = 0; i < 100; i++)
        {
            final RecordingSubscriber subscriber = new RecordingSubscriber(eventLoops.next());
            feeds.subscribe("fan-out", FeedStart.latest(), subscriber);
            subscribers.add(subscriber);
        }
        await().atMost(WAIT).until(() -> subscribers.stream().allMatch(s -> s.started.get() != null));

        // When
        produce("fan-out", 0, 60);

        // Then
        for (final RecordingSubscriber subscriber : subscribers)
        {
            await().atMost(WAIT).untilAsserted(() -> assertThat(subscriber.values()).hasSize(60));
            assertThat(subscriber.values()).containsExactlyInAnyOrderElementsOf(values(0, 60));
            subscriber.assertInOrderPerPartition();
        }
        assertThat(feeds.consumersCreated()).isEqualTo(1);
        assertThat(feedThreads("fan-out")).isEqualTo(1);
        assertThat(feeds.subscriptions()).isEqualTo(100);
    }

    @Test
    void aSubscriberResumingInsideTheWindowShouldGetEveryLaterRecordOnce() throws Exception
    {
        // Given: a subscriber took 30 records and went away; 20 more were produced since.
        createTopic("resume-window", 2);
        feeds = newFeeds(FeedSettings.DEFAULTS);
        final RecordingSubscriber first = subscribeAndAwaitStart("resume-window", FeedStart.latest());
        produce("resume-window", 0, 30);
        await().atMost(WAIT).untilAsserted(() -> assertThat(first.values()).hasSize(30));
        final Map<Integer, Long> positions = onLoop(first, () -> first.subscription.get().positions());
        first.subscription.get().cancel();
        produce("resume-window", 30, 50);

        // When
        final RecordingSubscriber resumed = subscribeAndAwaitStart("resume-window", FeedStart.offsets(positions));
        produce("resume-window", 50, 60);

        // Then
        await().atMost(WAIT).untilAsserted(() -> assertThat(resumed.values()).hasSize(30));
        assertThat(resumed.values()).containsExactlyInAnyOrderElementsOf(values(30, 60));
        resumed.assertInOrderPerPartition();
        assertThat(feeds.consumersCreated()).as("served from the window: no catch-up reader").isEqualTo(1);
    }

    @Test
    void aSubscriberStartingBeforeTheWindowShouldCatchUpAndContinueLiveWithoutAGapOrARepeat() throws Exception
    {
        // Given: a window of 5 records per partition; the feed has moved past 40 records.
        createTopic("catch-up", 2);
        feeds = newFeeds(new FeedSettings(5, 1024 * 1024, 100, Duration.ofSeconds(30), Duration.ofSeconds(30)));
        final RecordingSubscriber live = subscribeAndAwaitStart("catch-up", FeedStart.latest());
        produce("catch-up", 0, 40);
        await().atMost(WAIT).untilAsserted(() -> assertThat(live.values()).hasSize(40));

        // When: a subscriber from the earliest offsets, while more records keep coming.
        final RecordingSubscriber early = subscribeAndAwaitStart("catch-up", FeedStart.earliest());
        produce("catch-up", 40, 80);

        // Then
        await().atMost(WAIT).untilAsserted(() -> assertThat(early.values()).hasSize(80));
        assertThat(early.values()).containsExactlyInAnyOrderElementsOf(values(0, 80));
        early.assertInOrderPerPartition();
        assertThat(feeds.consumersCreated()).as("the feed and one catch-up reader").isEqualTo(2);
        produce("catch-up", 80, 90);
        await().atMost(WAIT).untilAsserted(() -> assertThat(early.values()).hasSize(90));
        assertThat(feeds.consumersCreated()).isEqualTo(2);
    }

    @Test
    void aGroupSubscriptionShouldCommitWhatItTookSoTheNextMemberResumesThere() throws Exception
    {
        // Given
        createTopic("grouped", 1);
        feeds = newFeeds(FeedSettings.DEFAULTS);
        produce("grouped", 0, 10);
        final RecordingSubscriber first = new RecordingSubscriber(eventLoops.next());
        feeds.subscribeGroup("grouped", "readers", FeedStart.earliest(), first);
        await().atMost(WAIT).untilAsserted(() -> assertThat(first.values()).hasSize(10));
        first.subscription.get().cancel();

        // When
        produce("grouped", 10, 15);
        final RecordingSubscriber next = new RecordingSubscriber(eventLoops.next());
        feeds.subscribeGroup("grouped", "readers", FeedStart.earliest(), next);

        // Then
        await().atMost(WAIT).untilAsserted(() -> assertThat(next.values()).containsExactlyElementsOf(values(10, 15)));
    }

    @Test
    void aPartitionAddedWhileTheFeedRunsShouldBeReadFromItsFirstRecord() throws Exception
    {
        // Given
        createTopic("growing", 1);
        feeds = newFeeds(FeedSettings.DEFAULTS.withPartitionRefresh(Duration.ofMillis(200)));
        final RecordingSubscriber subscriber = subscribeAndAwaitStart("growing", FeedStart.latest());

        // When
        try (Admin admin = admin())
        {
            admin.createPartitions(Map.of("growing", NewPartitions.increaseTo(2))).all().get();
        }
        producer.send(new ProducerRecord<>("growing", 1, null, "new-partition")).get();

        // Then
        await().atMost(WAIT).untilAsserted(() -> assertThat(subscriber.values()).containsExactly("new-partition"));
    }

    @Test
    void anUnknownTopicShouldBeRefused()
    {
        // Given
        feeds = newFeeds(FeedSettings.DEFAULTS);
        final RecordingSubscriber subscriber = new RecordingSubscriber(eventLoops.next());

        // When
        feeds.subscribe("no-such-topic", FeedStart.latest(), subscriber);

        // Then
        await().atMost(WAIT).untilAsserted(() -> assertThat(subscriber.closed.get()).isEqualTo(FeedCloseReason.UNKNOWN_TOPIC));
        assertThat(subscriber.started.get()).isNull();
        assertThat(feeds.subscriptions()).isZero();
    }

    @Test
    void aFeedShouldStopAfterItsLastSubscriberLeftAndTheMaximumShouldHold() throws Exception
    {
        // Given
        createTopic("idle", 1);
        feeds = newFeeds(new FeedSettings(10, 1024 * 1024, 1, Duration.ofMillis(200), Duration.ofSeconds(30)));
        final RecordingSubscriber subscriber = subscribeAndAwaitStart("idle", FeedStart.latest());
        final RecordingSubscriber refused = new RecordingSubscriber(eventLoops.next());
        feeds.subscribe("idle", FeedStart.latest(), refused);
        await().atMost(WAIT).untilAsserted(() -> assertThat(refused.closed.get()).isEqualTo(FeedCloseReason.MAX_SUBSCRIBERS));

        // When
        subscriber.subscription.get().cancel();

        // Then
        await().atMost(WAIT).untilAsserted(() -> assertThat(feeds.activeFeeds()).isZero());
        await().atMost(WAIT).untilAsserted(() -> assertThat(feedThreads("idle")).isZero());
        assertThat(feeds.ended(FeedCloseReason.MAX_SUBSCRIBERS)).isEqualTo(1);
    }

    private RecordingSubscriber subscribeAndAwaitStart(final String topic, final FeedStart start)
    {
        final RecordingSubscriber subscriber = new RecordingSubscriber(eventLoops.next());
        feeds.subscribe(topic, start, subscriber);
        await().atMost(WAIT).until(() -> subscriber.started.get() != null);
        return subscriber;
    }

    private static <T> T onLoop(final RecordingSubscriber subscriber, final java.util.concurrent.Callable<T> task)
        throws Exception
    {
        return subscriber.eventLoop.submit(task).get();
    }

    private static TopicFeeds newFeeds(final FeedSettings settings)
    {
        return new TopicFeeds(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), settings);
    }

    private static Admin admin()
    {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    private static void createTopic(final String topic, final int partitions) throws ExecutionException, InterruptedException
    {
        try (Admin admin = admin())
        {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        }
        await().atMost(WAIT).until(() -> producer.partitionsFor(topic).size() == partitions);
    }

    private static void produce(final String topic, final int from, final int to) throws Exception
    {
        for (int i = from; i < to; i++)
        {
            producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i));
        }
        producer.flush();
    }

    private static List<String> values(final int from, final int to)
    {
        final List<String> values = new ArrayList<>();
        for (int i = from; i < to; i++)
        {
            values.add("v" + i);
        }
        return values;
    }

    private static long feedThreads(final String topic)
    {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("gateway-feed-" + topic)).count();
    }

    private static final class RecordingSubscriber implements FeedSubscriber
    {
        private final EventLoop eventLoop;
        private final List<FeedRecord> records = new CopyOnWriteArrayList<>();
        private final AtomicReference<Map<Integer, Long>> started = new AtomicReference<>();
        private final AtomicReference<FeedSubscription> subscription = new AtomicReference<>();
        private final AtomicReference<FeedCloseReason> closed = new AtomicReference<>();

        RecordingSubscriber(final EventLoop eventLoop)
        {
            this.eventLoop = eventLoop;
        }

        @Override
        public EventLoop eventLoop()
        {
            return eventLoop;
        }

        @Override
        public void onStart(final FeedSubscription feedSubscription)
        {
            subscription.set(feedSubscription);
            started.set(feedSubscription.positions());
        }

        @Override
        public void onRecord(final FeedRecord record, final FeedSubscription feedSubscription)
        {
            records.add(record);
        }

        @Override
        public void onFlush()
        {
        }

        @Override
        public long backlogBytes()
        {
            return 0;
        }

        @Override
        public void onClosed(final FeedCloseReason reason)
        {
            closed.set(reason);
        }

        List<String> values()
        {
            return records.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
        }

        void assertInOrderPerPartition()
        {
            final Map<Integer, List<Long>> offsets = new HashMap<>();
            for (final FeedRecord record : records)
            {
                offsets.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(record.offset());
            }
            offsets.values().forEach(list ->
            {
                final List<Long> sorted = new ArrayList<>(list);
                Collections.sort(sorted);
                assertThat(list).isEqualTo(sorted).doesNotHaveDuplicates();
            });
        }
    }
}

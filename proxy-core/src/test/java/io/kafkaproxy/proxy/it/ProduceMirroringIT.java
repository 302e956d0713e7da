package io.kafkaproxy.proxy.it;

import io.kafkaproxy.mempool.MemoryPoolStats;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.MirrorConfig;
import io.kafkaproxy.proxy.metrics.MirrorMetrics;
import io.kafkaproxy.proxy.mirror.ProduceMirror;
import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.kafkaproxy.proxy.testing.KillableKafkaBroker;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Produce mirroring (issue 14): a proxy in front of a primary cluster copies the Produce traffic of the mirrored
 * topics to a shadow cluster. With the shadow healthy, it holds the same records per partition, in order, for an
 * idempotent producer, a plain one and compressed batches; with the shadow killed, every client send still
 * succeeds and the copies are dropped and counted within the mirror's slice; with the shadow paused the same, and
 * mirroring resumes once it runs again.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProduceMirroringIT
{
    private static final int PARTITIONS = 3;
    private static final String MIRRORED_PREFIX = "mirrored-";

    private static KillableKafkaBroker shadow;
    private static ProxiedKafka primary;

    @BeforeAll
    static void start() throws Exception
    {
        shadow = KillableKafkaBroker.start(Map.of("auto.create.topics.enable", "false"));
        final InJvmKafka upstream = InJvmKafka.start(List.of(1), Map.of("auto.create.topics.enable", "false"));
        final List<String> topics = List.of(MIRRORED_PREFIX + "idempotent", MIRRORED_PREFIX + "plain",
            MIRRORED_PREFIX + "compressed", MIRRORED_PREFIX + "outage", MIRRORED_PREFIX + "paused");
        createTopics(upstream.bootstrapServers(), topics);
        createTopics(shadow.bootstrapServers(), topics);
        final MirrorConfig mirror = MirrorConfig.of(List.of(HostPort.parse(shadow.bootstrapServers())), null, null,
            List.of(MIRRORED_PREFIX + "*"), "4MiB", (short)-1, Duration.ofSeconds(10));
        primary = ProxiedKafka.inFrontOf(upstream, config -> config.toBuilder().mirror(mirror).build(), pipeline -> { });
        await().atMost(Duration.ofSeconds(30)).until(() -> mirror().accepting());
    }

    @AfterAll
    static void stop()
    {
        if (primary != null)
        {
            primary.close();
        }
        if (shadow != null)
        {
            shadow.close();
        }
    }

    @Test
    void shadowShouldHoldTheSameRecordsPerPartitionInOrder() throws Exception
    {
        // Given
        final int perProducer = 300;
        final double mirroredBefore = metrics().mirrored();
        final Map<String, Object> idempotent = producerConfig(Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
            ProducerConfig.ACKS_CONFIG, "all"));
        final Map<String, Object> plain = producerConfig(Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false",
            ProducerConfig.ACKS_CONFIG, "1"));
        final Map<String, Object> compressed = producerConfig(Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd",
            ProducerConfig.LINGER_MS_CONFIG, "20"));

        // When
        produce(idempotent, MIRRORED_PREFIX + "idempotent", perProducer);
        produce(plain, MIRRORED_PREFIX + "plain", perProducer);
        produce(compressed, MIRRORED_PREFIX + "compressed", perProducer);

        // Then
        await().atMost(Duration.ofSeconds(30))
            .untilAsserted(() -> assertThat(metrics().mirrored() - mirroredBefore).as("dropped %s failed %s", metrics().dropped(), metrics().failed()).isEqualTo(3.0 * perProducer));
        for (final String topic : List.of(MIRRORED_PREFIX + "idempotent", MIRRORED_PREFIX + "plain", MIRRORED_PREFIX + "compressed"))
        {
            final Map<Integer, List<String>> onPrimary = readAll(primary.upstream().bootstrapServers(), topic, perProducer);
            final Map<Integer, List<String>> onShadow = readAll(shadow.bootstrapServers(), topic, perProducer);
            assertThat(onShadow).as(topic).isEqualTo(onPrimary);
        }
        assertThat(metrics().failed()).isZero();
    }

    @Test
    void shouldMirrorTheFirstRecordsOfATopicCreatedAfterTheProxyStarted() throws Exception
    {
        // Given
        final String topic = MIRRORED_PREFIX + "late";
        createTopics(primary.upstream().bootstrapServers(), List.of(topic));
        createTopics(shadow.bootstrapServers(), List.of(topic));
        final double mirroredBefore = metrics().mirrored();

        // When
        produce(producerConfig(Map.of(ProducerConfig.ACKS_CONFIG, "all")), topic, 50);

        // Then
        await().atMost(Duration.ofSeconds(30))
            .untilAsserted(() -> assertThat(metrics().mirrored() - mirroredBefore).as("dropped %s failed %s", metrics().dropped(), metrics().failed()).isEqualTo(50.0));
        assertThat(readAll(shadow.bootstrapServers(), topic, 50)).isEqualTo(readAll(primary.upstream().bootstrapServers(), topic, 50));
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void clientSendsShouldSucceedWhileTheShadowIsDownAndTheMirrorShouldStopCopying() throws Exception
    {
        // Given: last, as the shadow stays down (a restart of its JVM would double this class's time; the paused
        // test shows mirroring resuming)
        final String topic = MIRRORED_PREFIX + "outage";
        final Map<String, Object> config = producerConfig(Map.of(ProducerConfig.ACKS_CONFIG, "all"));
        final double droppedBefore = metrics().dropped() + metrics().failed();
        shadow.kill();

        // When
        final int sent = produce(config, topic, 2_000);

        // Then
        assertThat(sent).isEqualTo(2_000);
        await().atMost(Duration.ofSeconds(30))
            .untilAsserted(() -> assertThat(metrics().dropped() + metrics().failed()).isGreaterThan(droppedBefore));
        await().atMost(Duration.ofSeconds(30)).until(() -> !mirror().accepting());
        final double droppedWhileDown = metrics().dropped();
        assertThat(produce(config, topic, 100)).isEqualTo(100);
        assertThat(metrics().dropped() - droppedWhileDown).isEqualTo(100.0);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(metrics().bytesInFlight()).isZero());
        final MemoryPoolStats slice = mirror().slice().stats();
        assertThat(slice.highWaterMarkBytes()).isLessThanOrEqualTo(slice.capacityBytes());
    }

    @Test
    void clientSendsShouldSucceedWhileTheShadowIsPausedWithinTheMirrorsSlice() throws Exception
    {
        // Given
        final String topic = MIRRORED_PREFIX + "paused";
        final Map<String, Object> config = producerConfig(Map.of(ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.LINGER_MS_CONFIG, "5"));
        final double lostBefore = metrics().dropped() + metrics().failed();
        final long capacity = mirror().slice().stats().capacityBytes();
        shadow.pause();
        try
        {
            // When
            final long started = System.nanoTime();
            final int sent = produce(config, topic, 5_000);
            final Duration took = Duration.ofNanos(System.nanoTime() - started);

            // Then
            assertThat(sent).isEqualTo(5_000);
            assertThat(took).isLessThan(Duration.ofSeconds(20));
            assertThat(metrics().bytesInFlight()).isLessThanOrEqualTo(capacity);
            await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(metrics().dropped() + metrics().failed()).isGreaterThan(lostBefore));
        }
        finally
        {
            shadow.resume();
        }
        final MemoryPoolStats slice = mirror().slice().stats();
        assertThat(slice.highWaterMarkBytes()).isLessThanOrEqualTo(slice.capacityBytes());

        // When
        await().atMost(Duration.ofSeconds(30)).until(() -> mirror().accepting());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(metrics().bytesInFlight()).isZero());
        final double mirroredBefore = metrics().mirrored();
        produce(config, topic, 100);

        // Then
        await().atMost(Duration.ofSeconds(30))
            .untilAsserted(() -> assertThat(metrics().mirrored() - mirroredBefore)
                .as("dropped %s, failed %s, in flight %s", metrics().dropped(), metrics().failed(), metrics().bytesInFlight())
                .isEqualTo(100.0));
    }

    private static ProduceMirror mirror()
    {
        return primary.proxy().mirror();
    }

    private static MirrorMetrics metrics()
    {
        return mirror().metrics();
    }

    private static Map<String, Object> producerConfig(final Map<String, Object> overrides)
    {
        final Map<String, Object> config = new HashMap<>(primary.producerConfig());
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.putAll(overrides);
        return config;
    }

    private static int produce(final Map<String, Object> config, final String topic, final int count) throws Exception
    {
        final List<Future<?>> sends = new ArrayList<>(count);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config))
        {
            for (int i = 0; i < count; i++)
            {
                sends.add(producer.send(new ProducerRecord<>(topic, "key-" + (i % 17), topic + "-value-" + i)));
            }
            producer.flush();
        }
        for (final Future<?> send : sends)
        {
            send.get(30, TimeUnit.SECONDS);
        }
        return sends.size();
    }

    private static Map<Integer, List<String>> readAll(final String bootstrapServers, final String topic, final int expected)
    {
        final Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        final Map<Integer, List<String>> byPartition = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config))
        {
            final List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++)
            {
                partitions.add(new TopicPartition(topic, p));
                byPartition.put(p, new ArrayList<>());
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(Duration.ofSeconds(30)).until(() ->
            {
                for (final ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200)))
                {
                    byPartition.get(record.partition()).add(record.key() + "=" + record.value());
                }
                return byPartition.values().stream().mapToInt(List::size).sum() >= expected;
            });
        }
        return byPartition;
    }

    private static void createTopics(final String bootstrapServers, final List<String> topics) throws Exception
    {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers)))
        {
            admin.createTopics(topics.stream().map(name -> new NewTopic(name, PARTITIONS, (short)1)).toList()).all()
                .get(30, TimeUnit.SECONDS);
            // The controller answers once the topics are in its log; the broker leads their partitions only once it
            // has applied that log. The mirror does not retry a copy the shadow refused while it caught up (counted
            // as failed), so the test's sends must not race the shadow's catch-up.
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> admin.describeTopics(topics).allTopicNames()
                .get().values().stream().allMatch(description -> description.partitions().size() == PARTITIONS &&
                    description.partitions().stream().allMatch(partition -> partition.leader() != null)));
        }
    }
}

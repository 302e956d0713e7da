package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.metrics.PolicyMetrics;
import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.kafkaproxy.proxy.testing.LegacyKafkaClient;
import io.kafkaproxy.proxy.testing.PolicyConfigs;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Produce quotas enforced the Kafka way (KIP-219): a producer offering ten times its limit is held to the limit by
 * {@code throttle_time_ms} and paused reads, nothing it was told was written is lost, and an old client that does
 * not honour the throttle field itself is held by the paused reads alone.
 */
class QuotaIT
{
    private static final int LIMIT_BYTES_PER_SECOND = 256 * 1024;
    private static final int RECORD_BYTES = 1024;
    private static final String QUOTAS = """
        quotas:
          - principal: quota-producer
            produceBytesPerSecond: 256KiB
          - principal: legacy-producer
            produceBytesPerSecond: 256KiB
        """;

    private static ProxiedKafka kafka;

    @BeforeAll
    static void start()
    {
        kafka = ProxiedKafka.inFrontOf(InJvmKafka.start(List.of(1), Map.of()), PolicyConfigs.withPolicy(QUOTAS), pipeline -> { });
        kafka.createTopic("quota", 1, 1);
        kafka.createTopic("legacy-quota", 1, 1);
    }

    @AfterAll
    static void stop()
    {
        if (kafka != null)
        {
            kafka.close();
        }
    }

    @Test
    void aProducerOfferingTenTimesItsLimitShouldBeHeldToTheLimitAndLoseNothing() throws Exception
    {
        // Given: a sender paced at ten times the limit; the first seconds (the bucket's burst) are not measured.
        final Map<String, Object> config = kafka.producerConfig();
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "quota-producer");
        config.put(ProducerConfig.ACKS_CONFIG, "1");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 120_000);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000);
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 1024 * 1024);
        final long offeredIntervalNanos = TimeUnit.SECONDS.toNanos(1) * RECORD_BYTES / (10L * LIMIT_BYTES_PER_SECOND);
        final long warmUpNanos = TimeUnit.SECONDS.toNanos(3);
        final long windowNanos = TimeUnit.SECONDS.toNanos(20);
        final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        final AtomicLong bytesInWindow = new AtomicLong();
        final String padding = "x".repeat(RECORD_BYTES - 16);

        // When
        final long start = System.nanoTime();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config))
        {
            long next = start;
            for (int i = 0; System.nanoTime() - start < warmUpNanos + windowNanos; i++)
            {
                final String value = String.format("%015d", i) + padding;
                producer.send(new ProducerRecord<>("quota", value), (metadata, error) ->
                {
                    if (error != null)
                    {
                        return;
                    }
                    acknowledged.add(value.substring(0, 15));
                    final long at = System.nanoTime() - start;
                    if (at >= warmUpNanos && at < warmUpNanos + windowNanos)
                    {
                        bytesInWindow.addAndGet(RECORD_BYTES);
                    }
                });
                next += offeredIntervalNanos;
                LockSupport.parkNanos(next - System.nanoTime());
            }
            producer.flush();
        }

        // Then
        final double rate = bytesInWindow.get() / 20.0;
        assertThat(rate).as("acknowledged bytes per second over 20 s").isBetween(0.9 * LIMIT_BYTES_PER_SECOND, 1.1 * LIMIT_BYTES_PER_SECOND);
        assertThat(kafka.proxy().meterRegistry().find(PolicyMetrics.THROTTLE_TIME).tag(PolicyMetrics.QUOTA, "produce").timer())
            .satisfies(timer -> assertThat(timer.count()).isGreaterThan(0));
        assertThat(consumeKeys("quota")).containsAll(acknowledged);
    }

    @Test
    void anOldClientShouldBeHeldToTheLimitToo() throws Exception
    {
        // Given: a first run spends the bucket's burst, the second is measured.
        final Map<String, String> settings = Map.of("client.id", "legacy-producer", "batch.size", "16384", "linger.ms", "5");
        final String padding = "y".repeat(RECORD_BYTES - 16);
        final List<String> firstRun = values(0, 512, padding);
        final List<String> measuredRun = values(512, 2048, padding);
        try (LegacyKafkaClient client = LegacyKafkaClient.load("0.11.0.3"))
        {
            client.produce(kafka.bootstrapServers(), "legacy-quota", firstRun, "none", settings);

            // When
            final long start = System.nanoTime();
            client.produce(kafka.bootstrapServers(), "legacy-quota", measuredRun, "none", settings);
            final double seconds = (System.nanoTime() - start) / 1e9;

            // Then
            final double rate = measuredRun.size() * (double)RECORD_BYTES / seconds;
            assertThat(rate).as("bytes per second of the measured run").isBetween(0.9 * LIMIT_BYTES_PER_SECOND, 1.1 * LIMIT_BYTES_PER_SECOND);
        }
        assertThat(consumeKeys("legacy-quota")).hasSize(firstRun.size() + measuredRun.size());
    }

    private static List<String> values(final int from, final int count, final String padding)
    {
        final List<String> values = new ArrayList<>(count);
        for (int i = from; i < from + count; i++)
        {
            values.add(String.format("%015d", i) + padding);
        }
        return values;
    }

    private static Set<String> consumeKeys(final String topic)
    {
        final Set<String> keys = new HashSet<>();
        final Map<String, Object> config = kafka.consumerConfig(null);
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 * 1024 * 1024);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config))
        {
            final TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            final long end = consumer.endOffsets(List.of(partition), Duration.ofSeconds(60)).get(partition);
            await().atMost(Duration.ofSeconds(120)).until(() ->
            {
                for (final ConsumerRecord<String, String> record : consumer.poll(ProxiedKafka.pollTimeout()))
                {
                    keys.add(record.value().substring(0, 15));
                }
                return consumer.position(partition) >= end;
            });
        }
        return keys;
    }
}

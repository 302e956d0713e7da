package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.micrometer.core.instrument.Counter;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cut-through forwarding against a real broker and a real consumer: Fetch responses of several MiB, which span many
 * socket reads, stream through the proxy as they arrive, and every record is read back as it was written.
 */
class CutThroughIT
{
    private static final String TOPIC = "cut-through";
    private static final int PARTITIONS = 3;
    private static final int RECORDS = 3000;
    private static final int VALUE_BYTES = 4096;

    private static ProxiedKafka kafka;

    @BeforeAll
    static void startKafkaAndProduce() throws Exception
    {
        kafka = ProxiedKafka.singleNode();
        kafka.createTopic(TOPIC, PARTITIONS, 1);
        final Map<String, Object> config = kafka.producerConfig();
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config))
        {
            for (int i = 0; i < RECORDS; i++)
            {
                producer.send(new ProducerRecord<>(TOPIC, i % PARTITIONS, "key-" + i, value(i)));
            }
            producer.flush();
        }
    }

    @AfterAll
    static void stopEverything()
    {
        kafka.close();
    }

    @Test
    void shouldStreamLargeFetchResponsesAndDeliverEveryRecordUnchanged()
    {
        // Given: a consumer asking for up to 4 MiB per partition, 16 MiB per fetch
        final double streamedBefore = streamedResponses();
        final Map<String, Object> config = kafka.consumerConfig(null);
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 << 20);
        config.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 16 << 20);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        final Map<String, String> read = new HashMap<>();

        // When
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config))
        {
            final List<TopicPartition> partitions = List.of(
                new TopicPartition(TOPIC, 0), new TopicPartition(TOPIC, 1), new TopicPartition(TOPIC, 2));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (read.size() < RECORDS && System.nanoTime() < deadline)
            {
                for (final ConsumerRecord<String, String> record : consumer.poll(ProxiedKafka.pollTimeout()))
                {
                    read.put(record.key(), record.value());
                }
            }
        }

        // Then: every record, byte for byte, and the large responses went through streamed
        assertThat(read).hasSize(RECORDS);
        for (int i = 0; i < RECORDS; i++)
        {
            assertThat(read.get("key-" + i)).as("record %d", i).isEqualTo(value(i));
        }
        assertThat(streamedResponses()).isGreaterThan(streamedBefore);
    }

    private static double streamedResponses()
    {
        return kafka.proxy().meterRegistry().find(ProxyMetrics.RESPONSES_STREAMED).counters().stream()
            .mapToDouble(Counter::count).sum();
    }

    private static String value(final int i)
    {
        final Random random = new Random(i);
        final StringBuilder value = new StringBuilder(VALUE_BYTES);
        for (int c = 0; c < VALUE_BYTES; c++)
        {
            value.append((char)('a' + random.nextInt(26)));
        }
        return value.toString();
    }
}

package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.config.NetworkConfig.TransportKind;
import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.netty.channel.uring.IoUring;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The proxy on the io_uring transport ({@code network.transport: io_uring}) carries produce and fetch as on epoll:
 * io_uring submits each read with a buffer from the channel's read allocator before the bytes arrive, so frames
 * larger than one read, which land straight in the frame being assembled, are the case to cover. Skipped where the
 * kernel or the native library does not allow io_uring.
 */
class IoUringTransportIT
{
    private static final int SMALL_RECORDS = 200;
    private static final int LARGE_RECORDS = 12;
    private static final int LARGE_RECORD_BYTES = 400 * 1024;

    private static ProxiedKafka kafka;

    @BeforeAll
    static void start()
    {
        Assumptions.assumeTrue(IoUring.isAvailable(), () -> "io_uring is not available here: " + IoUring.unavailabilityCause());
        kafka = ProxiedKafka.inFrontOf(InJvmKafka.start(List.of(1), Map.of()),
            config -> config.toBuilder().network(config.network().withTransport(TransportKind.IO_URING)).build(),
            pipeline -> { });
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
    void shouldCarryProduceAndFetchOverIoUring() throws Exception
    {
        // Given
        kafka.createTopic("uring", 1, 1);
        final List<String> sent = new ArrayList<>();
        for (int i = 0; i < SMALL_RECORDS; i++)
        {
            sent.add("small-" + i);
        }
        for (int i = 0; i < LARGE_RECORDS; i++)
        {
            // Larger than any single read: each of these frames is assembled over many reads.
            sent.add(Character.toString('a' + i).repeat(LARGE_RECORD_BYTES));
        }
        final Map<String, Object> producerConfig = kafka.producerConfig();
        producerConfig.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * LARGE_RECORD_BYTES);

        // When
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig))
        {
            for (final String value : sent)
            {
                producer.send(new ProducerRecord<>("uring", value));
            }
            producer.flush();
        }
        final List<String> received = new ArrayList<>();
        final Map<String, Object> consumerConfig = kafka.consumerConfig(null);
        consumerConfig.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 * LARGE_RECORD_BYTES);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig))
        {
            consumer.assign(List.of(new TopicPartition("uring", 0)));
            await().atMost(60, TimeUnit.SECONDS).until(() ->
            {
                for (final ConsumerRecord<String, String> record : consumer.poll(ProxiedKafka.pollTimeout()))
                {
                    received.add(record.value());
                }
                return received.size() >= sent.size();
            });
        }

        // Then
        assertThat(kafka.proxy().transportName()).isEqualTo("io_uring");
        assertThat(received).containsExactlyElementsOf(sent);
    }
}

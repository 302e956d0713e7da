package io.kafkaproxy.proxy.testing;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

import static org.awaitility.Awaitility.await;

/**
 * The produce and consume loops the integration tests share.
 */
public final class ClientWorkloads
{
    private ClientWorkloads()
    {
    }

    /**
     * Sends records with one producer and waits for every acknowledgement.
     *
     * @param producerConfig the producer settings.
     * @param records        the records.
     * @throws Exception if a send fails.
     */
    public static void sendAll(final Map<String, Object> producerConfig, final List<ProducerRecord<String, String>> records) throws Exception
    {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig))
        {
            final List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (final ProducerRecord<String, String> record : records)
            {
                acks.add(producer.send(record));
            }
            for (final Future<RecordMetadata> ack : acks)
            {
                ack.get();
            }
        }
    }

    /**
     * Reads every partition of a topic from the beginning until at least the expected number of records came, plus
     * one more poll so that duplicates beyond it would show.
     *
     * @param topic          the topic.
     * @param consumerConfig the consumer settings (no group needed).
     * @param expected       how many records to wait for.
     * @return the records.
     */
    public static List<ConsumerRecord<String, String>> consume(
        final String topic, final Map<String, Object> consumerConfig, final int expected)
    {
        final List<ConsumerRecord<String, String>> received = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig))
        {
            final List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(Duration.ofSeconds(60)).until(() ->
            {
                consumer.poll(ProxiedKafka.pollTimeout()).forEach(received::add);
                return received.size() >= expected;
            });
            consumer.poll(Duration.ofMillis(200)).forEach(received::add);
        }
        return received;
    }

    /**
     * String producer settings.
     *
     * @param bootstrapServers where the producer connects.
     * @return the settings, to adjust per test.
     */
    public static Map<String, Object> stringProducerConfig(final String bootstrapServers)
    {
        final Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        return config;
    }

    /**
     * String consumer settings, without a group.
     *
     * @param bootstrapServers where the consumer connects.
     * @return the settings, to adjust per test.
     */
    public static Map<String, Object> stringConsumerConfig(final String bootstrapServers)
    {
        final Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        return config;
    }

    /**
     * Creates a topic and waits for it.
     *
     * @param bootstrapServers where the admin client connects.
     * @param topic            the topic.
     * @param partitions       its partition count (one replica each).
     * @throws Exception if the creation fails.
     */
    public static void createTopic(final String bootstrapServers, final String topic, final int partitions) throws Exception
    {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers)))
        {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short)1))).all().get();
        }
    }
}

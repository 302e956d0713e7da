package io.kafkaproxy.proxy.testing;

import io.kafkaproxy.proxy.net.KafkaProxy;
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

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Plaintext Java clients of a started proxy, for ITs whose subject is the proxy's broker side (TLS, its own login):
 * an admin client's settings, and a round trip of records through one new topic.
 */
public final class PlaintextClients
{
    private PlaintextClients()
    {
    }

    /**
     * An admin client's settings for the proxy's bootstrap address.
     *
     * @param proxy            the proxy.
     * @param apiTimeoutMillis how long each admin call may take (its requests at most 30 s of it).
     * @return the settings.
     */
    public static Map<String, Object> adminConfig(final KafkaProxy proxy, final int apiTimeoutMillis)
    {
        final Map<String, Object> config = new HashMap<>();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, proxy.advertisedBootstrapServers());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, apiTimeoutMillis);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(apiTimeoutMillis, 30_000));
        return config;
    }

    /**
     * Creates a one-partition topic through the proxy, produces the values to it (acks=all) and consumes them back.
     *
     * @param proxy  the proxy.
     * @param topic  the new topic's name.
     * @param values the values to produce.
     * @return the values consumed, in order.
     * @throws Exception if the topic cannot be created or a record not produced.
     */
    public static List<String> produceAndConsume(final KafkaProxy proxy, final String topic, final List<String> values) throws Exception
    {
        try (Admin admin = Admin.create(adminConfig(proxy, 60_000)))
        {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short)1))).all().get(60, TimeUnit.SECONDS);
        }
        final Map<String, Object> producerConfig = new HashMap<>();
        producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, proxy.advertisedBootstrapServers());
        producerConfig.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        producerConfig.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig))
        {
            for (final String value : values)
            {
                producer.send(new ProducerRecord<>(topic, value)).get(60, TimeUnit.SECONDS);
            }
        }
        final Map<String, Object> consumerConfig = new HashMap<>();
        consumerConfig.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, proxy.advertisedBootstrapServers());
        consumerConfig.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        consumerConfig.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        final List<String> consumed = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig))
        {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
            {
                for (final ConsumerRecord<String, String> record : consumer.poll(ProxiedKafka.pollTimeout()))
                {
                    consumed.add(record.value());
                }
                assertThat(consumed).hasSize(values.size());
            });
        }
        return consumed;
    }
}

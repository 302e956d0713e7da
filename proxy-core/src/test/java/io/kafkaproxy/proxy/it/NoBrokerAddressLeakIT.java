package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.testing.BrokerAddressAssertions;
import io.kafkaproxy.proxy.testing.ClientTrafficCapture;
import io.kafkaproxy.proxy.testing.ClientTrafficCapture.CapturedResponse;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every response the proxy sends to clients, across a workload touching every address-carrying api the clients
 * use, names the proxy and never a broker.
 */
class NoBrokerAddressLeakIT
{
    private static final ClientTrafficCapture CAPTURE = new ClientTrafficCapture();
    private static ProxiedKafka kafka;

    @BeforeAll
    static void startKafkaAndProxy()
    {
        kafka = ProxiedKafka.start(List.of(1), Map.of(), CAPTURE);
    }

    @AfterAll
    static void stopKafkaAndProxy()
    {
        kafka.close();
    }

    @Test
    void clientsShouldNeverBeToldARealBrokerAddress() throws Exception
    {
        // Given: admin, transactional producer, group consumer: Metadata, DescribeCluster, FindCoordinator
        // (group and transaction), Produce, Fetch and the group and transaction apis all go through the proxy
        final String topic = "leak-check";
        try (Admin admin = Admin.create(kafka.adminConfig()))
        {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 2, (short)1))).all().get();
            admin.describeCluster().nodes().get();
            admin.describeTopics(List.of(topic)).allTopicNames().get();
        }
        final Map<String, Object> producerConfig = kafka.producerConfig();
        producerConfig.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "leak-check-txn");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig))
        {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 50; i++)
            {
                producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i));
            }
            producer.commitTransaction();
        }
        final Map<String, Object> consumerConfig = kafka.consumerConfig("leak-check-group");
        consumerConfig.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
        final List<ConsumerRecord<String, String>> received = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig))
        {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(60)).until(() ->
            {
                consumer.poll(ProxiedKafka.pollTimeout()).forEach(received::add);
                return received.size() >= 50;
            });
            consumer.commitSync();
        }

        // When
        final List<CapturedResponse> responses = CAPTURE.responses();

        // Then
        final List<String> endpoints = new BrokerAddressAssertions(kafka.cluster(), kafka.proxy().nodes(),
            ProxiedKafka.ADVERTISED_HOST).assertNoBrokerAddress(responses);
        assertThat(responses).extracting(CapturedResponse::api)
            .contains(ApiKeys.API_VERSIONS, ApiKeys.METADATA, ApiKeys.DESCRIBE_CLUSTER, ApiKeys.FIND_COORDINATOR,
                ApiKeys.PRODUCE, ApiKeys.FETCH, ApiKeys.INIT_PRODUCER_ID, ApiKeys.CONSUMER_GROUP_HEARTBEAT);
        assertThat(endpoints).anyMatch(endpoint -> endpoint.startsWith("Metadata:"))
            .anyMatch(endpoint -> endpoint.startsWith("FindCoordinator:"))
            .anyMatch(endpoint -> endpoint.startsWith("DescribeCluster:"));
    }
}

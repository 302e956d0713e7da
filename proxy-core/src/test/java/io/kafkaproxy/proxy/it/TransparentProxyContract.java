package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.metrics.ProxyMetrics.Side;
import io.kafkaproxy.proxy.testing.BrokerAddressAssertions;
import io.kafkaproxy.proxy.testing.ClientTrafficCapture;
import io.kafkaproxy.proxy.testing.ClientTrafficCapture.CapturedResponse;
import io.kafkaproxy.proxy.testing.ClientWorkloads;
import io.kafkaproxy.proxy.testing.LegacyKafkaClient;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.kafkaproxy.proxy.testing.BrokerCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a client must be able to do through the proxy, run against each broker line by a subclass: producers,
 * consumers, groups, transactions and admin operations of the current Java client, old Java clients, and never a
 * broker address in any response.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TransparentProxyContract
{
    private final ClientTrafficCapture capture = new ClientTrafficCapture();
    private ProxiedKafka kafka;

    /**
     * Starts the single-node cluster the proxy fronts.
     *
     * @param brokerOverrides broker settings the tests need.
     * @return the running cluster.
     */
    abstract BrokerCluster startBrokerCluster(Map<String, String> brokerOverrides);

    /**
     * The old Java client versions this broker line supports.
     *
     * @return kafka-clients versions with jars under target/legacy-clients.
     */
    abstract List<String> legacyClientVersions();

    /**
     * The consumer group protocol to exercise ({@code classic}, or {@code consumer} where the broker offers
     * KIP-848).
     *
     * @return the group.protocol setting.
     */
    abstract String groupProtocol();

    @BeforeAll
    void startKafkaAndProxy()
    {
        kafka = ProxiedKafka.inFrontOf(startBrokerCluster(Map.of("message.max.bytes", Integer.toString(3 << 20))), capture);
    }

    @AfterAll
    void stopKafkaAndProxy()
    {
        kafka.close();
    }

    @Test
    void idempotentProducerWithAcksAllShouldDeliverEveryRecordInOrder() throws Exception
    {
        // Given
        final String topic = "idempotent";
        kafka.createTopic(topic, 3, 1);
        final List<ProducerRecord<String, String>> sent = new ArrayList<>();
        for (int i = 0; i < 3000; i++)
        {
            sent.add(new ProducerRecord<>(topic, "key-" + (i % 17), "value-" + i));
        }

        // When
        ClientWorkloads.sendAll(kafka.producerConfig(), sent);
        final List<ConsumerRecord<String, String>> received = ClientWorkloads.consume(topic, kafka.consumerConfig(null), sent.size());

        // Then: everything once, and in send order within each key
        assertThat(received).extracting(ConsumerRecord::value)
            .containsExactlyInAnyOrderElementsOf(sent.stream().map(ProducerRecord::value).toList());
        final Map<String, List<String>> byKey = new HashMap<>();
        received.forEach(record -> byKey.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(record.value()));
        byKey.forEach((key, values) -> assertThat(values).isSortedAccordingTo(
            (a, b) -> Integer.compare(Integer.parseInt(a.substring(6)), Integer.parseInt(b.substring(6)))));
        assertThat(kafka.proxy().metrics().connectionErrors(Side.BROKER)).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "snappy", "lz4", "zstd"})
    void everyCompressionCodecShouldRoundTrip(final String codec) throws Exception
    {
        // Given
        final String topic = "compressed-" + codec;
        kafka.createTopic(topic, 1, 1);
        final Map<String, Object> producerConfig = kafka.producerConfig();
        producerConfig.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec);
        final List<ProducerRecord<String, String>> sent = new ArrayList<>();
        for (int i = 0; i < 500; i++)
        {
            sent.add(new ProducerRecord<>(topic, "k" + i, ("compressible " + codec + " ").repeat(20) + i));
        }

        // When
        ClientWorkloads.sendAll(producerConfig, sent);
        final List<ConsumerRecord<String, String>> received = ClientWorkloads.consume(topic, kafka.consumerConfig(null), sent.size());

        // Then
        assertThat(received).extracting(ConsumerRecord::value)
            .containsExactlyElementsOf(sent.stream().map(ProducerRecord::value).toList());
    }

    @Test
    void consumerGroupShouldCommitAndResumeFromItsCommittedOffsets() throws Exception
    {
        // Given
        final String topic = "group-resume";
        final String group = "group-resume-app";
        kafka.createTopic(topic, 1, 1);
        final List<ProducerRecord<String, String>> sent = new ArrayList<>();
        for (int i = 0; i < 100; i++)
        {
            sent.add(new ProducerRecord<>(topic, null, "v" + i));
        }
        ClientWorkloads.sendAll(kafka.producerConfig(), sent);
        final TopicPartition partition = new TopicPartition(topic, 0);

        // When: the first member processes 40 records, commits, and leaves
        try (KafkaConsumer<String, String> first = new KafkaConsumer<>(kafka.consumerConfig(group)))
        {
            first.subscribe(List.of(topic));
            final List<ConsumerRecord<String, String>> processed = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() ->
            {
                first.poll(ProxiedKafka.pollTimeout()).forEach(processed::add);
                return processed.size() >= 40;
            });
            first.commitSync(Map.of(partition, new OffsetAndMetadata(40)));
        }
        final List<ConsumerRecord<String, String>> resumed = new ArrayList<>();
        try (KafkaConsumer<String, String> second = new KafkaConsumer<>(kafka.consumerConfig(group)))
        {
            second.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(60)).until(() ->
            {
                second.poll(ProxiedKafka.pollTimeout()).forEach(resumed::add);
                return resumed.size() >= 60;
            });
            second.commitSync();
            assertThat(second.committed(Set.of(partition)).get(partition).offset()).isEqualTo(100);
        }

        // Then: the second member starts exactly where the first committed
        assertThat(resumed).hasSize(60);
        assertThat(resumed.get(0).offset()).isEqualTo(40);
        assertThat(resumed.get(59).value()).isEqualTo("v99");
    }

    @Test
    void transactionsShouldExposeOnlyCommittedRecordsToReadCommittedConsumers() throws Exception
    {
        // Given
        final String topic = "transactional";
        kafka.createTopic(topic, 2, 1);
        final Map<String, Object> producerConfig = kafka.producerConfig();
        producerConfig.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "proxy-it-txn");

        // When: commit 10, abort 5, commit 10
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig))
        {
            producer.initTransactions();
            sendInTransaction(producer, topic, "committed-a-", 10, true);
            sendInTransaction(producer, topic, "aborted-", 5, false);
            sendInTransaction(producer, topic, "committed-b-", 10, true);
        }

        // Then
        final Map<String, Object> readCommitted = kafka.consumerConfig(null);
        readCommitted.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        final List<ConsumerRecord<String, String>> committed = ClientWorkloads.consume(topic, readCommitted, 20);
        assertThat(committed).extracting(ConsumerRecord::value).allMatch(value -> value.startsWith("committed-"));
        final Map<String, Object> readUncommitted = kafka.consumerConfig(null);
        readUncommitted.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        assertThat(ClientWorkloads.consume(topic, readUncommitted, 25)).extracting(ConsumerRecord::value)
            .filteredOn(value -> value.startsWith("aborted-")).hasSize(5);
    }

    @Test
    void adminShouldCreateDescribeAndDeleteTopicsAndSeeOnlyProxyAddresses() throws Exception
    {
        // Given
        final String topic = "admin-lifecycle";
        try (Admin admin = Admin.create(kafka.adminConfig()))
        {
            // When
            admin.createTopics(List.of(new NewTopic(topic, 4, (short)1))).all().get();
            // A broker knows a topic the controller created once its metadata caught up: until then, as straight
            // against a broker, describing it answers UNKNOWN_TOPIC_OR_PARTITION (one clean-clone run in several).
            final TopicDescription description = await().atMost(Duration.ofSeconds(30))
                .ignoreExceptionsMatching(error -> error.getCause() instanceof UnknownTopicOrPartitionException)
                .until(() -> admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic), Objects::nonNull);
            final Collection<Node> nodes = admin.describeCluster().nodes().get();
            final Node controller = admin.describeCluster().controller().get();
            admin.deleteTopics(List.of(topic)).all().get();

            // Then
            assertThat(description.partitions()).hasSize(4);
            assertThat(nodes).singleElement().satisfies(this::assertIsProxyNode);
            assertThat(description.partitions()).allSatisfy(partition -> assertIsProxyNode(partition.leader()));
            assertThat(kafka.upstream().allPorts()).doesNotContain(controller.port());
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(admin.listTopics().names().get()).doesNotContain(topic));
        }
    }

    @Test
    void oneMebibyteRecordShouldRoundTrip() throws Exception
    {
        // Given
        final String topic = "large-record";
        kafka.createTopic(topic, 1, 1);
        final Map<String, Object> producerConfig = kafka.producerConfig();
        producerConfig.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 3 << 20);
        final String value = "0123456789abcdef".repeat(65536);

        // When
        ClientWorkloads.sendAll(producerConfig, List.of(new ProducerRecord<>(topic, "big", value)));
        final List<ConsumerRecord<String, String>> received = ClientWorkloads.consume(topic, kafka.consumerConfig(null), 1);

        // Then
        assertThat(value.length()).isEqualTo(1 << 20);
        assertThat(received).singleElement().extracting(ConsumerRecord::value).isEqualTo(value);
    }

    @Test
    void producerWithAcksZeroShouldKeepItsConnectionInStep() throws Exception
    {
        // Given
        final String topic = "acks-zero";
        kafka.createTopic(topic, 1, 1);
        final Map<String, Object> producerConfig = kafka.producerConfig();
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "0");
        producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        final double brokerErrorsBefore = kafka.proxy().metrics().connectionErrors(Side.BROKER);

        // When: fire-and-forget produces, then requests that do get answers, on the same connection
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig))
        {
            for (int i = 0; i < 500; i++)
            {
                producer.send(new ProducerRecord<>(topic, "v" + i));
            }
            producer.flush();
            kafka.createTopic(topic + "-later", 1, 1);
            assertThat(producer.partitionsFor(topic + "-later")).hasSize(1);
            for (int i = 500; i < 1000; i++)
            {
                producer.send(new ProducerRecord<>(topic, "v" + i));
            }
            producer.flush();
        }

        // Then
        assertThat(ClientWorkloads.consume(topic, kafka.consumerConfig(null), 1000)).hasSize(1000);
        assertThat(kafka.proxy().metrics().connectionErrors(Side.BROKER)).isEqualTo(brokerErrorsBefore);
    }

    @ParameterizedTest
    @MethodSource("legacyClientVersions")
    void legacyClientShouldProduceAndConsumeInAGroup(final String version) throws Exception
    {
        // Given
        final String topic = "legacy-" + version.replace('.', '-');
        kafka.createTopic(topic, 2, 1);
        final List<String> values = new ArrayList<>();
        for (int i = 0; i < 200; i++)
        {
            values.add(version + "-" + i);
        }

        // When: an old client produces (plain and gzip) and consumes in a group, all through the proxy
        final List<String> consumed;
        try (LegacyKafkaClient client = LegacyKafkaClient.load(version))
        {
            client.produce(kafka.bootstrapServers(), topic, values.subList(0, 100), "none");
            client.produce(kafka.bootstrapServers(), topic, values.subList(100, 200), "gzip");
            consumed = client.consumeInGroup(kafka.bootstrapServers(), topic, topic + "-group", values.size());
        }

        // Then: and the current client agrees
        assertThat(consumed).containsExactlyInAnyOrderElementsOf(values);
        assertThat(ClientWorkloads.consume(topic, kafka.consumerConfig(null), values.size()))
            .extracting(ConsumerRecord::value).containsExactlyInAnyOrderElementsOf(values);
    }

    @Test
    void clientsShouldNeverBeToldARealBrokerAddress() throws Exception
    {
        // Given: admin, transactional producer and group consumer, so that Metadata, DescribeCluster,
        // FindCoordinator (group and transaction), Produce, Fetch and the group and transaction apis all pass
        final String topic = "leak-check";
        try (Admin admin = Admin.create(kafka.adminConfig()))
        {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short)1))).all().get();
            admin.describeCluster().nodes().get();
            // A topic just created is described once the broker has applied the controller's record of it.
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> admin.describeTopics(List.of(topic)).allTopicNames().get().containsKey(topic));
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
        consumerConfig.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, groupProtocol());
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

        // When: everything every test of this class was sent so far
        final List<CapturedResponse> responses = capture.responses();

        // Then
        final List<String> endpoints = new BrokerAddressAssertions(kafka).assertNoBrokerAddress(responses);
        assertThat(responses).extracting(CapturedResponse::api)
            .contains(ApiKeys.API_VERSIONS, ApiKeys.METADATA, ApiKeys.DESCRIBE_CLUSTER, ApiKeys.FIND_COORDINATOR,
                ApiKeys.PRODUCE, ApiKeys.FETCH, ApiKeys.INIT_PRODUCER_ID);
        assertThat(endpoints).anyMatch(endpoint -> endpoint.startsWith("Metadata:"))
            .anyMatch(endpoint -> endpoint.startsWith("FindCoordinator:"))
            .anyMatch(endpoint -> endpoint.startsWith("DescribeCluster:"));
    }

    private void assertIsProxyNode(final Node node)
    {
        assertThat(node.host()).isEqualTo(ProxiedKafka.ADVERTISED_HOST);
        assertThat(kafka.proxy().nodes().nodes())
            .anySatisfy(known -> assertThat(known.proxyPort()).isEqualTo(node.port()));
        assertThat(kafka.upstream().allPorts()).doesNotContain(node.port());
    }

    private static void sendInTransaction(
        final KafkaProducer<String, String> producer, final String topic, final String prefix, final int count, final boolean commit)
    {
        producer.beginTransaction();
        for (int i = 0; i < count; i++)
        {
            producer.send(new ProducerRecord<>(topic, prefix + i, prefix + i));
        }
        if (commit)
        {
            producer.commitTransaction();
        }
        else
        {
            producer.flush();
            producer.abortTransaction();
        }
    }
}

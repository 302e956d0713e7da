package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.routing.BrokerNodeRegistry.BrokerNode;
import io.kafkaproxy.proxy.testing.BrokerAddressAssertions;
import io.kafkaproxy.proxy.testing.ClientTrafficCapture;
import io.kafkaproxy.proxy.testing.ClientWorkloads;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.kafkaproxy.proxy.testing.RawKafkaConnection;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A three-node cluster with sparse and large node ids behind one proxy: a listener per node, leadership moving
 * under a running producer, coordinators on every node, and a broker going away and coming back.
 */
class ThreeNodeClusterIT
{
    private static final List<Integer> NODE_IDS = List.of(1, 70_000, 2_000_000_000);
    private static final ClientTrafficCapture CAPTURE = new ClientTrafficCapture();
    private static ProxiedKafka kafka;

    @BeforeAll
    static void startKafkaAndProxy()
    {
        kafka = ProxiedKafka.start(NODE_IDS, Map.of("min.insync.replicas", "2"), CAPTURE);
    }

    @AfterAll
    static void stopKafkaAndProxy()
    {
        kafka.close();
    }

    @Test
    void eachBrokerNodeShouldGetItsOwnProxyListener() throws Exception
    {
        // When
        final Collection<Node> nodes;
        try (Admin admin = Admin.create(kafka.adminConfig()))
        {
            nodes = admin.describeCluster().nodes().get();
        }

        // Then: real node ids, the proxy's host, one distinct proxy port each, no broker port
        assertThat(nodes).extracting(Node::id).containsExactlyInAnyOrderElementsOf(NODE_IDS);
        assertThat(nodes).extracting(Node::host).containsOnly(ProxiedKafka.ADVERTISED_HOST);
        assertThat(nodes).extracting(Node::port).doesNotHaveDuplicates().doesNotContainAnyElementsOf(kafka.cluster().allPorts());
        assertThat(kafka.proxy().nodes().nodes()).extracting(BrokerNode::nodeId).containsExactlyInAnyOrderElementsOf(NODE_IDS);
    }

    @Test
    void producerShouldSurviveItsLeaderRestartingMidStream() throws Exception
    {
        // Given: a producer sending without pause to a replicated topic, a bounded number of records per phase
        final String topic = "leader-moves";
        kafka.createTopic(topic, 3, 3);
        final int leader = leaderOf(topic, 0);
        final Map<String, Object> producerConfig = kafka.producerConfig();
        producerConfig.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        final ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
        final Semaphore sendPermits = new Semaphore(1000);
        final AtomicBoolean producing = new AtomicBoolean(true);
        final AtomicReference<Exception> producerFailure = new AtomicReference<>();
        final Thread producerThread = new Thread(
            () -> produceUntilStopped(producerConfig, topic, sendPermits, producing, acknowledged, producerFailure),
            "leader-moves-producer");
        producerThread.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() >= 500);

        // When: the leader of partition 0 stops and comes back while records keep flowing
        sendPermits.release(1000);
        kafka.cluster().stopNode(leader);
        final int acknowledgedWhileDown = acknowledged.size();
        sendPermits.release(1000);
        await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= acknowledgedWhileDown + 200);
        kafka.cluster().startNode(leader);
        final int acknowledgedAfterRestart = acknowledged.size();
        sendPermits.release(1000);
        await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= acknowledgedAfterRestart + 200);
        // And leadership moves back under load, so brokers answer NOT_LEADER_OR_FOLLOWER with the new leader's
        // endpoint (KIP-951), which the proxy must rewrite too.
        await().atMost(Duration.ofSeconds(60)).until(() -> isInSync(topic, 0, leader));
        try (Admin admin = Admin.create(kafka.adminConfig()))
        {
            admin.electLeaders(ElectionType.PREFERRED, Set.of(new TopicPartition(topic, 0))).all().get();
        }
        final int acknowledgedAfterElection = acknowledged.size();
        sendPermits.release(1000);
        await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= acknowledgedAfterElection + 200);
        assertThat(leaderOf(topic, 0)).isEqualTo(leader);
        producing.set(false);
        producerThread.join();

        // Then: every acknowledged record is there exactly once, and no response named a broker
        assertThat(producerFailure.get()).isNull();
        final List<ConsumerRecord<String, String>> consumed = ClientWorkloads.consume(topic, kafka.consumerConfig(null), acknowledged.size());
        final Set<String> consumedValues = consumed.stream().map(ConsumerRecord::value).collect(Collectors.toSet());
        assertThat(consumedValues).as("no record consumed twice").hasSameSizeAs(consumed);
        final Set<String> missing = new HashSet<>(acknowledged);
        missing.removeAll(consumedValues);
        assertThat(missing).as("acknowledged records never consumed").isEmpty();
        new BrokerAddressAssertions(kafka)
            .assertNoBrokerAddress(CAPTURE.responses());
    }

    @Test
    void consumerGroupsShouldFindTheirCoordinatorsOnEveryNode() throws Exception
    {
        // Given: enough groups that their coordinators land on more than one node
        final String topic = "coordinated";
        kafka.createTopic(topic, 2, 3);
        ClientWorkloads.sendAll(kafka.producerConfig(), List.of(new ProducerRecord<>(topic, "k", "v")));
        final List<String> groups = new ArrayList<>();
        for (int i = 0; i < 12; i++)
        {
            groups.add("coordinated-group-" + i);
        }

        // When: each group consumes and commits, then is described
        for (final String group : groups)
        {
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(kafka.consumerConfig(group)))
            {
                consumer.subscribe(List.of(topic));
                await().atMost(Duration.ofSeconds(60)).until(() -> !consumer.poll(ProxiedKafka.pollTimeout()).isEmpty());
                consumer.commitSync();
            }
        }
        final Map<String, ConsumerGroupDescription> descriptions;
        try (Admin admin = Admin.create(kafka.adminConfig()))
        {
            descriptions = admin.describeConsumerGroups(groups).all().get();
        }

        // Then
        final Set<Integer> coordinatorNodes = descriptions.values().stream()
            .map(ConsumerGroupDescription::coordinator)
            .peek(node -> assertThat(node.host()).isEqualTo(ProxiedKafka.ADVERTISED_HOST))
            .peek(node -> assertThat(kafka.cluster().allPorts()).doesNotContain(node.port()))
            .map(Node::id)
            .collect(Collectors.toSet());
        assertThat(coordinatorNodes).hasSizeGreaterThan(1);
    }

    @Test
    void clientConnectionsToAStoppedBrokerShouldCloseAndRecoverWhenItReturns() throws Exception
    {
        // Given: an open connection through a node's own listener
        try (Admin admin = Admin.create(kafka.adminConfig()))
        {
            admin.describeCluster().nodes().get();
        }
        final int nodeId = NODE_IDS.get(1);
        final InetSocketAddress nodeListener = nodeListener(nodeId);
        final RawKafkaConnection connection = RawKafkaConnection.open(nodeListener);
        connection.sendApiVersionsV0(1);
        assertThat(connection.readFrame().getInt()).isEqualTo(1);

        // When
        kafka.cluster().stopNode(nodeId);
        try
        {
            // Then: the proxy closes the client's connection, and refuses new ones promptly, so clients re-bootstrap
            assertThat(connection.closedByPeer()).isTrue();
            connection.close();
            try (RawKafkaConnection refused = RawKafkaConnection.open(nodeListener))
            {
                // A client speaks first; the proxy connects to the broker once its first request is whole.
                refused.sendApiVersionsV0(3);
                assertThat(refused.closedByPeer()).isTrue();
            }
        }
        finally
        {
            kafka.cluster().startNode(nodeId);
        }

        // And: once the broker is back, the same listener forwards again
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        {
            try (RawKafkaConnection again = RawKafkaConnection.open(nodeListener))
            {
                again.sendApiVersionsV0(2);
                assertThat(again.readFrame().getInt()).isEqualTo(2);
            }
        });
    }

    private static InetSocketAddress nodeListener(final int nodeId)
    {
        final int port = kafka.proxy().nodes().nodes().stream()
            .filter(node -> node.nodeId() == nodeId).findFirst().orElseThrow().proxyPort();
        return new InetSocketAddress(ProxiedKafka.ADVERTISED_HOST, port);
    }

    private static boolean isInSync(final String topic, final int partition, final int nodeId) throws Exception
    {
        try (Admin admin = Admin.create(kafka.adminConfig()))
        {
            return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().get(partition)
                .isr().stream().anyMatch(node -> node.id() == nodeId);
        }
    }

    private static int leaderOf(final String topic, final int partition) throws Exception
    {
        try (Admin admin = Admin.create(kafka.adminConfig()))
        {
            final TopicPartitionInfo info = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic)
                .partitions().get(partition);
            return info.leader().id();
        }
    }

    private static void produceUntilStopped(
        final Map<String, Object> producerConfig,
        final String topic,
        final Semaphore sendPermits,
        final AtomicBoolean producing,
        final ConcurrentLinkedQueue<String> acknowledged,
        final AtomicReference<Exception> failure)
    {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig))
        {
            int sequence = 0;
            while (producing.get())
            {
                if (!sendPermits.tryAcquire(50, TimeUnit.MILLISECONDS))
                {
                    continue;
                }
                final String value = "record-" + sequence++;
                producer.send(new ProducerRecord<>(topic, Integer.toString(sequence % 3), value), (metadata, error) ->
                {
                    if (error == null)
                    {
                        acknowledged.add(value);
                    }
                    else
                    {
                        failure.compareAndSet(null, error);
                    }
                });
            }
            producer.flush();
        }
        catch (final Exception e)
        {
            failure.compareAndSet(null, e);
        }
    }
}

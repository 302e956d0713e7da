package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.config.AclConfig;
import io.kafkaproxy.proxy.config.ClusterConfig;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.ListenerConfig;
import io.kafkaproxy.proxy.config.NodePortsConfig;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.metrics.ApiMeters;
import io.kafkaproxy.proxy.metrics.PolicyMetrics;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.net.KafkaProxy;
import io.kafkaproxy.proxy.routing.BrokerNodeRegistry.BrokerNode;
import io.kafkaproxy.proxy.testing.ClientWorkloads;
import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.kafkaproxy.proxy.testing.PolicyConfigs;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.micrometer.core.instrument.Counter;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Two virtual clusters on separate ports, each in front of its own broker: a client of one reaches only its broker,
 * is told only of the proxy's addresses, and is judged by that cluster's ACL rules alone.
 */
class VirtualClustersIT
{
    private static final String EAST = "east";
    private static final String WEST = "west";
    /** East lets every client use its {@code east-} topics and nothing else; west allows everything. */
    private static final AclConfig EAST_ACL = PolicyConfigs.parse("""
        acl:
          defaultPolicy: deny
          rules:
            - {effect: allow, principal: "*", resourceType: cluster, operations: [describe, idempotentWrite]}
            - {effect: allow, principal: "*", resourceType: topic, resourceName: east-, patternType: prefixed, operations: [all]}
        """).acl();
    private static InJvmKafka eastBroker;
    private static InJvmKafka westBroker;
    private static KafkaProxy proxy;

    @BeforeAll
    static void startBrokersAndProxy()
    {
        eastBroker = InJvmKafka.start(List.of(1), Map.of());
        westBroker = InJvmKafka.start(List.of(1), Map.of());
        proxy = KafkaProxy.builder(twoClusters(eastBroker, westBroker)).start();
    }

    @AfterAll
    static void stopProxyAndBrokers()
    {
        if (proxy != null)
        {
            proxy.close();
        }
        westBroker.close();
        eastBroker.close();
    }

    private static ProxyConfig twoClusters(final InJvmKafka east, final InJvmKafka west)
    {
        return ProxiedKafka.proxyConfig(east.bootstrapServers()).toBuilder()
            .clusters(List.of(cluster(EAST, east, EAST_ACL), cluster(WEST, west, null)))
            .build();
    }

    private static ClusterConfig cluster(final String name, final InJvmKafka broker, final AclConfig acl)
    {
        return new ClusterConfig(name, null, ProxiedKafka.proxyConfig(broker.bootstrapServers()).upstream(),
            new ListenerConfig(name, new HostPort(ProxiedKafka.ADVERTISED_HOST, 0), ProxiedKafka.ADVERTISED_HOST,
                new NodePortsConfig(0, 1), null), null, acl, null, null);
    }

    @Test
    void recordsProducedThroughEachClusterShouldLandOnItsOwnBroker() throws Exception
    {
        // Given
        ClientWorkloads.createTopic(eastBroker.bootstrapServers(), "east-orders", 1);
        ClientWorkloads.createTopic(westBroker.bootstrapServers(), "west-orders", 1);

        // When
        ClientWorkloads.sendAll(producerConfig(EAST), records("east-orders", 20));
        ClientWorkloads.sendAll(producerConfig(WEST), records("west-orders", 30));

        // Then: each broker holds its cluster's records, read from the broker itself, and never heard of the other's topic
        assertThat(ClientWorkloads.consume("east-orders", ClientWorkloads.stringConsumerConfig(eastBroker.bootstrapServers()), 20))
            .extracting(ConsumerRecord::value).containsExactlyInAnyOrderElementsOf(values(20));
        assertThat(ClientWorkloads.consume("west-orders", ClientWorkloads.stringConsumerConfig(westBroker.bootstrapServers()), 30))
            .extracting(ConsumerRecord::value).containsExactlyInAnyOrderElementsOf(values(30));
        assertThat(topicsOf(eastBroker.bootstrapServers())).doesNotContain("west-orders");
        assertThat(topicsOf(westBroker.bootstrapServers())).doesNotContain("east-orders");

        // And: consumed back through the proxy, each cluster shows its own records
        assertThat(ClientWorkloads.consume("west-orders", ClientWorkloads.stringConsumerConfig(
            proxy.advertisedBootstrapServers(WEST)), 30)).hasSize(30);
    }

    @Test
    void metadataShouldNameOnlyEachClustersProxyAddresses() throws Exception
    {
        // Given
        final List<Integer> brokerPorts = new ArrayList<>(eastBroker.allPorts());
        brokerPorts.addAll(westBroker.allPorts());

        for (final String cluster : List.of(EAST, WEST))
        {
            // When
            final Collection<Node> nodes;
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                proxy.advertisedBootstrapServers(cluster))))
            {
                nodes = admin.describeCluster().nodes().get();
            }

            // Then
            final List<Integer> proxyPorts = proxy.nodes(cluster).nodes().stream().map(BrokerNode::proxyPort).toList();
            assertThat(nodes).isNotEmpty().allSatisfy(node ->
            {
                assertThat(node.host()).isEqualTo(ProxiedKafka.ADVERTISED_HOST);
                assertThat(node.port()).isIn(proxyPorts).isNotIn(brokerPorts);
            });
        }
        assertThat(proxy.nodes(EAST).nodes().get(0).proxyPort()).isNotEqualTo(proxy.nodes(WEST).nodes().get(0).proxyPort());
    }

    @Test
    void eachClustersAclShouldApplyToItsClientsOnly() throws Exception
    {
        // Given: the same topic name on both brokers
        ClientWorkloads.createTopic(eastBroker.bootstrapServers(), "shared", 1);
        ClientWorkloads.createTopic(westBroker.bootstrapServers(), "shared", 1);
        final Map<String, Object> eastProducer = producerConfig(EAST);
        eastProducer.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);

        // When / Then: east's rules deny it, west's allow it
        assertThatThrownBy(() -> ClientWorkloads.sendAll(eastProducer, records("shared", 1)))
            .isInstanceOf(ExecutionException.class)
            .hasCauseInstanceOf(TopicAuthorizationException.class);
        ClientWorkloads.sendAll(producerConfig(WEST), records("shared", 5));
        assertThat(ClientWorkloads.consume("shared", ClientWorkloads.stringConsumerConfig(westBroker.bootstrapServers()), 5))
            .hasSize(5);

        // And: the denial is counted under east's label only
        assertThat(denials(EAST)).isPositive();
        assertThat(denials(WEST)).isZero();
    }

    @Test
    void eachClustersCircuitMetersShouldCarryItsLabelAndOnlyItsBrokers() throws Exception
    {
        // Given: both clusters carried traffic
        ClientWorkloads.createTopic(westBroker.bootstrapServers(), "west-circuits", 1);
        ClientWorkloads.sendAll(producerConfig(WEST), records("west-circuits", 1));
        ClientWorkloads.createTopic(eastBroker.bootstrapServers(), "east-circuits", 1);
        ClientWorkloads.sendAll(producerConfig(EAST), records("east-circuits", 1));

        // When
        final List<String> eastCircuits = circuitBrokers(EAST);
        final List<String> westCircuits = circuitBrokers(WEST);

        // Then
        assertThat(eastCircuits).isNotEmpty().allSatisfy(broker -> assertThat(port(broker)).isIn(eastBroker.allPorts()));
        assertThat(westCircuits).isNotEmpty().allSatisfy(broker -> assertThat(port(broker)).isIn(westBroker.allPorts()));
        assertThat(proxy.meterRegistry().find(ProxyMetrics.CIRCUIT_STATE).gauges())
            .allSatisfy(gauge -> assertThat(gauge.getId().getTag(ProxyMetrics.CLUSTER)).isIn(EAST, WEST));
        assertThat(proxy.meterRegistry().find(PolicyMetrics.THROTTLE_TIME).timers())
            .extracting(timer -> timer.getId().getTag(ProxyMetrics.CLUSTER)).containsOnly(EAST, WEST);
        assertThat(proxy.meterRegistry().find(ProxyMetrics.CLUSTER_CONNECTIONS).gauges())
            .extracting(gauge -> gauge.getId().getTag(ProxyMetrics.CLUSTER)).containsExactlyInAnyOrder(EAST, WEST);
    }

    @Test
    void requestsThroughEastShouldBeCountedUnderEastOnly() throws Exception
    {
        // Given
        ClientWorkloads.createTopic(eastBroker.bootstrapServers(), "east-counted", 1);
        final double eastBefore = produceRequests(EAST);
        final double westBefore = produceRequests(WEST);

        // When: produced through east's listener only
        ClientWorkloads.sendAll(producerConfig(EAST), records("east-counted", 5));

        // Then: east's request meters counted them, west's did not move, and none went unlabelled
        assertThat(produceRequests(EAST)).isGreaterThan(eastBefore);
        assertThat(produceRequests(WEST)).isEqualTo(westBefore);
        assertThat(proxy.meterRegistry().find(ApiMeters.FRAMES).counters())
            .extracting(counter -> counter.getId().getTag(ProxyMetrics.CLUSTER)).containsOnly(EAST, WEST);
        assertThat(proxy.meterRegistry().find(ProxyMetrics.ACTIVE_CONNECTIONS).tag(ProxyMetrics.CLUSTER, EAST).gauges())
            .hasSize(2);
    }

    private static double produceRequests(final String cluster)
    {
        return proxy.meterRegistry().find(ApiMeters.FRAMES).tag(ProxyMetrics.CLUSTER, cluster).tag(ApiMeters.API, "Produce")
            .tag(ApiMeters.DIRECTION, "client_to_broker").counters().stream().mapToDouble(Counter::count).sum();
    }

    private static double denials(final String cluster)
    {
        return proxy.meterRegistry().find(PolicyMetrics.DENIALS).tag(ProxyMetrics.CLUSTER, cluster).counters().stream()
            .mapToDouble(Counter::count).sum();
    }

    private static List<String> circuitBrokers(final String cluster)
    {
        return proxy.meterRegistry().find(ProxyMetrics.CIRCUIT_STATE).tag(ProxyMetrics.CLUSTER, cluster).gauges().stream()
            .map(gauge -> gauge.getId().getTag(ProxyMetrics.BROKER)).toList();
    }

    private static int port(final String broker)
    {
        return Integer.parseInt(broker.substring(broker.lastIndexOf(':') + 1));
    }

    @Test
    void theProxyShouldBeReadyWhenEveryClusterIs() throws Exception
    {
        // When
        final String reason = proxy.readiness().toCompletableFuture().get();

        // Then
        assertThat(reason).isNull();
        assertThat(proxy.bootstrapAddress(EAST).getPort()).isNotEqualTo(proxy.bootstrapAddress(WEST).getPort());
    }

    private static Map<String, Object> producerConfig(final String cluster)
    {
        final Map<String, Object> config = ClientWorkloads.stringProducerConfig(proxy.advertisedBootstrapServers(cluster));
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        return config;
    }

    private static List<ProducerRecord<String, String>> records(final String topic, final int count)
    {
        return IntStream.range(0, count).mapToObj(i -> new ProducerRecord<>(topic, "k" + i, "v" + i)).toList();
    }

    private static List<String> values(final int count)
    {
        return IntStream.range(0, count).mapToObj(i -> "v" + i).toList();
    }

    private static List<String> topicsOf(final String bootstrapServers) throws Exception
    {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers)))
        {
            return new ArrayList<>(admin.listTopics().names().get());
        }
    }
}

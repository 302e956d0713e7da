package io.kafkaproxy.proxy.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kafkaproxy.proxy.config.ConfigParser;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.failover.ActiveUpstream;
import io.kafkaproxy.proxy.failover.ClusterFailover;
import io.kafkaproxy.proxy.metrics.MirrorMetrics;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.net.KafkaProxy;
import io.kafkaproxy.proxy.routing.BrokerNodeRegistry.BrokerNode;
import io.kafkaproxy.proxy.testing.ClientWorkloads;
import io.kafkaproxy.proxy.testing.DataCentrePair;
import io.kafkaproxy.proxy.testing.ExternalCommand;
import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.kafkaproxy.proxy.testing.SteadyProducer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 14 as a whole, with three brokers and real clients: one proxy, configured in the {@code clusters:} form of the
 * YAML file, serves {@code east} (primary A, standby B, failover manual, its {@code orders*} topics mirrored to C) and
 * {@code west} (C alone) on ports of their own. East's records land on A and are copied to C; west's clients see C
 * through west's port; east's failover under an idempotent producer loses no acknowledged record and leaves no
 * connection to A, while west's clients carry on over the same sockets; every per-cluster meter names its cluster.
 *
 * <p>The tests run in order: the first sees east on A, the second switches it to B for good.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiClusterIT
{
    private static final String EAST = "east";
    private static final String WEST = "west";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static InJvmKafka brokerA;
    private static InJvmKafka brokerB;
    private static InJvmKafka brokerC;
    private static KafkaProxy proxy;

    @BeforeAll
    static void startThreeBrokersAndTheProxy() throws Exception
    {
        brokerA = InJvmKafka.start(List.of(1), Map.of("auto.create.topics.enable", "false"));
        brokerB = InJvmKafka.start(List.of(1), Map.of("auto.create.topics.enable", "false"));
        brokerC = InJvmKafka.start(List.of(1), Map.of("auto.create.topics.enable", "false"));
        for (final InJvmKafka broker : List.of(brokerA, brokerB, brokerC))
        {
            ClientWorkloads.createTopic(broker.bootstrapServers(), "orders", 1);
            ClientWorkloads.createTopic(broker.bootstrapServers(), "orders-failover", 1);
        }
        ClientWorkloads.createTopic(brokerC.bootstrapServers(), "west-events", 1);
        proxy = KafkaProxy.builder(parse(yaml())).start();
        await().atMost(TIMEOUT).until(() -> proxy.mirror().accepting());
        // Probed once at start and not again (an hour's interval): the connections counted to A are the clients'.
        final ClusterFailover east = proxy.clusterFailover(EAST);
        await().atMost(TIMEOUT).until(() -> east.status().upstreams().stream()
            .allMatch(upstream -> upstream.lastProbe() != null && upstream.lastProbe().ok()));
    }

    @AfterAll
    static void stopTheProxyAndBrokers()
    {
        if (proxy != null)
        {
            proxy.close();
        }
        for (final InJvmKafka broker : new InJvmKafka[] {brokerC, brokerB, brokerA})
        {
            if (broker != null)
            {
                broker.close();
            }
        }
    }

    private static String yaml()
    {
        final String listener = "{bindAddress: " + ProxiedKafka.ADVERTISED_HOST + ":0, advertisedHost: " +
            ProxiedKafka.ADVERTISED_HOST + ", nodePorts: {first: 0, count: 1}}";
        return "clusters:\n" +
            "  - name: east\n" +
            "    upstream:\n" +
            "      bootstrapServers: [" + brokerA.bootstrapServers() + "]\n" +
            "      standby:\n" +
            "        bootstrapServers: [" + brokerB.bootstrapServers() + "]\n" +
            "      failover:\n" +
            "        probeInterval: 1h\n" +
            "        probeTimeout: 5s\n" +
            "        failureThreshold: 0\n" +
            "        failback: manual\n" +
            "    listener: " + listener + "\n" +
            "    mirror:\n" +
            "      bootstrapServers: [" + brokerC.bootstrapServers() + "]\n" +
            "      topics: [\"orders*\"]\n" +
            "      memory: 4MiB\n" +
            "      acks: -1\n" +
            "      requestTimeout: 10s\n" +
            "  - name: west\n" +
            "    upstream:\n" +
            "      bootstrapServers: [" + brokerC.bootstrapServers() + "]\n" +
            "    listener: " + listener + "\n" +
            "network: {ioThreads: 2, maxRequestSizeBytes: 16MiB, maxResponseSizeBytes: 32MiB}\n" +
            "memory: {poolSizeBytes: 64MiB, chunkSizeBytes: 256KiB}\n" +
            "admin: {enabled: true, bindAddress: " + ProxiedKafka.ADVERTISED_HOST + ":0}\n";
    }

    private static ProxyConfig parse(final String yaml) throws Exception
    {
        final ProxyConfig config = ConfigParser.parse(yaml, "multi-cluster-it.yaml");
        assertThat(config.clusters()).extracting(cluster -> cluster.name()).containsExactly(EAST, WEST);
        return config;
    }

    @Test
    @Order(1)
    void eastsOrdersShouldLandOnAAndBeMirroredToCWhileWestSeesCThroughItsOwnPort() throws Exception
    {
        // Given
        final Map<String, Object> eastProducer = ClientWorkloads.stringProducerConfig(proxy.advertisedBootstrapServers(EAST));
        eastProducer.put(ProducerConfig.ACKS_CONFIG, "all");

        // When
        ClientWorkloads.sendAll(eastProducer, records("orders", 40));

        // Then: on A (east's primary), not on B, and copied to C by the mirror
        final List<String> sent = values(40);
        assertThat(DataCentrePair.valuesIn(brokerA, "orders")).containsExactlyInAnyOrderElementsOf(sent);
        assertThat(DataCentrePair.valuesIn(brokerB, "orders")).isEmpty();
        await().atMost(TIMEOUT).untilAsserted(() ->
            assertThat(DataCentrePair.valuesIn(brokerC, "orders")).containsExactlyInAnyOrderElementsOf(sent));

        // And: west's clients read C's copy through west's own port
        assertThat(ClientWorkloads.consume("orders", ClientWorkloads.stringConsumerConfig(proxy.advertisedBootstrapServers(WEST)), 40))
            .extracting(ConsumerRecord::value).containsExactlyInAnyOrderElementsOf(sent);

        // And: each cluster's metadata names only its own proxy addresses, never a broker's
        final Set<Integer> brokerPorts = new HashSet<>(brokerA.allPorts());
        brokerPorts.addAll(brokerB.allPorts());
        brokerPorts.addAll(brokerC.allPorts());
        for (final String cluster : List.of(EAST, WEST))
        {
            final List<Integer> proxyPorts = proxy.clusterNodes(cluster).nodes().stream().map(BrokerNode::proxyPort).toList();
            assertThat(describedNodes(cluster)).isNotEmpty().allSatisfy(node ->
            {
                assertThat(node.host()).isEqualTo(ProxiedKafka.ADVERTISED_HOST);
                assertThat(node.port()).isIn(proxyPorts).isNotIn(brokerPorts);
            });
        }
        assertThat(proxy.bootstrapAddress(EAST).getPort()).isNotEqualTo(proxy.bootstrapAddress(WEST).getPort());
    }

    @Test
    @Order(2)
    void eastsFailoverThroughTheAdminApiShouldLoseNoAcknowledgedRecordAndLeaveWestUntouched() throws Exception
    {
        // Given: an idempotent producer on east, a producer on west, both acknowledged
        final String topic = "orders-failover";
        final SteadyProducer east = SteadyProducer.start(topic, DataCentreFailoverIT.producerConfig(proxy));
        final Map<String, Object> westConfig = DataCentreFailoverIT.producerConfig(proxy);
        westConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, proxy.advertisedBootstrapServers(WEST));
        final SteadyProducer west = SteadyProducer.start("west-events", westConfig);
        final HttpResponse<String> failover;
        final Set<String> westSocketsBefore;
        try
        {
            east.awaitMoreAcknowledged(200, Duration.ofSeconds(60));
            west.awaitMoreAcknowledged(200, Duration.ofSeconds(60));
            assertThat(DataCentrePair.connectionsTo(brokerA)).isNotEmpty();
            westSocketsBefore = clientSocketsTo(westNodePorts());
            assertThat(westSocketsBefore).isNotEmpty();

            // When
            failover = admin("POST", "/clusters/east/failover");

            // Then: both producers carry on
            assertThat(failover.statusCode()).as(failover.body()).isEqualTo(200);
            east.awaitMoreAcknowledged(200, Duration.ofSeconds(90));
            west.awaitMoreAcknowledged(200, Duration.ofSeconds(60));
            await().atMost(TIMEOUT).untilAsserted(() -> assertThat(DataCentrePair.connectionsTo(brokerA)).isEmpty());
            assertThat(clientSocketsTo(westNodePorts())).containsAll(westSocketsBefore);
        }
        finally
        {
            east.close();
            west.close();
        }

        // Then: every acknowledged east record is on A or B, B holds the ones after the switch; west's are all on C
        assertThat(JSON.readTree(failover.body()).get("active").asText()).isEqualTo("standby");
        final Set<String> onA = DataCentrePair.valuesIn(brokerA, topic);
        final Set<String> onB = DataCentrePair.valuesIn(brokerB, topic);
        assertThat(onB).isNotEmpty();
        assertThat(east.acknowledged().stream().filter(value -> !onA.contains(value) && !onB.contains(value)).toList()).isEmpty();
        final Set<String> onC = DataCentrePair.valuesIn(brokerC, "west-events");
        assertThat(west.acknowledged().stream().filter(value -> !onC.contains(value)).toList()).isEmpty();
        assertThat(west.failures()).isEmpty();
        assertThat(DataCentrePair.connectionsTo(brokerA)).isEmpty();

        // And: the admin API shows both clusters, east on its standby, west never switched
        final HttpResponse<String> clusters = admin("GET", "/clusters");
        assertThat(clusters.statusCode()).isEqualTo(200);
        final JsonNode states = JSON.readTree(clusters.body());
        assertThat(states).hasSize(2);
        assertThat(states.get(0).get("name").asText()).isEqualTo(EAST);
        assertThat(states.get(0).get("active").asText()).isEqualTo("standby");
        assertThat(states.get(0).get("generation").asLong()).isEqualTo(1);
        assertThat(states.get(1).get("name").asText()).isEqualTo(WEST);
        assertThat(states.get(1).get("active").asText()).isEqualTo("primary");
        assertThat(states.get(1).get("generation").asLong()).isZero();
        assertThat(proxy.clusterFailover(WEST).active()).isEqualTo(ActiveUpstream.PRIMARY);
    }

    @Test
    @Order(3)
    void everyPerClusterMeterShouldNameItsCluster() throws Exception
    {
        // Given: traffic on both clusters
        final Map<String, Object> eastProducer = ClientWorkloads.stringProducerConfig(proxy.advertisedBootstrapServers(EAST));
        eastProducer.put(ProducerConfig.ACKS_CONFIG, "all");
        final double mirroredBefore = mirrored(EAST);
        ClientWorkloads.sendAll(eastProducer, records("orders", 10));
        ClientWorkloads.sendAll(ClientWorkloads.stringProducerConfig(proxy.advertisedBootstrapServers(WEST)), records("west-events", 10));

        // Then: the mirror's records are east's, west has no mirror
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(mirrored(EAST) - mirroredBefore).isEqualTo(10.0));
        assertThat(proxy.meterRegistry().find(MirrorMetrics.RECORDS).meters())
            .extracting(meter -> meter.getId().getTag(MirrorMetrics.CLUSTER)).containsOnly(EAST);

        // And: the switch is east's, west never switched
        assertThat(switches(EAST)).isEqualTo(1.0);
        assertThat(proxy.meterRegistry().get(ProxyMetrics.CLUSTER_SWITCHES).tag(ProxyMetrics.CLUSTER, EAST)
            .tag("to", "standby").tag("trigger", "manual").counter().count()).isEqualTo(1.0);
        assertThat(switches(WEST)).isZero();
        assertThat(proxy.meterRegistry().get(ProxyMetrics.CLUSTER_ACTIVE_UPSTREAM).tag(ProxyMetrics.CLUSTER, EAST).gauge().value())
            .isEqualTo(1.0);

        // And: each cluster's connections are counted under its own label
        assertThat(proxy.meterRegistry().find(ProxyMetrics.CLUSTER_CONNECTIONS).meters())
            .extracting(meter -> meter.getId().getTag(ProxyMetrics.CLUSTER)).containsExactlyInAnyOrder(EAST, WEST);
        assertThat(tagsOf(ProxyMetrics.CLUSTER_SWITCHES)).containsOnly(EAST);
    }

    private static double mirrored(final String cluster)
    {
        final Counter counter = proxy.meterRegistry().find(MirrorMetrics.RECORDS).tag(MirrorMetrics.CLUSTER, cluster)
            .tag(MirrorMetrics.OUTCOME, "mirrored").counter();
        return counter == null ? 0 : counter.count();
    }

    private static double switches(final String cluster)
    {
        return proxy.meterRegistry().find(ProxyMetrics.CLUSTER_SWITCHES).tag(ProxyMetrics.CLUSTER, cluster).counters().stream()
            .mapToDouble(Counter::count).sum();
    }

    private static List<String> tagsOf(final String meterName)
    {
        return proxy.meterRegistry().find(meterName).meters().stream().map(Meter::getId)
            .map(id -> id.getTag(ProxyMetrics.CLUSTER)).distinct().toList();
    }

    private static Collection<Node> describedNodes(final String cluster) throws Exception
    {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, proxy.advertisedBootstrapServers(cluster))))
        {
            return admin.describeCluster().nodes().get();
        }
    }

    private static List<Integer> westNodePorts()
    {
        return proxy.clusterNodes(WEST).nodes().stream().map(BrokerNode::proxyPort).toList();
    }

    /**
     * The clients' established sockets to some of the proxy's ports (their local and remote addresses), as {@code ss}
     * lists them: a socket the proxy closed and the client reopened has another local port.
     */
    private static Set<String> clientSocketsTo(final List<Integer> ports) throws IOException, InterruptedException
    {
        final String filter = ports.stream().map(port -> "dport = :" + port).collect(Collectors.joining(" or "));
        final ExternalCommand.Result result = ExternalCommand.run(List.of("ss", "-Htn", "state", "established", "( " + filter + " )"), "");
        if (result.exitCode() != 0)
        {
            throw new IOException("ss failed: " + result.output());
        }
        // The last two columns, the addresses: the queue sizes before them change with the traffic.
        return result.output().lines().filter(line -> !line.isBlank()).map(line ->
        {
            final String[] columns = line.strip().split("\\s+");
            return columns[columns.length - 2] + " " + columns[columns.length - 1];
        }).collect(Collectors.toSet());
    }

    private static HttpResponse<String> admin(final String method, final String path) throws Exception
    {
        final HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + ProxiedKafka.ADVERTISED_HOST + ":" +
                proxy.adminAddress().getPort() + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .timeout(TIMEOUT)
            .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static List<ProducerRecord<String, String>> records(final String topic, final int count)
    {
        return IntStream.range(0, count).mapToObj(i -> new ProducerRecord<>(topic, "k" + i, "v" + i)).toList();
    }

    private static List<String> values(final int count)
    {
        return IntStream.range(0, count).mapToObj(i -> "v" + i).toList();
    }
}

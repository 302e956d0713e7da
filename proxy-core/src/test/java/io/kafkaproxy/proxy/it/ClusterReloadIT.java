package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.cluster.ClusterSnapshot;
import io.kafkaproxy.proxy.config.AclConfig;
import io.kafkaproxy.proxy.config.ClusterConfig;
import io.kafkaproxy.proxy.config.ConfigWriter;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.ListenerConfig;
import io.kafkaproxy.proxy.config.NodePortsConfig;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.metrics.ApiMeters;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.net.KafkaProxy;
import io.kafkaproxy.proxy.reload.ConfigReloader;
import io.kafkaproxy.proxy.reload.LogLevels;
import io.kafkaproxy.proxy.testing.ClientWorkloads;
import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.kafkaproxy.proxy.testing.PolicyConfigs;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A reload that adds, changes and removes clusters: a new cluster is built and bound, a changed one gets a new
 * snapshot, a removed one closes its listeners and its connections; a cluster the reload does not change keeps its
 * snapshot object and its open connections.
 */
class ClusterReloadIT
{
    private static final AclConfig DENY_ALL = PolicyConfigs.parse("acl:\n  defaultPolicy: deny\n").acl();

    @TempDir
    static Path dir;

    private static InJvmKafka eastBroker;
    private static InJvmKafka westBroker;
    private static KafkaProxy proxy;

    @BeforeAll
    static void startBrokersAndProxy()
    {
        eastBroker = InJvmKafka.start(List.of(1), Map.of());
        westBroker = InJvmKafka.start(List.of(1), Map.of());
        proxy = KafkaProxy.builder(withClusters(List.of(cluster("east", eastBroker, null), cluster("west", westBroker, null))))
            .start();
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

    @Test
    void aReloadShouldAddChangeAndRemoveClustersWithoutTouchingTheOthers() throws Exception
    {
        // Given: an open connection to west, answered
        final Path file = dir.resolve("proxy.yaml");
        Files.writeString(file, ConfigWriter.toYaml(proxy.config()));
        try (ConfigReloader reloader = new ConfigReloader(file, config -> config, proxy, new LogLevels());
            Socket west = new Socket(ProxiedKafka.ADVERTISED_HOST, proxy.bootstrapAddress("west").getPort()))
        {
            west.setSoTimeout(30_000);
            assertThat(apiVersionsCorrelationId(west, 1)).isEqualTo(1);
            final ClusterSnapshot westBefore = proxy.clusterSnapshot("west");
            final ClusterSnapshot eastBefore = proxy.clusterSnapshot("east");

            // When: east's ACL changes, north is added, west stays as it is
            Files.writeString(file, ConfigWriter.toYaml(withClusters(List.of(cluster("east", eastBroker, DENY_ALL),
                cluster("west", westBroker, null), cluster("north", eastBroker, null)))));
            final ConfigReloader.Result added = reloader.reload();

            // Then
            assertThat(added.applied()).as(String.valueOf(added.error())).isTrue();
            assertThat(added.changed()).contains("clusters[0].acl", "clusters[2]");
            assertThat(proxy.clusterSnapshot("west")).isSameAs(westBefore);
            assertThat(proxy.clusterSnapshot("east")).isNotSameAs(eastBefore);
            assertThat(apiVersionsCorrelationId(west, 2)).isEqualTo(2);
            ClientWorkloads.createTopic(eastBroker.bootstrapServers(), "north-topic", 1);
            ClientWorkloads.sendAll(ClientWorkloads.stringProducerConfig(proxy.advertisedBootstrapServers("north")),
                List.of(new ProducerRecord<>("north-topic", "k", "through north")));
            assertThat(proxy.meterRegistry().find(ApiMeters.FRAMES).tag(ProxyMetrics.CLUSTER, "north").counters()).isNotEmpty();

            // Given: an open connection to north
            final int northPort = proxy.bootstrapAddress("north").getPort();
            try (Socket north = new Socket(ProxiedKafka.ADVERTISED_HOST, northPort))
            {
                north.setSoTimeout(30_000);
                assertThat(apiVersionsCorrelationId(north, 3)).isEqualTo(3);

                // When: north is removed
                Files.writeString(file, ConfigWriter.toYaml(withClusters(List.of(cluster("east", eastBroker, DENY_ALL),
                    cluster("west", westBroker, null)))));
                final ConfigReloader.Result removed = reloader.reload();

                // Then: north's connection is closed and its port no longer accepts; west's connection still serves
                assertThat(removed.applied()).as(String.valueOf(removed.error())).isTrue();
                assertThat(readOrReset(north)).isEqualTo(-1);
            }
            assertThat(proxy.bootstrapAddress("north")).isNull();
            assertThat(proxy.meterRegistry().getMeters()).as("the removed cluster's meters")
                .noneMatch(meter -> "north".equals(meter.getId().getTag(ProxyMetrics.CLUSTER)));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThatThrownBy(() -> new Socket(ProxiedKafka.ADVERTISED_HOST, northPort).close())
                    .isInstanceOf(ConnectException.class));
            assertThat(proxy.clusterSnapshot("west")).isSameAs(westBefore);
            assertThat(apiVersionsCorrelationId(west, 4)).isEqualTo(4);
        }
    }

    @Test
    void aClusterWhoseListenerCannotBindShouldRefuseTheReloadAndChangeNothing() throws Exception
    {
        // Given: a port someone else holds
        final Path file = dir.resolve("refused.yaml");
        try (ConfigReloader reloader = new ConfigReloader(file, config -> config, proxy, new LogLevels());
            ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(ProxiedKafka.ADVERTISED_HOST)))
        {
            final ProxyConfig before = proxy.config();
            final ClusterSnapshot westBefore = proxy.clusterSnapshot("west");
            final List<ClusterConfig> clusters = new ArrayList<>(before.clusters());
            clusters.add(new ClusterConfig("south", null, before.clusters().get(0).upstream(), new ListenerConfig("south",
                new HostPort(ProxiedKafka.ADVERTISED_HOST, taken.getLocalPort()), ProxiedKafka.ADVERTISED_HOST,
                new NodePortsConfig(0, 1), null), null, DENY_ALL, null, null));
            Files.writeString(file, ConfigWriter.toYaml(withClusters(clusters)));

            // When
            final ConfigReloader.Result result = reloader.reload();

            // Then
            assertThat(result.applied()).isFalse();
            assertThat(result.error()).contains("clusters[" + (clusters.size() - 1) + "].listener.bindAddress");
            assertThat(proxy.config()).isEqualTo(before);
            assertThat(proxy.bootstrapAddress("south")).isNull();
            assertThat(proxy.clusterSnapshot("west")).isSameAs(westBefore);
        }
    }

    private static ProxyConfig withClusters(final List<ClusterConfig> clusters)
    {
        return ProxiedKafka.proxyConfig(eastBroker.bootstrapServers()).toBuilder().clusters(clusters).build();
    }

    private static ClusterConfig cluster(final String name, final InJvmKafka broker, final AclConfig acl)
    {
        // A cluster's listener keeps its running (ephemeral) address across reloads; a new one binds a port of its own.
        final ListenerConfig listener = proxy != null && proxy.bootstrapAddress(name) != null ?
            proxy.config().cluster(name).listener() : new ListenerConfig(name, new HostPort(ProxiedKafka.ADVERTISED_HOST, 0),
            ProxiedKafka.ADVERTISED_HOST, new NodePortsConfig(0, 1), null);
        return new ClusterConfig(name, null, ProxiedKafka.proxyConfig(broker.bootstrapServers()).upstream(), listener, null, acl,
            null, null);
    }

    private static int readOrReset(final Socket socket) throws IOException
    {
        try
        {
            return socket.getInputStream().read();
        }
        catch (final SocketException e)
        {
            return -1;
        }
    }

    /** Sends ApiVersions v0 and reads the answer's correlation id. */
    private static int apiVersionsCorrelationId(final Socket socket, final int correlationId) throws IOException
    {
        final DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        out.writeInt(10);
        out.writeShort(18);
        out.writeShort(0);
        out.writeInt(correlationId);
        out.writeShort(-1);
        out.flush();
        final DataInputStream in = new DataInputStream(socket.getInputStream());
        final byte[] response = new byte[in.readInt()];
        in.readFully(response);
        return ((response[0] & 0xFF) << 24) | ((response[1] & 0xFF) << 16) | ((response[2] & 0xFF) << 8) | (response[3] & 0xFF);
    }
}

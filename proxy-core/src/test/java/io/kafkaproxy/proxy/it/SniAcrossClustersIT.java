package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.config.ClusterConfig;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.ListenerConfig;
import io.kafkaproxy.proxy.config.NodePortsConfig;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.config.SniConfig;
import io.kafkaproxy.proxy.config.TlsServerConfig;
import io.kafkaproxy.proxy.metrics.PolicyMetrics;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.net.KafkaProxy;
import io.kafkaproxy.proxy.testing.ClientWorkloads;
import io.kafkaproxy.proxy.testing.HostsFileKafkaClient;
import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.kafkaproxy.proxy.testing.TestCertificates;
import io.micrometer.core.instrument.Counter;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Two clusters' listeners routed by SNI share one port: one server socket, each cluster's host names with their own
 * certificate, and the cluster of each connection chosen from the server name of its ClientHello.
 */
class SniAcrossClustersIT
{
    private static final String EAST = "east";
    private static final String WEST = "west";

    @TempDir
    static Path dir;

    private static InJvmKafka eastBroker;
    private static InJvmKafka westBroker;
    private static KafkaProxy proxy;
    private static TestCertificates.Issued authority;
    private static Path caPem;

    @BeforeAll
    static void startBrokersAndProxy() throws Exception
    {
        eastBroker = InJvmKafka.start(List.of(1), Map.of());
        westBroker = InJvmKafka.start(List.of(1), Map.of());
        authority = TestCertificates.authority("sni-across-clusters-it");
        caPem = TestCertificates.writeTrustPem(dir.resolve("ca.pem"), authority.certificate());
        final int port = freePort();
        final ProxyConfig config = ProxiedKafka.proxyConfig(eastBroker.bootstrapServers()).toBuilder()
            .clusters(List.of(cluster(EAST, eastBroker, port), cluster(WEST, westBroker, port)))
            .build();
        proxy = KafkaProxy.builder(config).start();
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

    private static ClusterConfig cluster(final String name, final InJvmKafka broker, final int port)
    {
        final TestCertificates.Issued server = TestCertificates.server(authority, "CN=proxy-" + name, "*." + domain(name));
        final TlsServerConfig tls = TlsServerConfig.pem(server.writeCertificatePem(dir.resolve(name + ".crt")),
            server.writeKeyPem(dir.resolve(name + ".key"))).withSni(SniConfig.of(bootstrapHost(name), "broker-$(nodeId)." + domain(name)));
        return new ClusterConfig(name, null, ProxiedKafka.proxyConfig(broker.bootstrapServers()).upstream(),
            new ListenerConfig(name, new HostPort(ProxiedKafka.ADVERTISED_HOST, port), ProxiedKafka.ADVERTISED_HOST,
                new NodePortsConfig(0, 1), tls), null, null, null, null);
    }

    @Test
    void bothClustersShouldListenOnOneSocket()
    {
        // When
        final InetSocketAddress east = proxy.bootstrapAddress(EAST);
        final InetSocketAddress west = proxy.bootstrapAddress(WEST);

        // Then
        assertThat(east).isEqualTo(west);
        assertThat(proxy.advertisedBootstrapServers(WEST)).isEqualTo(bootstrapHost(WEST) + ":" + west.getPort());
    }

    @Test
    void eachClustersClientShouldReachItsOwnBrokerThroughTheSharedPort() throws Exception
    {
        for (final String cluster : List.of(EAST, WEST))
        {
            // Given: the topic exists on this cluster's broker only
            final InJvmKafka broker = cluster.equals(EAST) ? eastBroker : westBroker;
            final String topic = cluster + "-only";
            ClientWorkloads.createTopic(broker.bootstrapServers(), topic, 1);
            final Path clientDir = Files.createDirectories(dir.resolve("client-" + cluster));
            final int port = proxy.bootstrapAddress(cluster).getPort();

            // When
            final HostsFileKafkaClient.Outcome outcome = HostsFileKafkaClient.run(clientDir,
                List.of(bootstrapHost(cluster), "broker-1." + domain(cluster)), bootstrapHost(cluster) + ":" + port, caPem, topic, 20);

            // Then: the node is advertised under this cluster's name, and the records are on this cluster's broker
            assertThat(outcome.exitCode()).as(String.join("\n", outcome.output())).isZero();
            assertThat(outcome.output()).contains("node=1@broker-1." + domain(cluster) + ":" + port, "produced=20", "consumed=20");
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers())))
            {
                assertThat(admin.listTopics().names().get()).contains(topic);
            }
        }
    }

    @Test
    void eachHostNameShouldGetItsClustersCertificateAndAnUnknownOneBeRefused() throws Exception
    {
        // When / Then
        assertThat(serverCertificate(bootstrapHost(EAST)).getSubjectX500Principal().getName()).isEqualTo("CN=proxy-east");
        assertThat(serverCertificate("broker-1." + domain(WEST)).getSubjectX500Principal().getName()).isEqualTo("CN=proxy-west");
        final double before = refused();
        assertThatThrownBy(() ->
        {
            try (SSLSocket socket = connect("bootstrap.north.kafka.test"))
            {
                socket.startHandshake();
                socket.getOutputStream().write(new byte[] {0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 1, -1, -1});
                socket.getOutputStream().flush();
                if (socket.getInputStream().read() < 0)
                {
                    throw new IOException("closed");
                }
            }
        }).isInstanceOf(IOException.class);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(refused()).isGreaterThan(before));
    }

    @Test
    void eachClustersHostNamesShouldBeAnsweredByItsBroker() throws Exception
    {
        for (final String host : List.of(bootstrapHost(EAST), "broker-1." + domain(EAST), bootstrapHost(WEST),
            "broker-1." + domain(WEST)))
        {
            try (SSLSocket socket = connect(host))
            {
                // When: ApiVersions v0
                final DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                out.write(new byte[] {0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 42, -1, -1});
                out.flush();

                // Then: answered
                final DataInputStream in = new DataInputStream(socket.getInputStream());
                final byte[] response = new byte[in.readInt()];
                in.readFully(response);
                assertThat(response[3]).as(host).isEqualTo((byte)42);
            }
        }
    }

    private static X509Certificate serverCertificate(final String host) throws Exception
    {
        try (SSLSocket socket = connect(host))
        {
            socket.startHandshake();
            return (X509Certificate)socket.getSession().getPeerCertificates()[0];
        }
    }

    private static SSLSocket connect(final String host) throws Exception
    {
        final KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("ca", authority.certificate());
        final TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        final SSLSocket socket = (SSLSocket)context.getSocketFactory().createSocket();
        socket.connect(proxy.bootstrapAddress(EAST), 10_000);
        socket.setSoTimeout(30_000);
        final SSLParameters parameters = socket.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName(host)));
        socket.setSSLParameters(parameters);
        return socket;
    }

    private static double refused()
    {
        return proxy.meterRegistry().find(PolicyMetrics.CONNECTIONS_REJECTED).tag(ProxyMetrics.REASON, "sni_unknown_host")
            .counters().stream().mapToDouble(Counter::count).sum();
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            return socket.getLocalPort();
        }
    }

    private static String domain(final String cluster)
    {
        return cluster + ".kafka.test";
    }

    private static String bootstrapHost(final String cluster)
    {
        return "bootstrap." + domain(cluster);
    }
}

package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.ListenerConfig;
import io.kafkaproxy.proxy.config.NodePortsConfig;
import io.kafkaproxy.proxy.config.SniConfig;
import io.kafkaproxy.proxy.config.TlsServerConfig;
import io.kafkaproxy.proxy.metrics.PolicyMetrics;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.routing.BrokerNodeRegistry.BrokerNode;
import io.kafkaproxy.proxy.routing.BrokerNodeRegistry.ListenerState;
import io.kafkaproxy.proxy.testing.HostsFileKafkaClient;
import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.kafkaproxy.proxy.testing.TestCertificates;
import io.micrometer.core.instrument.Counter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * One TLS port for a three-node cluster: the bootstrap host and every node's host name (from
 * {@code broker-$(nodeId).sni.kafka.test}) reach the proxy on the same port, and the server name of each TLS
 * ClientHello says where the connection goes. A real Java client, whose host names come from a hosts file in a
 * child JVM, produces and consumes through it; raw TLS sockets check each name's routing and the refusal of others.
 */
class SniRoutingIT
{
    private static final String LISTENER = "sni";
    private static final String DOMAIN = "sni.kafka.test";
    private static final String BOOTSTRAP_HOST = "bootstrap." + DOMAIN;
    private static final List<Integer> NODE_IDS = List.of(1, 2, 3);

    @TempDir
    static Path dir;

    private static ProxiedKafka kafka;
    private static TestCertificates.Issued authority;
    private static Path caPem;

    @BeforeAll
    static void startKafkaAndProxy()
    {
        authority = TestCertificates.authority("sni-routing-it");
        final TestCertificates.Issued server = TestCertificates.server(authority, "CN=kafka-proxy-sni", "*." + DOMAIN);
        caPem = TestCertificates.writeTrustPem(dir.resolve("ca.pem"), authority.certificate());
        final TlsServerConfig tls = TlsServerConfig.pem(server.writeCertificatePem(dir.resolve("server.crt")),
            server.writeKeyPem(dir.resolve("server.key"))).withSni(SniConfig.of(BOOTSTRAP_HOST, "broker-$(nodeId)." + DOMAIN));
        kafka = ProxiedKafka.inFrontOf(InJvmKafka.start(NODE_IDS, Map.of()), config -> config.toBuilder()
            .listeners(List.of(new ListenerConfig(LISTENER, new HostPort(ProxiedKafka.ADVERTISED_HOST, 0),
                ProxiedKafka.ADVERTISED_HOST, new NodePortsConfig(0, 1), tls)))
            .build(), pipeline -> { });
    }

    @AfterAll
    static void stopKafkaAndProxy()
    {
        kafka.close();
    }

    @Test
    void javaClientShouldProduceAndConsumeThroughOnePortToEveryNode() throws Exception
    {
        // Given: a partition led by each node, and names that resolve to the proxy only in the client's JVM
        final String topic = "sni-routed";
        kafka.createTopic(topic, 3, 1);
        final int port = sniPort();
        final List<String> hostNames = List.of(BOOTSTRAP_HOST, nodeHost(1), nodeHost(2), nodeHost(3));

        // When
        final HostsFileKafkaClient.Outcome outcome = HostsFileKafkaClient.run(dir, hostNames, BOOTSTRAP_HOST + ":" + port,
            caPem, topic, 60);

        // Then: every node advertised by name on the one port, and every record produced and consumed
        assertThat(outcome.exitCode()).as(String.join("\n", outcome.output())).isZero();
        assertThat(outcome.output()).contains("node=1@" + nodeHost(1) + ":" + port, "node=2@" + nodeHost(2) + ":" + port,
            "node=3@" + nodeHost(3) + ":" + port, "produced=60", "consumed=60");
        assertThat(kafka.proxy().nodes(LISTENER).nodes()).extracting(BrokerNode::nodeId).containsExactlyElementsOf(NODE_IDS);
        assertThat(kafka.proxy().nodes(LISTENER).nodes()).allSatisfy(node ->
        {
            assertThat(node.proxyPort()).isEqualTo(port);
            assertThat(node.state()).isEqualTo(ListenerState.LISTENING);
        });
        assertThat(kafka.proxy().advertisedBootstrapServers(LISTENER)).isEqualTo(BOOTSTRAP_HOST + ":" + port);
    }

    @Test
    void theBootstrapHostAndEveryNodeHostShouldBeAnswered() throws Exception
    {
        // When / Then: each name completes the handshake and gets its ApiVersions answered by a broker
        for (final String host : List.of(BOOTSTRAP_HOST, nodeHost(1), nodeHost(2), nodeHost(3), nodeHost(2).toUpperCase()))
        {
            try (SSLSocket socket = connect(List.of(new SNIHostName(host))))
            {
                assertThat(apiVersionsCorrelationId(socket, 42)).as(host).isEqualTo(42);
            }
        }
    }

    @Test
    void anUnknownHostOrNoHostShouldBeRefusedAndCounted() throws Exception
    {
        // Given
        final double before = rejected();

        // When / Then: the connection is closed during the handshake, and counted
        for (final List<SNIServerName> names : List.of(List.<SNIServerName>of(new SNIHostName("kafka.example.com")),
            List.<SNIServerName>of(new SNIHostName("broker-01." + DOMAIN)), List.<SNIServerName>of()))
        {
            assertThatThrownBy(() ->
            {
                try (SSLSocket socket = connect(names))
                {
                    apiVersionsCorrelationId(socket, 7);
                }
            }).as(names.toString()).isInstanceOfAny(SSLException.class, EOFException.class, SocketException.class);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(rejected()).isEqualTo(before + 3));
    }

    @Test
    void aPlaintextClientOnTheSniPortShouldBeCountedAsNotTls() throws Exception
    {
        // Given
        final double before = handshakeFailures("not_tls");

        // When: a Kafka request where a ClientHello belongs
        try (Socket socket = new Socket(ProxiedKafka.ADVERTISED_HOST, sniPort()))
        {
            socket.setSoTimeout(30_000);
            try
            {
                writeApiVersions(socket.getOutputStream(), 9);
            }
            catch (final IOException closedWhileWriting)
            {
                // The proxy refused the first bytes and closed before the rest went out: the outcome expected below.
            }

            // Then: closed (or reset) without an answer, and counted
            assertThat(readOrReset(socket)).isEqualTo(-1);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(handshakeFailures("not_tls")).isEqualTo(before + 1));
    }

    private static String nodeHost(final int nodeId)
    {
        return "broker-" + nodeId + "." + DOMAIN;
    }

    private static int sniPort()
    {
        return kafka.proxy().bootstrapAddress(LISTENER).getPort();
    }

    private static double rejected()
    {
        final Counter counter = kafka.proxy().meterRegistry().find(PolicyMetrics.CONNECTIONS_REJECTED)
            .tag(ProxyMetrics.REASON, "sni_unknown_host").counter();
        return counter == null ? 0 : counter.count();
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

    private static double handshakeFailures(final String reason)
    {
        final Counter counter = kafka.proxy().meterRegistry().find(ProxyMetrics.TLS_HANDSHAKE_FAILURES)
            .tag(ProxyMetrics.LISTENER, LISTENER).tag(ProxyMetrics.REASON, reason).counter();
        return counter == null ? 0 : counter.count();
    }

    private static SSLSocket connect(final List<SNIServerName> serverNames) throws Exception
    {
        final KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("ca", authority.certificate());
        final TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        final SSLSocket socket = (SSLSocket)context.getSocketFactory().createSocket();
        socket.connect(new InetSocketAddress(ProxiedKafka.ADVERTISED_HOST, sniPort()), 10_000);
        socket.setSoTimeout(30_000);
        final SSLParameters parameters = socket.getSSLParameters();
        parameters.setServerNames(serverNames);
        socket.setSSLParameters(parameters);
        return socket;
    }

    private static void writeApiVersions(final OutputStream stream, final int correlationId) throws IOException
    {
        final DataOutputStream out = new DataOutputStream(stream);
        out.writeInt(10);
        out.writeShort(18);
        out.writeShort(0);
        out.writeInt(correlationId);
        out.writeShort(-1);
        out.flush();
    }

    /** Sends ApiVersions v0 and reads the answer's correlation id. */
    private static int apiVersionsCorrelationId(final SSLSocket socket, final int correlationId) throws IOException
    {
        writeApiVersions(socket.getOutputStream(), correlationId);
        final DataInputStream in = new DataInputStream(socket.getInputStream());
        final byte[] response = new byte[in.readInt()];
        in.readFully(response);
        return ((response[0] & 0xFF) << 24) | ((response[1] & 0xFF) << 16) | ((response[2] & 0xFF) << 8) | (response[3] & 0xFF);
    }
}

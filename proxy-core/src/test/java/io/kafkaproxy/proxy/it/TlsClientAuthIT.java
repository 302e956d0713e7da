package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.config.ListenerConfig;
import io.kafkaproxy.proxy.config.TlsServerConfig;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.net.KafkaProxy;
import io.kafkaproxy.proxy.testing.BrokerCluster;
import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.kafkaproxy.proxy.testing.PolicyConfigs;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.kafkaproxy.proxy.testing.TestCertificates;
import io.kafkaproxy.proxy.testing.TlsClients;
import io.micrometer.core.instrument.Gauge;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Client certificates at the proxy: the principal is the certificate subject mapped by Kafka's rules, and the ACL
 * rules match it; and every bad input at a TLS listener fails that client's handshake, is counted by reason, and
 * leaves its neighbours' connections working.
 */
class TlsClientAuthIT
{
    private static final String RULES = """
        acl:
          defaultPolicy: allow
          rules:
            - effect: deny
              principal: mallory
              resourceType: topic
              resourceName: payments
              operations: [write]
        """;

    @TempDir
    static Path dir;

    private static BrokerCluster broker;
    private static KafkaProxy proxy;
    private static KafkaProxy plaintextProxy;
    private static KafkaProxy requestingProxy;
    private static List<KafkaProxy> revokingProxies;
    private static TestCertificates.Issued revoked;
    private static TestCertificates.Issued authority;
    private static TestCertificates.Issued server;
    private static Path caPem;

    @BeforeAll
    static void start() throws Exception
    {
        broker = InJvmKafka.start(List.of(1), Map.of());
        authority = TestCertificates.authority("tls-client-auth-it");
        server = TestCertificates.server(authority, "CN=kafka-proxy", ProxiedKafka.ADVERTISED_HOST, "localhost");
        caPem = TestCertificates.writeTrustPem(dir.resolve("ca.pem"), authority.certificate());
        final TlsServerConfig tls = TlsServerConfig.of(server.writeCertificatePem(dir.resolve("server.crt")),
            server.writeKeyPem(dir.resolve("server.key")), null, null, null, "required", caPem, null, null, null, null,
            "RULE:^CN=([^,]+)$/$1/,DEFAULT", null, null);
        proxy = TlsClients.startProxy(broker, tls, PolicyConfigs.withPolicy(RULES), pipeline -> { });
        plaintextProxy = TlsClients.startProxy(broker, null, pipeline -> { });
        requestingProxy = TlsClients.startProxy(broker, TlsServerConfig.of(dir.resolve("server.crt"), dir.resolve("server.key"), null,
            null, null, "requested", caPem, null, null, null, null, "RULE:^CN=([^,]+)$/$1/,DEFAULT", null, null), PolicyConfigs.withPolicy(RULES),
            pipeline -> { });
        // A CRL revoking eve's certificate, checked by each provider
        revoked = TestCertificates.client(authority, "CN=eve");
        final Path crl = authority.writeCrl(dir.resolve("ca.crl"), revoked.certificate());
        revokingProxies = List.of("auto", "jdk").stream().map(provider -> TlsClients.startProxy(broker, TlsServerConfig.of(
            dir.resolve("server.crt"), dir.resolve("server.key"), null, null, null, "required", caPem, null, null, null, provider,
            "RULE:^CN=([^,]+)$/$1/,DEFAULT", null, null).withCrlFile(crl), PolicyConfigs.withPolicy(RULES), pipeline -> { })).toList();
        try (Admin admin = Admin.create(client("alice", adminConfig())))
        {
            admin.createTopics(List.of(new NewTopic("payments", 1, (short)1))).all().get(60, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stop()
    {
        revokingProxies.forEach(KafkaProxy::close);
        requestingProxy.close();
        plaintextProxy.close();
        proxy.close();
        broker.close();
    }

    @Test
    void aclRulesShouldMatchTheCertificatePrincipalWhateverTheClientIdSays() throws Exception
    {
        // Given: mallory's producer claims alice's client.id, alice's claims mallory's
        final Map<String, Object> alice = client("alice", producerConfig());
        alice.put("client.id", "mallory");
        final Map<String, Object> mallory = client("mallory", producerConfig());
        mallory.put("client.id", "alice");
        mallory.put("max.block.ms", 20_000);

        // When / Then
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(alice))
        {
            assertThat(producer.send(new ProducerRecord<>("payments", "from alice")).get(60, TimeUnit.SECONDS).offset()).isNotNegative();
        }
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(mallory))
        {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("payments", "from mallory")).get(60, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(TopicAuthorizationException.class);
        }
    }

    @Test
    void whereACertificateIsOnlyRequestedAClientWithoutOneShouldBeIdentifiedAsBefore() throws Exception
    {
        // Given: both claim mallory's client.id; one presents alice's certificate
        final String bootstrap = requestingProxy.advertisedBootstrapServers();
        final Map<String, Object> withCertificate = client("alice", producerConfig());
        withCertificate.put("bootstrap.servers", bootstrap);
        withCertificate.put("client.id", "mallory");
        final Map<String, Object> withoutCertificate = TlsClients.ssl(producerConfig(), caPem);
        withoutCertificate.put("bootstrap.servers", bootstrap);
        withoutCertificate.put("client.id", "mallory");

        // When / Then
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(withCertificate))
        {
            assertThat(producer.send(new ProducerRecord<>("payments", "alice by certificate")).get(60, TimeUnit.SECONDS).offset())
                .isNotNegative();
        }
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(withoutCertificate))
        {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("payments", "mallory by client.id")).get(60, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(TopicAuthorizationException.class);
        }
    }

    @Test
    void everyBadClientShouldFailItsHandshakeAloneAndBeCounted() throws Exception
    {
        // Given: a neighbour whose connection stays open throughout
        final TestCertificates.Issued stranger = TestCertificates.client(TestCertificates.authority("elsewhere"), "CN=stranger");
        final TestCertificates.Issued expired = TestCertificates.issue(authority, "CN=late", Instant.now().minus(Duration.ofDays(3)),
            Instant.now().minus(Duration.ofDays(1)), List.of());
        try (KafkaProducer<String, String> neighbour = new KafkaProducer<>(client("alice", producerConfig())))
        {
            neighbour.send(new ProducerRecord<>("payments", "before")).get(60, TimeUnit.SECONDS);

            // When / Then: no certificate, a certificate from another authority, an expired certificate
            assertRefused(TlsClients.ssl(adminConfig(), caPem));
            // (The Java client keeps a certificate the proxy's authorities did not sign to itself: a socket sends it anyway.)
            assertHandshakeRefused(stranger);
            assertRefused(TlsClients.mutualSsl(adminConfig(), caPem, expired.writeKeyStore(dir.resolve("late.p12"), "PKCS12")));
            // Plaintext bytes to the TLS port
            assertClosedAfterSending(proxy.bootstrapAddress(), new byte[] {0, 0, 0, 12, 0, 18, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0});
            // TLS to the plaintext port
            assertRefused(client("alice", adminConfig(plaintextProxy.advertisedBootstrapServers())));

            assertThat(neighbour.send(new ProducerRecord<>("payments", "after")).get(60, TimeUnit.SECONDS).offset()).isNotNegative();
        }
        final ProxyMetrics metrics = proxy.metrics();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        {
            assertThat(metrics.tlsHandshakeFailures(ListenerConfig.NAME, "no_client_certificate")).isPositive();
            assertThat(metrics.tlsHandshakeFailures(ListenerConfig.NAME, "unknown_ca")).isPositive();
            assertThat(metrics.tlsHandshakeFailures(ListenerConfig.NAME, "certificate_expired")).isPositive();
            assertThat(metrics.tlsHandshakeFailures(ListenerConfig.NAME, "not_tls")).isPositive();
        });
        assertThat(plaintextProxy.metrics().framesRejected(ProxyMetrics.Side.CLIENT, "oversize")).isPositive();
    }

    @Test
    void aRevokedClientCertificateShouldBeRefusedAtTheHandshakeAndCountedWhileOthersKeepWorking() throws Exception
    {
        for (final KafkaProxy revoking : revokingProxies)
        {
            // Given
            final String bootstrap = revoking.advertisedBootstrapServers();
            final Map<String, Object> alice = client("alice", producerConfig());
            alice.put("bootstrap.servers", bootstrap);
            final Path eveStore = revoked.writeKeyStore(dir.resolve("eve-" + System.nanoTime() + ".p12"), "PKCS12");

            // When / Then
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(alice))
            {
                producer.send(new ProducerRecord<>("payments", "before eve")).get(60, TimeUnit.SECONDS);
                assertRefused(TlsClients.mutualSsl(adminConfig(bootstrap), caPem, eveStore));
                assertThat(producer.send(new ProducerRecord<>("payments", "after eve")).get(60, TimeUnit.SECONDS).offset()).isNotNegative();
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(revoking.metrics().tlsHandshakeFailures(ListenerConfig.NAME, "certificate_revoked")).isPositive());
        }
    }

    @Test
    void shouldExportTheExpiryOfEveryLoadedCertificate()
    {
        // When
        final List<Gauge> gauges = List.copyOf(proxy.meterRegistry().find(ProxyMetrics.TLS_CERTIFICATE_EXPIRY).gauges());

        // Then
        assertThat(gauges).extracting(gauge -> gauge.getId().getTag(ProxyMetrics.SERIAL)).containsExactlyInAnyOrder(
            server.certificate().getSerialNumber().toString(16), authority.certificate().getSerialNumber().toString(16));
        assertThat(gauges).extracting(Gauge::value).contains((double)server.certificate().getNotAfter().toInstant().getEpochSecond());
        assertThat(gauges).extracting(gauge -> gauge.getId().getTag(ProxyMetrics.LISTENER)).containsOnly(ListenerConfig.NAME);
    }

    private static void assertRefused(final Map<String, Object> config)
    {
        config.put("default.api.timeout.ms", 15_000);
        config.put("request.timeout.ms", 5_000);
        try (Admin admin = Admin.create(config))
        {
            assertThatThrownBy(() -> admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfAny(SslAuthenticationException.class, org.apache.kafka.common.errors.TimeoutException.class);
        }
    }

    private static void assertHandshakeRefused(final TestCertificates.Issued certificate) throws Exception
    {
        final javax.net.ssl.X509KeyManager always = new javax.net.ssl.X509ExtendedKeyManager()
        {
            @Override
            public String[] getClientAliases(final String keyType, final java.security.Principal[] issuers)
            {
                return new String[] {"key"};
            }

            @Override
            public String chooseClientAlias(final String[] keyType, final java.security.Principal[] issuers, final Socket socket)
            {
                return "key";
            }

            @Override
            public String[] getServerAliases(final String keyType, final java.security.Principal[] issuers)
            {
                return null;
            }

            @Override
            public String chooseServerAlias(final String keyType, final java.security.Principal[] issuers, final Socket socket)
            {
                return null;
            }

            @Override
            public java.security.cert.X509Certificate[] getCertificateChain(final String alias)
            {
                return certificate.chain().toArray(new java.security.cert.X509Certificate[0]);
            }

            @Override
            public java.security.PrivateKey getPrivateKey(final String alias)
            {
                return certificate.key();
            }
        };
        final java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", authority.certificate());
        final javax.net.ssl.TrustManagerFactory trustManagers = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
        trustManagers.init(trust);
        final javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
        context.init(new javax.net.ssl.KeyManager[] {always}, trustManagers.getTrustManagers(), null);
        try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket)context.getSocketFactory()
            .createSocket(ProxiedKafka.ADVERTISED_HOST, proxy.bootstrapAddress().getPort()))
        {
            socket.setSoTimeout(10_000);
            // TLS 1.3 reports the server's refusal of the client certificate at the first read after the handshake.
            assertThatThrownBy(() ->
            {
                socket.startHandshake();
                socket.getOutputStream().write(new byte[] {0, 0, 0, 0});
                socket.getOutputStream().flush();
                socket.getInputStream().read();
            }).isInstanceOf(java.io.IOException.class);
        }
    }

    private static void assertClosedAfterSending(final InetSocketAddress address, final byte[] bytes) throws Exception
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress(ProxiedKafka.ADVERTISED_HOST, address.getPort()), 5_000);
            socket.setSoTimeout(10_000);
            final OutputStream out = socket.getOutputStream();
            out.write(bytes);
            out.flush();
            final InputStream in = socket.getInputStream();
            // A TLS alert at most, then the end of the stream.
            final byte[] buffer = new byte[1024];
            int read;
            do
            {
                read = in.read(buffer);
            }
            while (read > 0);
            assertThat(read).isEqualTo(-1);
        }
        catch (final java.net.SocketException reset)
        {
            // Closed with a reset: as refused.
        }
    }

    private static Map<String, Object> client(final String name, final Map<String, Object> config)
    {
        final TestCertificates.Issued certificate = TestCertificates.client(authority, "CN=" + name);
        return TlsClients.mutualSsl(config, caPem, certificate.writeKeyStore(dir.resolve(name + "-" + System.nanoTime() + ".p12"), "PKCS12"));
    }

    private static Map<String, Object> adminConfig()
    {
        return adminConfig(proxy.advertisedBootstrapServers());
    }

    private static Map<String, Object> adminConfig(final String bootstrap)
    {
        final Map<String, Object> config = new HashMap<>();
        config.put("bootstrap.servers", bootstrap);
        config.put("default.api.timeout.ms", 60_000);
        return config;
    }

    private static Map<String, Object> producerConfig()
    {
        final Map<String, Object> config = new HashMap<>();
        config.put("bootstrap.servers", proxy.advertisedBootstrapServers());
        config.put("key.serializer", StringSerializer.class);
        config.put("value.serializer", StringSerializer.class);
        config.put("acks", "all");
        return config;
    }
}

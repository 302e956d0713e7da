package io.kafkaproxy.proxy.it;

import ch.qos.logback.classic.Level;
import io.kafkaproxy.proxy.config.BrokerTlsConfig;
import io.kafkaproxy.proxy.config.StoreConfig;
import io.kafkaproxy.proxy.config.ConfigParser;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.connection.ClientConnectionStateMachine;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.net.KafkaProxy;
import io.kafkaproxy.proxy.reload.ConfigReloader;
import io.kafkaproxy.proxy.reload.LogLevels;
import io.kafkaproxy.proxy.routing.BrokerNodeDiscovery;
import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.kafkaproxy.proxy.testing.LogCapture;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.kafkaproxy.proxy.testing.SecuredBrokerSettings;
import io.kafkaproxy.proxy.testing.TestCertificates;
import io.kafkaproxy.proxy.testing.TestCertificates.Issued;
import io.kafkaproxy.proxy.tls.BrokerTlsHandshakeFailures;
import io.micrometer.core.instrument.Counter;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static io.kafkaproxy.proxy.testing.PlaintextClients.adminConfig;
import static io.kafkaproxy.proxy.testing.PlaintextClients.produceAndConsume;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * TLS from the proxy to a broker whose client listener speaks only TLS and requires client certificates
 * ({@code upstream.tls}): plaintext clients produce and consume through the proxy; a wrong authority, a host name
 * the broker's certificate does not carry, and a missing client certificate each fail the client's connection
 * cleanly, counted and logged.
 */
class BrokerTlsIT
{
    @TempDir
    static Path dir;

    private static Issued authority;
    private static Path authorityPem;
    private static Issued proxyClient;
    private static InJvmKafka broker;

    @BeforeAll
    static void start()
    {
        // The broker is reached as localhost (it advertises that name), never as 127.0.0.1: see the host-name tests.
        final SecuredBrokerSettings settings = SecuredBrokerSettings.issue(dir);
        authority = settings.authority();
        authorityPem = settings.authorityPem();
        proxyClient = TestCertificates.client(authority, "CN=kafka-proxy");
        broker = InJvmKafka.start(List.of(1), settings.ssl("required"));
    }

    @AfterAll
    static void stop()
    {
        if (broker != null)
        {
            broker.close();
        }
    }

    @Test
    void plaintextClientsShouldProduceAndConsumeThroughTheProxyToATlsBroker() throws Exception
    {
        // Given: PEM trust and a PEM client certificate, the provider chosen automatically.
        final BrokerTlsConfig tls = BrokerTlsConfig.of(authorityPem.toString(), null, null,
            proxyClient.writeCertificatePem(dir.resolve("proxy.crt")).toString(),
            proxyClient.writeEncryptedKeyPem(dir.resolve("proxy.key")).toString(), TestCertificates.PASSWORD, null, null,
            null, null, null);

        try (LogCapture discovery = new LogCapture(BrokerNodeDiscovery.class);
             KafkaProxy proxy = startProxy(config -> withTls(config, tls)))
        {
            // When
            final List<String> consumed = produceAndConsume(proxy, "tls-pem", List.of("a", "b", "c"));

            // Then: the start-up node discovery speaks TLS too
            assertThat(consumed).containsExactly("a", "b", "c");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(discovery.messages(Level.INFO)).anyMatch(line -> line.contains("broker nodes discovered")));
        }
    }

    @Test
    void plaintextClientsShouldReachATlsBrokerWithKeyStoresAndTheJdkProvider() throws Exception
    {
        // Given
        final BrokerTlsConfig tls = BrokerTlsConfig.of(null,
            StoreConfig.of(TestCertificates.writeTrustStore(dir.resolve("proxy-trust.jks"), "JKS", authority.certificate()),
                "JKS", TestCertificates.PASSWORD, null),
            null, null, null, null, null,
            StoreConfig.of(proxyClient.writeKeyStore(dir.resolve("proxy.p12"), "PKCS12"), "PKCS12",
                TestCertificates.PASSWORD, null),
            List.of("TLSv1.2"), null, "jdk");

        try (KafkaProxy proxy = startProxy(config -> withTls(config, tls)))
        {
            // When
            final List<String> consumed = produceAndConsume(proxy, "tls-stores", List.of("x", "y"));

            // Then
            assertThat(consumed).containsExactly("x", "y");
        }
    }

    @Test
    void aBrokerCertificateFromAnotherAuthorityShouldFailTheClientCleanlyCountedAndLogged() throws Exception
    {
        // Given
        final Issued otherAuthority = TestCertificates.authority("other-ca");
        final BrokerTlsConfig tls = withClientCertificate(BrokerTlsConfig.of(
            TestCertificates.writeTrustPem(dir.resolve("other-ca.pem"), otherAuthority.certificate()).toString(),
            null, null, null, null, null, null, null, null, null, null));

        try (LogCapture logs = new LogCapture(ClientConnectionStateMachine.class);
             KafkaProxy proxy = startProxy(config -> withTls(config, tls)))
        {
            // When / Then
            assertFailsToDescribeTheCluster(proxy);
            assertThat(handshakeFailures(proxy, BrokerTlsHandshakeFailures.UNTRUSTED_CERTIFICATE)).isGreaterThanOrEqualTo(1);
            assertThat(logs.messages(Level.WARN)).anyMatch(line -> line.contains("TLS handshake with broker failed"));
            assertThat(logs.events(Level.WARN)).anySatisfy(event -> assertThat(event.getKeyValuePairs().toString())
                .contains("untrusted_certificate").contains(broker.bootstrapServers()));
        }
    }

    @Test
    void aHostNameTheBrokerCertificateDoesNotCarryShouldFailWithVerificationAndPassWithout() throws Exception
    {
        // Given: the broker's certificate names localhost, and the proxy bootstraps by address.
        final String byAddress = broker.bootstrapServers().replace("localhost", "127.0.0.1");
        final BrokerTlsConfig verifying = withClientCertificate(BrokerTlsConfig.of(
            authorityPem.toString(), null, null, null, null, null, null, null, null, null, null));
        final BrokerTlsConfig notVerifying = withClientCertificate(BrokerTlsConfig.of(
            authorityPem.toString(), null, false, null, null, null, null, null, null, null, null));

        // When / Then
        try (KafkaProxy proxy = startProxy(config -> withTls(withBootstrap(config, byAddress), verifying)))
        {
            assertFailsToDescribeTheCluster(proxy);
            assertThat(handshakeFailures(proxy, BrokerTlsHandshakeFailures.HOSTNAME_MISMATCH)).isGreaterThanOrEqualTo(1);
        }
        try (KafkaProxy proxy = startProxy(config -> withTls(withBootstrap(config, byAddress), notVerifying));
             Admin admin = Admin.create(adminConfig(proxy, 60_000)))
        {
            assertThat(admin.describeCluster().nodes().get(60, TimeUnit.SECONDS)).hasSize(1);
        }
    }

    @Test
    void aProxyWithoutTheClientCertificateTheBrokerRequiresShouldFailTheClientCleanly() throws Exception
    {
        // Given
        final BrokerTlsConfig tls = BrokerTlsConfig.of(authorityPem.toString(), null, null, null, null, null, null, null,
            null, null, null);

        try (KafkaProxy proxy = startProxy(config -> withTls(config, tls)))
        {
            // When / Then
            assertFailsToDescribeTheCluster(proxy);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(handshakeFailures(proxy, BrokerTlsHandshakeFailures.REFUSED_BY_BROKER)).isGreaterThanOrEqualTo(1));
        }
    }

    @Test
    void aReloadShouldReReadTheTrustFileForNewConnectionsAndRefuseABrokenOne() throws Exception
    {
        // Given: a proxy started from a file whose trust file names another authority
        final Path trust = TestCertificates.writeTrustPem(dir.resolve("rotated-ca.pem"),
            TestCertificates.authority("other-ca").certificate());
        final Path file = Files.writeString(dir.resolve("reload.yaml"), String.join("\n",
            "listener: {bindAddress: 127.0.0.1:0, advertisedHost: 127.0.0.1, nodePorts: {first: 0, count: 1}}",
            "upstream:",
            "  bootstrapServers: [" + broker.bootstrapServers() + "]",
            "  tls:",
            "    trustedCertificates: '" + trust + "'",
            "    certificate: '" + proxyClient.writeCertificatePem(dir.resolve("reload.crt")) + "'",
            "    privateKey: '" + proxyClient.writeEncryptedKeyPem(dir.resolve("reload.key")) + "'",
            "    privateKeyPassword: " + TestCertificates.PASSWORD,
            "network: {ioThreads: 2, maxRequestSizeBytes: 16MiB, maxResponseSizeBytes: 16MiB}",
            "memory: {poolSizeBytes: 64MiB, chunkSizeBytes: 256KiB}",
            "admin: {bindAddress: 127.0.0.1:0}",
            // The failed handshakes before the rotation would open the broker's circuit; this test is about the files.
            "circuitBreaker: {enabled: false}",
            ""));
        try (KafkaProxy proxy = KafkaProxy.builder(ConfigParser.parse(file)).start();
             ConfigReloader reloader = new ConfigReloader(file, config -> config, proxy, new LogLevels()))
        {
            assertFailsToDescribeTheCluster(proxy);

            // When: the trust file is broken, then replaced by the right authority; the YAML never changes
            Files.writeString(trust, "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n");
            final ConfigReloader.Result broken = reloader.reload();
            TestCertificates.writeTrustPem(trust, authority.certificate());
            final ConfigReloader.Result rotated = reloader.reload();

            // Then
            assertThat(broken.applied()).isFalse();
            assertThat(broken.error()).contains("upstream.tls.trustedCertificates").contains(trust.toString());
            assertThat(rotated.applied()).isTrue();
            assertThat(rotated.changed()).isEmpty();
            try (Admin admin = Admin.create(adminConfig(proxy, 60_000)))
            {
                assertThat(admin.describeCluster().nodes().get(60, TimeUnit.SECONDS)).hasSize(1);
            }
        }
    }

    private static BrokerTlsConfig withClientCertificate(final BrokerTlsConfig tls)
    {
        return new BrokerTlsConfig(tls.trustedCertificates(), tls.trustStore(), tls.hostnameVerification(),
            proxyClient.writeCertificatePem(dir.resolve("client.crt")), proxyClient.writeEncryptedKeyPem(dir.resolve("client.key")),
            TestCertificates.PASSWORD, null, null, tls.protocols(), tls.cipherSuites(), tls.provider());
    }

    private static ProxyConfig withTls(final ProxyConfig config, final BrokerTlsConfig tls)
    {
        return config.toBuilder().upstream(config.upstream().withTls(tls)).build();
    }

    private static ProxyConfig withBootstrap(final ProxyConfig config, final String bootstrapServers)
    {
        return config.toBuilder().upstream(config.upstream().withBootstrapServers(List.of(HostPort.parse(bootstrapServers)))).build();
    }

    private static KafkaProxy startProxy(final UnaryOperator<ProxyConfig> configuration)
    {
        return KafkaProxy.builder(configuration.apply(ProxiedKafka.proxyConfig(broker.bootstrapServers()))).start();
    }

    private static void assertFailsToDescribeTheCluster(final KafkaProxy proxy)
    {
        try (Admin admin = Admin.create(adminConfig(proxy, 3_000)))
        {
            assertThatThrownBy(() -> admin.describeCluster().nodes().get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class);
        }
    }

    private static double handshakeFailures(final KafkaProxy proxy, final String reason)
    {
        return proxy.metrics().registry().find(ProxyMetrics.BROKER_TLS_HANDSHAKE_FAILURES).tag(ProxyMetrics.REASON, reason)
            .counters().stream().mapToDouble(Counter::count).sum();
    }
}

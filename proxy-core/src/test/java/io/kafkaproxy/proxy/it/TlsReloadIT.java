package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.config.ConfigWriter;
import io.kafkaproxy.proxy.config.TlsServerConfig;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.net.KafkaProxy;
import io.kafkaproxy.proxy.reload.ConfigReloader;
import io.kafkaproxy.proxy.reload.LogLevels;
import io.kafkaproxy.proxy.testing.BrokerCluster;
import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.kafkaproxy.proxy.testing.SteadyProducer;
import io.kafkaproxy.proxy.testing.TestCertificates;
import io.kafkaproxy.proxy.testing.TlsClients;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The listener's certificate rotated by replacing its files and reloading, as {@code kill -USR1} does: new
 * handshakes get the new certificate, a steady acks=all producer over TLS loses nothing, and a pair that does not
 * match is refused with the running certificate kept.
 */
class TlsReloadIT
{
    @TempDir
    static Path dir;

    private static BrokerCluster broker;
    private static TestCertificates.Issued authority;
    private static Path caPem;

    @BeforeAll
    static void start()
    {
        broker = InJvmKafka.start(List.of(1), Map.of());
        authority = TestCertificates.authority("tls-reload-it");
        caPem = TestCertificates.writeTrustPem(dir.resolve("ca.pem"), authority.certificate());
    }

    @AfterAll
    static void stop()
    {
        broker.close();
    }

    @Test
    void certificateRotatedUnderASteadyProducerShouldServeNewHandshakesAndLoseNoSend() throws Exception
    {
        // Given
        final Path certificate = dir.resolve("server.crt");
        final Path key = dir.resolve("server.key");
        final TestCertificates.Issued first = writePair(certificate, key);
        try (KafkaProxy proxy = TlsClients.startProxy(broker, TlsServerConfig.pem(certificate, key), pipeline -> { }))
        {
            final Path configFile = Files.writeString(dir.resolve("kafka-proxy.yaml"), ConfigWriter.toYaml(proxy.config()));
            final String bootstrap = proxy.advertisedBootstrapServers();
            try (Admin admin = Admin.create(TlsClients.ssl(new HashMap<>(Map.of("bootstrap.servers", bootstrap)), caPem)))
            {
                admin.createTopics(List.of(new NewTopic("rotation", 1, (short)1))).all().get(60, TimeUnit.SECONDS);
            }
            try (ConfigReloader reloader = new ConfigReloader(configFile, config -> config, proxy, new LogLevels());
                SteadyProducer producer = SteadyProducer.start("rotation", producerConfig(bootstrap)))
            {
                producer.awaitMoreAcknowledged(100, Duration.ofSeconds(60));
                assertThat(servedSerial(proxy)).isEqualTo(first.certificate().getSerialNumber());

                // When: rotated
                final TestCertificates.Issued second = writePair(certificate, key);
                final ConfigReloader.Result rotated = reloader.reload();

                // Then
                assertThat(rotated.applied()).as(rotated.error()).isTrue();
                assertThat(servedSerial(proxy)).isEqualTo(second.certificate().getSerialNumber());
                assertThat(serials(proxy)).contains(second.certificate().getSerialNumber().toString(16))
                    .doesNotContain(first.certificate().getSerialNumber().toString(16));
                producer.awaitMoreAcknowledged(100, Duration.ofSeconds(60));

                // When: a certificate whose key is not the one beside it
                TestCertificates.server(authority, "CN=kafka-proxy", ProxiedKafka.ADVERTISED_HOST).writeCertificatePem(certificate);
                final ConfigReloader.Result broken = reloader.reload();

                // Then
                assertThat(broken.applied()).isFalse();
                assertThat(broken.error()).startsWith("listener.tls.certificate: the private key does not match the certificate: file=" +
                    certificate);
                assertThat(servedSerial(proxy)).isEqualTo(second.certificate().getSerialNumber());
                assertThat(serials(proxy)).contains(second.certificate().getSerialNumber().toString(16));
                producer.awaitMoreAcknowledged(100, Duration.ofSeconds(60));
                assertThat(producer.failures()).isEmpty();
            }
        }
    }

    private static TestCertificates.Issued writePair(final Path certificate, final Path key)
    {
        final TestCertificates.Issued issued = TestCertificates.server(authority, "CN=kafka-proxy", ProxiedKafka.ADVERTISED_HOST, "localhost");
        issued.writeKeyPem(key);
        issued.writeCertificatePem(certificate);
        return issued;
    }

    private static List<String> serials(final KafkaProxy proxy)
    {
        return proxy.meterRegistry().find(ProxyMetrics.TLS_CERTIFICATE_EXPIRY).gauges().stream()
            .map(gauge -> gauge.getId().getTag(ProxyMetrics.SERIAL)).toList();
    }

    private static BigInteger servedSerial(final KafkaProxy proxy) throws Exception
    {
        final KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", authority.certificate());
        final TrustManagerFactory trustManagers = TrustManagerFactory.getInstance("PKIX");
        trustManagers.init(trust);
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trustManagers.getTrustManagers(), null);
        try (SSLSocket socket = (SSLSocket)context.getSocketFactory()
            .createSocket(ProxiedKafka.ADVERTISED_HOST, proxy.bootstrapAddress().getPort()))
        {
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            return ((X509Certificate)socket.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    private static Map<String, Object> producerConfig(final String bootstrap)
    {
        final Map<String, Object> config = new HashMap<>();
        config.put("bootstrap.servers", bootstrap);
        config.put("key.serializer", StringSerializer.class);
        config.put("value.serializer", StringSerializer.class);
        config.put("acks", "all");
        config.put("enable.idempotence", true);
        config.put("linger.ms", 5);
        return TlsClients.ssl(config, caPem);
    }
}

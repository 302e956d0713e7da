package io.kafkaproxy.proxy.it;

import ch.qos.logback.classic.Level;
import io.kafkaproxy.proxy.config.BrokerSaslConfig;
import io.kafkaproxy.proxy.config.BrokerTlsConfig;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.connection.ClientConnectionStateMachine;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.net.KafkaProxy;
import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.kafkaproxy.proxy.testing.LogCapture;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.kafkaproxy.proxy.testing.TestCertificates;
import io.kafkaproxy.proxy.testing.TestCertificates.Issued;
import io.micrometer.core.instrument.Counter;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.kafkaproxy.proxy.testing.PlaintextClients.adminConfig;
import static io.kafkaproxy.proxy.testing.PlaintextClients.produceAndConsume;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The proxy's own SASL login to a broker whose client listener speaks SASL_SSL ({@code upstream.tls} with
 * {@code upstream.sasl}): plaintext clients produce and consume through a proxy that logs in with SCRAM-SHA-512 or
 * PLAIN; with a wrong password the client's connection closes cleanly, counted and logged.
 */
class BrokerSaslIT
{
    private static final String ADMIN = "admin";
    private static final String ADMIN_PASSWORD = "admin-secret";
    private static final String PROXY_USER = "kafka-proxy";
    private static final String PROXY_PASSWORD = "proxy-secret";

    @TempDir
    static Path dir;

    private static Path authorityPem;
    private static InJvmKafka broker;

    @BeforeAll
    static void start() throws Exception
    {
        final Issued authority = TestCertificates.authority("broker-ca");
        final Instant now = Instant.now();
        final Issued brokerCertificate = TestCertificates.issue(authority, "CN=broker", now.minus(Duration.ofHours(1)),
            now.plus(Duration.ofDays(1)), List.of("localhost"));
        authorityPem = TestCertificates.writeTrustPem(dir.resolve("ca.pem"), authority.certificate());
        final Path trustStore = TestCertificates.writeTrustStore(dir.resolve("trust.p12"), "PKCS12", authority.certificate());

        final Map<String, String> overrides = new HashMap<>();
        // The listener keeps the name the embedded cluster wires its ports under, and speaks SASL_SSL.
        overrides.put("listener.security.protocol.map", "PLAINTEXT:SASL_SSL,CONTROLLER:PLAINTEXT");
        overrides.put("ssl.keystore.type", "PKCS12");
        overrides.put("ssl.keystore.location", brokerCertificate.writeKeyStore(dir.resolve("broker.p12"), "PKCS12").toString());
        overrides.put("ssl.keystore.password", TestCertificates.PASSWORD);
        overrides.put("ssl.key.password", TestCertificates.PASSWORD);
        overrides.put("ssl.truststore.type", "PKCS12");
        overrides.put("ssl.truststore.location", trustStore.toString());
        overrides.put("ssl.truststore.password", TestCertificates.PASSWORD);
        overrides.put("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-512");
        overrides.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
        overrides.put("listener.name.plaintext.plain.sasl.jaas.config",
            "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + ADMIN + "\" password=\"" +
                ADMIN_PASSWORD + "\" user_" + ADMIN + "=\"" + ADMIN_PASSWORD + "\" user_" + PROXY_USER + "=\"" + PROXY_PASSWORD + "\";");
        overrides.put("listener.name.plaintext.scram-sha-512.sasl.jaas.config",
            "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        broker = InJvmKafka.start(List.of(1), overrides);

        // SCRAM credentials live in the cluster's metadata: the admin creates the proxy's, straight to the broker.
        final Map<String, Object> admin = new HashMap<>();
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        admin.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
        admin.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
        admin.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, trustStore.toString());
        admin.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, TestCertificates.PASSWORD);
        admin.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
        admin.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" +
            ADMIN + "\" password=\"" + ADMIN_PASSWORD + "\";");
        try (Admin client = Admin.create(admin))
        {
            client.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(PROXY_USER,
                new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), PROXY_PASSWORD))).all().get(60, TimeUnit.SECONDS);
        }
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
    void plaintextClientsShouldProduceAndConsumeThroughAProxyLoggedInWithScram() throws Exception
    {
        // Given
        final BrokerSaslConfig sasl = BrokerSaslConfig.of("SCRAM-SHA-512", PROXY_USER, PROXY_PASSWORD, null);

        try (KafkaProxy proxy = startProxy(sasl))
        {
            // When
            final List<String> consumed = produceAndConsume(proxy, "scram", List.of("a", "b", "c"));

            // Then
            assertThat(consumed).containsExactly("a", "b", "c");
            assertThat(authenticationFailures(proxy)).isZero();
        }
    }

    @Test
    void plaintextClientsShouldReachTheBrokerThroughAProxyLoggedInWithPlainFromAPasswordFile() throws Exception
    {
        // Given
        final Path passwordFile = Files.writeString(dir.resolve("proxy.password"), PROXY_PASSWORD + "\n");
        final BrokerSaslConfig sasl = BrokerSaslConfig.of("PLAIN", PROXY_USER, null, passwordFile.toString());

        try (KafkaProxy proxy = startProxy(sasl);
             Admin admin = Admin.create(adminConfig(proxy, 60_000)))
        {
            // When / Then
            assertThat(admin.describeCluster().nodes().get(60, TimeUnit.SECONDS)).hasSize(1);
        }
    }

    @Test
    void aWrongPasswordShouldCloseTheClientConnectionCleanlyCountedAndLogged() throws Exception
    {
        // Given
        final BrokerSaslConfig sasl = BrokerSaslConfig.of("SCRAM-SHA-512", PROXY_USER, "not-the-password", null);

        try (LogCapture logs = new LogCapture(ClientConnectionStateMachine.class);
             KafkaProxy proxy = startProxy(sasl);
             Admin admin = Admin.create(adminConfig(proxy, 3_000)))
        {
            // When / Then
            assertThatThrownBy(() -> admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
            assertThat(authenticationFailures(proxy)).isGreaterThanOrEqualTo(1);
            assertThat(logs.events(Level.WARN)).anySatisfy(event ->
            {
                assertThat(event.getFormattedMessage()).contains("broker refused the proxy's own login");
                assertThat(event.getKeyValuePairs().toString())
                    .contains(PROXY_USER).contains(broker.bootstrapServers()).contains("invalid credentials");
            });
        }
    }

    private static KafkaProxy startProxy(final BrokerSaslConfig sasl)
    {
        final ProxyConfig config = ProxiedKafka.proxyConfig(broker.bootstrapServers());
        final BrokerTlsConfig tls = BrokerTlsConfig.of(authorityPem.toString(), null, null, null, null, null, null, null, null, null, null);
        return KafkaProxy.builder(config.toBuilder().upstream(config.upstream().withTls(tls).withSasl(sasl)).build()).start();
    }

    private static double authenticationFailures(final KafkaProxy proxy)
    {
        return proxy.metrics().registry().find(ProxyMetrics.BROKER_AUTHENTICATION_FAILURES).tag(ProxyMetrics.BROKER, broker.bootstrapServers())
            .counters().stream().mapToDouble(Counter::count).sum();
    }
}

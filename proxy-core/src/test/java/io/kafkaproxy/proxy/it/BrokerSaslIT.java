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
import io.kafkaproxy.proxy.testing.SecuredBrokerSettings;
import io.micrometer.core.instrument.Counter;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
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
    private static final String PROXY_USER = "kafka-proxy";
    private static final String PROXY_PASSWORD = "proxy-secret";

    @TempDir
    static Path dir;

    private static Path authorityPem;
    private static InJvmKafka broker;

    @BeforeAll
    static void start()
    {
        final SecuredBrokerSettings settings = SecuredBrokerSettings.issue(dir);
        authorityPem = settings.authorityPem();
        broker = InJvmKafka.start(List.of(1), settings.saslSsl(Map.of(PROXY_USER, PROXY_PASSWORD)));
        // SCRAM credentials live in the cluster's metadata: the admin creates the proxy's, straight to the broker.
        settings.createScramUser(broker.bootstrapServers(), PROXY_USER, PROXY_PASSWORD);
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

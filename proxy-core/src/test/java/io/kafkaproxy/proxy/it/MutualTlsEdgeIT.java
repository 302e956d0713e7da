package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.config.BrokerTlsConfig;
import io.kafkaproxy.proxy.config.ListenerConfig;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.config.TlsServerConfig;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.testing.ClientWorkloads;
import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.kafkaproxy.proxy.testing.LegacyKafkaClient;
import io.kafkaproxy.proxy.testing.PolicyConfigs;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.kafkaproxy.proxy.testing.SecuredBrokerSettings;
import io.kafkaproxy.proxy.testing.TestCertificates;
import io.kafkaproxy.proxy.testing.TlsClients;
import io.micrometer.core.instrument.Counter;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Mutual TLS end to end: the proxy requires client certificates and names each client by its certificate's subject,
 * and the broker behind it speaks only TLS and requires the proxy's own client certificate ({@code upstream.tls}
 * with {@code certificate} and {@code privateKey}). A 2.8 client and kafka-clients 4.x produce and consume through
 * it; the ACL rules follow the certificate principal.
 */
class MutualTlsEdgeIT
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

    private static TestCertificates.Issued edgeAuthority;
    private static Path edgeAuthorityPem;
    private static ProxiedKafka kafka;

    @BeforeAll
    static void start() throws Exception
    {
        // The broker: TLS only, client certificates required, under its own authority, which signs the proxy's.
        final SecuredBrokerSettings brokerSettings = SecuredBrokerSettings.issue(dir);
        final InJvmKafka broker = InJvmKafka.start(List.of(1), brokerSettings.ssl("required"));
        final TestCertificates.Issued proxyClient = TestCertificates.client(brokerSettings.authority(), "CN=kafka-proxy");
        final BrokerTlsConfig upstreamTls = BrokerTlsConfig.of(brokerSettings.authorityPem().toString(), null, null,
            proxyClient.writeCertificatePem(dir.resolve("proxy-client.crt")).toString(),
            proxyClient.writeKeyPem(dir.resolve("proxy-client.key")).toString(), null, null, null, null, null, null);

        // The proxy's listener: client certificates required under another authority, the principal their CN.
        edgeAuthority = TestCertificates.authority("edge-ca");
        edgeAuthorityPem = TestCertificates.writeTrustPem(dir.resolve("edge-ca.pem"), edgeAuthority.certificate());
        final TestCertificates.Issued edge = TestCertificates.server(edgeAuthority, "CN=kafka-proxy", ProxiedKafka.ADVERTISED_HOST, "localhost");
        final TlsServerConfig listenerTls = TlsServerConfig.of(edge.writeCertificatePem(dir.resolve("edge.crt")),
            edge.writeKeyPem(dir.resolve("edge.key")), null, null, null, "required", edgeAuthorityPem, null, null, null, null,
            "RULE:^CN=([^,]+)$/$1/,DEFAULT", null, null);
        final ProxyConfig policy = PolicyConfigs.parse(RULES);
        kafka = ProxiedKafka.inFrontOf(broker, config -> PolicyConfigs.withPolicyOf(config.toBuilder()
            .listener(config.listener().withTls(listenerTls))
            .upstream(config.upstream().withTls(upstreamTls))
            .build(), policy), pipeline -> { });

        try (Admin admin = Admin.create(client("alice", kafka.adminConfig())))
        {
            admin.createTopics(List.of(new NewTopic("payments", 1, (short)1))).all().get(60, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stop()
    {
        if (kafka != null)
        {
            kafka.close();
        }
    }

    @Test
    void aKafka28ClientShouldBeJudgedByItsCertificatePrincipal() throws Exception
    {
        // Given: mallory's client claims alice's client.id
        final Map<String, String> alice = TlsClients.asStrings(client("alice", new HashMap<>()));
        final Map<String, String> mallory = TlsClients.asStrings(client("mallory", new HashMap<>()));
        mallory.put("client.id", "alice");
        mallory.put("max.block.ms", "20000");
        final List<String> values = List.of("legacy-1", "legacy-2");
        final List<String> consumed;

        // When
        try (LegacyKafkaClient client = LegacyKafkaClient.load("2.8.2"))
        {
            client.produce(kafka.bootstrapServers(), "payments", values, "none", alice);
            assertThatThrownBy(() -> client.produce(kafka.bootstrapServers(), "payments", List.of("from mallory"), "none", mallory))
                .hasMessageContaining("TopicAuthorizationException");
            consumed = client.consumeInGroup(kafka.bootstrapServers(), "payments", "legacy-mtls-group", values.size(), alice);
        }

        // Then
        assertThat(consumed).containsExactlyElementsOf(values);
    }

    @Test
    void javaClientsShouldProduceWithAcksAllAndConsumeThroughAProxyTheBrokerKnowsByItsCertificate() throws Exception
    {
        // Given
        final List<String> values = List.of("mtls-1", "mtls-2", "mtls-3");

        // When
        ClientWorkloads.sendAll(client("bob", kafka.producerConfig()),
            values.stream().map(value -> new ProducerRecord<String, String>("mtls", value)).toList());
        final List<ConsumerRecord<String, String>> consumed = ClientWorkloads.consume("mtls", client("bob", kafka.consumerConfig(null)),
            values.size());

        // Then
        assertThat(consumed).extracting(ConsumerRecord::value).containsExactlyElementsOf(values);
        assertThat(kafka.proxy().meterRegistry().find(ProxyMetrics.BROKER_TLS_HANDSHAKE_FAILURES).counters())
            .extracting(Counter::count).allMatch(count -> count == 0);
        assertThat(kafka.proxy().metrics().tlsHandshakeFailures(ListenerConfig.DEFAULT_NAME, "no_client_certificate")).isZero();
    }

    private static Map<String, Object> client(final String name, final Map<String, Object> config)
    {
        final TestCertificates.Issued certificate = TestCertificates.client(edgeAuthority, "CN=" + name);
        return TlsClients.mutualSsl(config, edgeAuthorityPem,
            certificate.writeKeyStore(dir.resolve(name + "-" + System.nanoTime() + ".p12"), "PKCS12"));
    }
}

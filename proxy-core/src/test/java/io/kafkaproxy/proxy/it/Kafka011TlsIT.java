package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.config.TlsServerConfig;
import io.kafkaproxy.proxy.testing.ChildProcessKafkaBroker;
import io.kafkaproxy.proxy.testing.ClientWorkloads;
import io.kafkaproxy.proxy.testing.LegacyKafkaClient;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.kafkaproxy.proxy.testing.TestCertificates;
import io.kafkaproxy.proxy.testing.TlsClients;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The oldest clients over TLS: a Kafka 0.11 client speaks TLS to the proxy, which terminates it and speaks plaintext
 * to a Kafka 3.9 broker (in a child JVM: the last line that serves 0.11 clients).
 */
class Kafka011TlsIT
{
    @TempDir
    static Path dir;

    private static Path edgeTrustStore;
    private static Path edgeAuthorityPem;
    private static ProxiedKafka kafka;

    @BeforeAll
    static void start()
    {
        final TestCertificates.Issued edgeAuthority = TestCertificates.authority("edge-ca");
        final TestCertificates.Issued edge = TestCertificates.server(edgeAuthority, "CN=kafka-proxy", ProxiedKafka.ADVERTISED_HOST, "localhost");
        // 0.11 reads no PEM trust: it gets a PKCS#12 trust store.
        edgeTrustStore = TestCertificates.writeTrustStore(dir.resolve("edge-trust.p12"), "PKCS12", edgeAuthority.certificate());
        edgeAuthorityPem = TestCertificates.writeTrustPem(dir.resolve("edge-ca.pem"), edgeAuthority.certificate());
        final TlsServerConfig tls = TlsServerConfig.pem(edge.writeCertificatePem(dir.resolve("edge.crt")), edge.writeKeyPem(dir.resolve("edge.key")));
        kafka = ProxiedKafka.inFrontOf(ChildProcessKafkaBroker.startKafka39(Map.of()),
            config -> config.toBuilder().listener(config.listener().withTls(tls)).build(), pipeline -> { });
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
    void aKafka011ClientShouldProduceAndConsumeInAGroupOverTls() throws Exception
    {
        // Given
        final Map<String, String> ssl = Map.of(
            "security.protocol", "SSL",
            "ssl.truststore.type", "PKCS12",
            "ssl.truststore.location", edgeTrustStore.toString(),
            "ssl.truststore.password", TestCertificates.PASSWORD);
        final List<String> values = new ArrayList<>();
        for (int i = 0; i < 20; i++)
        {
            values.add("v011-" + i);
        }
        final List<String> consumed;

        // When: plain and gzip batches, then a group consumer, all over TLS
        try (LegacyKafkaClient client = LegacyKafkaClient.load("0.11.0.3"))
        {
            client.produce(kafka.bootstrapServers(), "legacy-011-tls", values.subList(0, 10), "none", ssl);
            client.produce(kafka.bootstrapServers(), "legacy-011-tls", values.subList(10, 20), "gzip", ssl);
            consumed = client.consumeInGroup(kafka.bootstrapServers(), "legacy-011-tls", "legacy-011-tls-group", values.size(), ssl);
        }

        // Then: and the current client, over TLS too, agrees
        assertThat(consumed).containsExactlyInAnyOrderElementsOf(values);
        assertThat(ClientWorkloads.consume("legacy-011-tls", TlsClients.ssl(kafka.consumerConfig(null), edgeAuthorityPem), values.size()))
            .extracting(ConsumerRecord::value).containsExactlyInAnyOrderElementsOf(values);
    }
}

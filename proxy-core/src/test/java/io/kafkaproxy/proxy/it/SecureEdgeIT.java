package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.config.BrokerSaslConfig;
import io.kafkaproxy.proxy.config.BrokerTlsConfig;
import io.kafkaproxy.proxy.config.OAuthBearerConfig;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.config.SaslMechanism;
import io.kafkaproxy.proxy.config.SaslTerminationConfig;
import io.kafkaproxy.proxy.config.TlsServerConfig;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.testing.ClientWorkloads;
import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.kafkaproxy.proxy.testing.KcatProcess;
import io.kafkaproxy.proxy.testing.LegacyKafkaClient;
import io.kafkaproxy.proxy.testing.PolicyConfigs;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.kafkaproxy.proxy.testing.SaslClients;
import io.kafkaproxy.proxy.testing.SaslCredentialFixtures;
import io.kafkaproxy.proxy.testing.SecuredBrokerSettings;
import io.kafkaproxy.proxy.testing.TestCertificates;
import io.kafkaproxy.proxy.testing.TestJwtIssuer;
import io.kafkaproxy.proxy.testing.TlsClients;
import io.micrometer.core.instrument.Counter;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The secure edge end to end: a broker whose client listener speaks SASL_SSL (PLAIN and SCRAM-SHA-512), and in front
 * of it a proxy with TLS on both sides that terminates SASL (PLAIN, SCRAM-SHA-512, OAUTHBEARER) and logs in to the
 * broker as its own SCRAM user. kafka-clients 4.x, a 2.8 client and kcat log in over SASL_SSL; the ACL rules follow
 * the principal the proxy authenticated; a bad password fails that login alone.
 */
class SecureEdgeIT
{
    private static final String PROXY_USER = "kafka-proxy";
    private static final String PROXY_PASSWORD = "proxy-secret";
    private static final Map<String, String> PASSWORDS = Map.of("alice", "alice-secret", "bob", "bob-secret");
    private static final String RULES = """
        acl:
          defaultPolicy: allow
          rules:
            - effect: deny
              principal: alice
              resourceType: topic
              resourceName: guarded
              operations: [write]
        """;

    @TempDir
    static Path dir;

    private static TestJwtIssuer issuer;
    private static Path edgeAuthorityPem;
    private static ProxiedKafka kafka;

    @BeforeAll
    static void start() throws Exception
    {
        // The broker: SASL_SSL under its own authority, the proxy's SCRAM user in its metadata.
        final SecuredBrokerSettings brokerSettings = SecuredBrokerSettings.issue(dir);
        final InJvmKafka broker = InJvmKafka.start(List.of(1), brokerSettings.saslSsl(Map.of()));
        try
        {
            brokerSettings.createScramUser(broker.bootstrapServers(), PROXY_USER, PROXY_PASSWORD);
        }
        catch (final RuntimeException e)
        {
            broker.close();
            throw e;
        }

        // The proxy: TLS under another authority and SASL terminated for the clients; TLS and its own login to the broker.
        final TestCertificates.Issued edgeAuthority = TestCertificates.authority("edge-ca");
        final TestCertificates.Issued edge = TestCertificates.server(edgeAuthority, "CN=kafka-proxy", ProxiedKafka.ADVERTISED_HOST, "localhost");
        edgeAuthorityPem = TestCertificates.writeTrustPem(dir.resolve("edge-ca.pem"), edgeAuthority.certificate());
        final TlsServerConfig listenerTls = TlsServerConfig.pem(edge.writeCertificatePem(dir.resolve("edge.crt")),
            edge.writeKeyPem(dir.resolve("edge.key")));
        issuer = new TestJwtIssuer();
        final SaslTerminationConfig listenerSasl = new SaslTerminationConfig(
            List.of(SaslMechanism.PLAIN, SaslMechanism.SCRAM_SHA_512, SaslMechanism.OAUTHBEARER),
            SaslCredentialFixtures.writePlainUsers(dir.resolve("plain.yaml"), PASSWORDS),
            SaslCredentialFixtures.writeScramUsers(dir.resolve("scram.yaml"), PASSWORDS),
            new OAuthBearerConfig(issuer.writeJwks(dir.resolve("jwks.json")), TestJwtIssuer.ISSUER, TestJwtIssuer.AUDIENCE, "sub",
                Duration.ofSeconds(30)),
            Duration.ZERO, 1000);
        final BrokerTlsConfig upstreamTls = BrokerTlsConfig.of(brokerSettings.authorityPem().toString(), null, null, null, null, null,
            null, null, null, null, null);
        final BrokerSaslConfig upstreamSasl = BrokerSaslConfig.of("SCRAM-SHA-512", PROXY_USER, PROXY_PASSWORD, null);
        final ProxyConfig policy = PolicyConfigs.parse(RULES);
        kafka = ProxiedKafka.inFrontOf(broker, config -> PolicyConfigs.withPolicyOf(config.toBuilder()
            .listener(config.listener().withTls(listenerTls).withSasl(listenerSasl))
            .upstream(config.upstream().withTls(upstreamTls).withSasl(upstreamSasl))
            .build(), policy), pipeline -> { });

        try (Admin admin = Admin.create(login(kafka.adminConfig(), "PLAIN", "bob")))
        {
            admin.createTopics(List.of(new NewTopic("guarded", 1, (short)1))).all().get(60, TimeUnit.SECONDS);
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

    @ParameterizedTest
    @ValueSource(strings = {"PLAIN", "SCRAM-SHA-512", "OAUTHBEARER"})
    void javaClientsShouldProduceWithAcksAllAndConsumeOverSaslSsl(final String mechanism) throws Exception
    {
        // Given
        final String topic = "edge-" + mechanism.toLowerCase();
        final List<String> values = List.of(mechanism + "-1", mechanism + "-2", mechanism + "-3");
        final double loginsBefore = saslAuthentications(mechanism, "success");

        // When
        ClientWorkloads.sendAll(client(kafka.producerConfig(), mechanism),
            values.stream().map(value -> new ProducerRecord<String, String>(topic, value)).toList());
        final List<ConsumerRecord<String, String>> consumed = ClientWorkloads.consume(topic, client(kafka.consumerConfig(null), mechanism),
            values.size());

        // Then: the clients logged in at the proxy, and the proxy at the broker
        assertThat(consumed).extracting(ConsumerRecord::value).containsExactlyElementsOf(values);
        assertThat(saslAuthentications(mechanism, "success")).isGreaterThan(loginsBefore);
        assertThat(brokerAuthenticationFailures()).isZero();
    }

    @Test
    void anAclRuleShouldMatchThePrincipalTheProxyAuthenticatedOverSaslSsl() throws Exception
    {
        // Given
        final Map<String, Object> alice = login(kafka.producerConfig(), "SCRAM-SHA-512", "alice");
        alice.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
        alice.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);

        // When
        ClientWorkloads.sendAll(login(kafka.producerConfig(), "PLAIN", "bob"), List.of(new ProducerRecord<>("guarded", "from bob")));

        // Then
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(alice))
        {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("guarded", "from alice")).get(60, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(TopicAuthorizationException.class);
        }
        assertThat(ClientWorkloads.consume("guarded", login(kafka.consumerConfig(null), "PLAIN", "bob"), 1))
            .extracting(ConsumerRecord::value).contains("from bob").doesNotContain("from alice");
    }

    @Test
    void aBadPasswordShouldFailThatLoginAloneWithSaslAuthenticationException() throws Exception
    {
        // Given: a neighbour whose connections stay open throughout
        final Map<String, Object> wrong = SaslClients.login(TlsClients.ssl(kafka.adminConfig(), edgeAuthorityPem), "SASL_SSL", "PLAIN",
            "alice", "wrong-password");
        wrong.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        final double failuresBefore = saslAuthentications("PLAIN", "failure");
        try (KafkaProducer<String, String> neighbour = new KafkaProducer<>(login(kafka.producerConfig(), "PLAIN", "bob")))
        {
            neighbour.send(new ProducerRecord<>("neighbour", "before")).get(60, TimeUnit.SECONDS);

            // When / Then
            try (Admin admin = Admin.create(wrong))
            {
                assertThatThrownBy(() -> admin.describeCluster().clusterId().get(60, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(SaslAuthenticationException.class)
                    .hasMessageContaining("Invalid username or password");
            }
            assertThat(neighbour.send(new ProducerRecord<>("neighbour", "after")).get(60, TimeUnit.SECONDS).offset()).isEqualTo(1);
        }
        assertThat(saslAuthentications("PLAIN", "failure")).isGreaterThan(failuresBefore);
        assertThat(brokerAuthenticationFailures()).isZero();
    }

    @Test
    void kcatShouldProduceAndConsumeOverSaslSslWithPlain() throws Exception
    {
        // Given
        assumeTrue(KcatProcess.installed(), "kcat is not installed (apt-get install kcat)");
        final List<String> security = List.of("-X", "security.protocol=sasl_ssl", "-X", "sasl.mechanisms=PLAIN",
            "-X", "sasl.username=bob", "-X", "sasl.password=" + PASSWORDS.get("bob"), "-X", "ssl.ca.location=" + edgeAuthorityPem);
        final StringBuilder messages = new StringBuilder();
        for (int i = 0; i < 10; i++)
        {
            messages.append("kcat-sasl-ssl-").append(i).append('\n');
        }

        // When
        final KcatProcess.Result produced = KcatProcess.run(concat(List.of("-b", kafka.bootstrapServers(), "-P", "-t", "kcat-sasl-ssl",
            "-X", "acks=all"), security), messages.toString());
        final KcatProcess.Result consumed = KcatProcess.run(concat(List.of("-b", kafka.bootstrapServers(), "-C", "-t", "kcat-sasl-ssl",
            "-o", "beginning", "-e", "-q"), security), "");

        // Then
        assertThat(produced.exitCode()).as(produced.output()).isZero();
        assertThat(consumed.exitCode()).as(consumed.output()).isZero();
        assertThat(consumed.output().lines()).containsExactlyElementsOf(messages.toString().lines().toList());
    }

    @Test
    void aKafka28ClientShouldProduceAndConsumeOverSaslSslWithPlain() throws Exception
    {
        // Given
        final Map<String, String> security = TlsClients.asStrings(login(new HashMap<>(), "PLAIN", "bob"));
        final List<String> values = List.of("legacy-1", "legacy-2", "legacy-3");
        final List<String> consumed;

        // When
        try (LegacyKafkaClient client = LegacyKafkaClient.load("2.8.2"))
        {
            client.produce(kafka.bootstrapServers(), "legacy-sasl-ssl", values, "gzip", security);
            consumed = client.consumeInGroup(kafka.bootstrapServers(), "legacy-sasl-ssl", "legacy-sasl-ssl-group", values.size(), security);
        }

        // Then
        assertThat(consumed).containsExactlyElementsOf(values);
        assertThat(ClientWorkloads.consume("legacy-sasl-ssl", login(kafka.consumerConfig(null), "PLAIN", "bob"), values.size()))
            .extracting(ConsumerRecord::value).containsExactlyElementsOf(values);
    }

    private static Map<String, Object> client(final Map<String, Object> config, final String mechanism)
    {
        return switch (mechanism)
        {
            case "PLAIN" -> login(config, mechanism, "bob");
            case "SCRAM-SHA-512" -> login(config, mechanism, "alice");
            default -> SaslClients.bearer(TlsClients.ssl(config, edgeAuthorityPem), "SASL_SSL", issuer.token("carol"));
        };
    }

    private static Map<String, Object> login(final Map<String, Object> config, final String mechanism, final String user)
    {
        return SaslClients.login(TlsClients.ssl(config, edgeAuthorityPem), "SASL_SSL", mechanism, user, PASSWORDS.get(user));
    }

    private static double saslAuthentications(final String mechanism, final String outcome)
    {
        final Counter counter = kafka.proxy().meterRegistry().find(ProxyMetrics.SASL_AUTHENTICATIONS)
            .tag(ProxyMetrics.MECHANISM, mechanism).tag(ProxyMetrics.OUTCOME, outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    private static double brokerAuthenticationFailures()
    {
        return kafka.proxy().meterRegistry().find(ProxyMetrics.BROKER_AUTHENTICATION_FAILURES).counters().stream()
            .mapToDouble(Counter::count).sum();
    }

    private static List<String> concat(final List<String> first, final List<String> second)
    {
        final List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }
}

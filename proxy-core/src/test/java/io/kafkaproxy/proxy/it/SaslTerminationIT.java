package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.config.ConfigWriter;
import io.kafkaproxy.proxy.config.ListenerConfig;
import io.kafkaproxy.proxy.config.OAuthBearerConfig;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.config.SaslMechanism;
import io.kafkaproxy.proxy.config.SaslTerminationConfig;
import io.kafkaproxy.proxy.connection.ClientConnectionStateMachine;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.net.KafkaProxy;
import io.kafkaproxy.proxy.reload.ConfigReloader;
import io.kafkaproxy.proxy.reload.LogLevels;
import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.kafkaproxy.proxy.testing.LegacyKafkaClient;
import io.kafkaproxy.proxy.testing.LogCapture;
import io.kafkaproxy.proxy.testing.PolicyConfigs;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.kafkaproxy.proxy.testing.SaslCredentialFixtures;
import io.kafkaproxy.proxy.testing.SignedTokenLoginCallbackHandler;
import io.kafkaproxy.proxy.testing.TestJwtIssuer;
import ch.qos.logback.classic.Level;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnsupportedSaslMechanismException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * SASL terminated at the proxy in front of a plaintext broker: kafka-clients 4.x, a 2.8 client and kcat log in to the
 * proxy over SASL_PLAINTEXT with PLAIN, SCRAM-SHA-256/512 and OAUTHBEARER (a JWT signed by the test), the ACL rules
 * follow the principal the proxy authenticated, bad credentials are refused as a broker refuses them, sessions are
 * re-authenticated (KIP-368), and a reloaded users file lets a new user in.
 */
class SaslTerminationIT
{
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
    static Path directory;

    private static TestJwtIssuer issuer;
    private static ProxiedKafka kafka;

    @BeforeAll
    static void start()
    {
        issuer = new TestJwtIssuer();
        SaslCredentialFixtures.writePlainUsers(directory.resolve("plain.yaml"), PASSWORDS);
        SaslCredentialFixtures.writeScramUsers(directory.resolve("scram.yaml"), PASSWORDS);
        issuer.writeJwks(directory.resolve("jwks.json"));
        final SaslTerminationConfig sasl = sasl(List.of(SaslMechanism.values()), Duration.ZERO, 1000);
        final ProxyConfig policy = PolicyConfigs.parse(RULES);
        kafka = ProxiedKafka.inFrontOf(InJvmKafka.start(List.of(1), Map.of()),
            config -> PolicyConfigs.withPolicyOf(withSasl(config, sasl), policy), pipeline -> { });
        try (Admin admin = Admin.create(login(kafka.adminConfig(), "PLAIN", "bob")))
        {
            admin.createTopics(List.of(new NewTopic("guarded", 1, (short)1), new NewTopic("open", 1, (short)1)))
                .all().get(60, TimeUnit.SECONDS);
        }
        catch (final Exception e)
        {
            throw new IllegalStateException(e);
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
    void producerConsumerAndAdminShouldWorkThroughAPlainLogin() throws Exception
    {
        // Given
        final Map<String, Object> producer = login(kafka.producerConfig(), "PLAIN", "bob");
        final Map<String, Object> consumer = login(kafka.consumerConfig("plain-group"), "PLAIN", "bob");
        try (Admin admin = Admin.create(login(kafka.adminConfig(), "PLAIN", "bob")))
        {
            admin.createTopics(List.of(new NewTopic("plain-topic", 1, (short)1))).all().get(60, TimeUnit.SECONDS);
        }

        // When
        send(producer, "plain-topic", List.of("p1", "p2", "p3"));

        // Then
        assertThat(consume(consumer, "plain-topic", 3)).containsExactly("p1", "p2", "p3");
        assertThat(count(kafka.proxy().meterRegistry(), "PLAIN", "success")).isGreaterThanOrEqualTo(3);
    }

    @ParameterizedTest
    @ValueSource(strings = {"SCRAM-SHA-256", "SCRAM-SHA-512"})
    void aScramLoginShouldProduceAndConsume(final String mechanism) throws Exception
    {
        // Given
        final String topic = "scram-" + mechanism.toLowerCase();
        final Map<String, Object> producer = login(kafka.producerConfig(), mechanism, "alice");

        // When
        send(producer, topic, List.of("s1", "s2"));

        // Then
        assertThat(consume(login(kafka.consumerConfig(null), mechanism, "alice"), topic, 2)).containsExactly("s1", "s2");
        assertThat(count(kafka.proxy().meterRegistry(), mechanism, "success")).isGreaterThanOrEqualTo(2);
    }

    @Test
    void anOAuthBearerLoginWithASignedTokenShouldProduce() throws Exception
    {
        // Given
        final Map<String, Object> producer = bearer(kafka.producerConfig(), issuer.token("carol"));

        // When
        send(producer, "oauth-topic", List.of("o1"));

        // Then
        assertThat(consume(bearer(kafka.consumerConfig(null), issuer.token("carol")), "oauth-topic", 1)).containsExactly("o1");
        assertThat(count(kafka.proxy().meterRegistry(), "OAUTHBEARER", "success")).isGreaterThanOrEqualTo(2);
    }

    @Test
    void anAclRuleShouldMatchThePrincipalTheProxyAuthenticated() throws Exception
    {
        // Given
        final Map<String, Object> alice = login(kafka.producerConfig(), "SCRAM-SHA-512", "alice");
        final Map<String, Object> bob = login(kafka.producerConfig(), "PLAIN", "bob");

        // When
        send(bob, "guarded", List.of("b1"));

        // Then
        alice.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
        alice.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(alice))
        {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("guarded", "a1")).get(60, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(TopicAuthorizationException.class);
        }
    }

    @Test
    void aBadPasswordShouldFailTheLoginAsABrokerDoesWithACounterAndOneWarning()
    {
        // Given
        final Map<String, Object> admin = login(kafka.adminConfig(), "PLAIN", "alice");
        admin.put(SaslConfigs.SASL_JAAS_CONFIG, jaas("PLAIN", "alice", "wrong-password"));
        final double failuresBefore = count(kafka.proxy().meterRegistry(), "PLAIN", "failure");

        try (LogCapture log = new LogCapture(ClientConnectionStateMachine.class))
        {
            // When / Then
            assertThatThrownBy(() -> describeCluster(admin))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(SaslAuthenticationException.class)
                .hasMessageContaining("Authentication failed: Invalid username or password");
            assertThat(count(kafka.proxy().meterRegistry(), "PLAIN", "failure")).isGreaterThan(failuresBefore);
            assertThat(log.messages(Level.WARN)).anySatisfy(line -> assertThat(line).contains("SASL authentication failed"));
            assertThat(log.messages(Level.WARN)).noneSatisfy(line -> assertThat(line).contains("wrong-password"));
        }
    }

    @Test
    void tokensThatAreExpiredFromAnotherIssuerOrBadlySignedShouldBeRefused()
    {
        // Given
        final List<String> badTokens = List.of(
            issuer.token("carol", TestJwtIssuer.ISSUER, TestJwtIssuer.AUDIENCE, Instant.now().minus(Duration.ofMinutes(5))),
            issuer.token("carol", "https://someone-else", TestJwtIssuer.AUDIENCE, Instant.now().plus(Duration.ofHours(1))),
            issuer.token("carol", TestJwtIssuer.ISSUER, "another-audience", Instant.now().plus(Duration.ofHours(1))),
            new TestJwtIssuer().token("carol"));

        // When / Then
        for (final String token : badTokens)
        {
            assertThatThrownBy(() -> describeCluster(bearer(kafka.adminConfig(), token)))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(SaslAuthenticationException.class)
                .hasMessageContaining("invalid_token");
        }
    }

    @Test
    void aReloadedUsersFileShouldLetANewUserInWithoutARestart() throws Exception
    {
        // Given
        final Path file = directory.resolve("proxy.yaml");
        Files.writeString(file, ConfigWriter.toYaml(kafka.proxy().config()), StandardCharsets.UTF_8);
        final Map<String, Object> dave = login(kafka.adminConfig(), "PLAIN", "dave");
        dave.put(SaslConfigs.SASL_JAAS_CONFIG, jaas("PLAIN", "dave", "dave-secret"));
        assertThatThrownBy(() -> describeCluster(dave)).hasCauseInstanceOf(SaslAuthenticationException.class);
        final Map<String, String> withDave = new HashMap<>(PASSWORDS);
        withDave.put("dave", "dave-secret");
        SaslCredentialFixtures.writePlainUsers(directory.resolve("plain.yaml"), withDave);

        // When
        final ConfigReloader.Result result;
        try (ConfigReloader reloader = new ConfigReloader(file, config -> config, kafka.proxy(), new LogLevels()))
        {
            result = reloader.reload();
        }

        // Then
        assertThat(result.applied()).as(String.valueOf(result.error())).isTrue();
        assertThat(describeCluster(dave)).isNotBlank();
    }

    @Test
    void aMechanismTheListenerDoesNotEnableShouldFailWithUnsupportedSaslMechanism() throws Exception
    {
        // Given
        try (KafkaProxy plainOnly = startProxy(sasl(List.of(SaslMechanism.PLAIN), Duration.ZERO, 1000)))
        {
            final Map<String, Object> admin = login(adminConfig(plainOnly), "SCRAM-SHA-512", "alice");

            // When / Then
            assertThatThrownBy(() -> describeCluster(admin))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(UnsupportedSaslMechanismException.class);
            assertThat(count(plainOnly.meterRegistry(), "unsupported", "unsupported_mechanism")).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void aProducerShouldKeepWorkingAcrossSeveralReauthentications() throws Exception
    {
        // Given
        try (KafkaProxy shortSessions = startProxy(sasl(List.of(SaslMechanism.PLAIN), Duration.ofSeconds(2), 1000)))
        {
            final Map<String, Object> config = login(kafka.producerConfig(), "PLAIN", "bob");
            config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, shortSessions.advertisedBootstrapServers());

            // When
            int acknowledged = 0;
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(config))
            {
                final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(7);
                while (System.nanoTime() < end)
                {
                    producer.send(new ProducerRecord<>("reauth", "r" + acknowledged)).get(30, TimeUnit.SECONDS);
                    acknowledged++;
                }
            }

            // Then: a login per connection (bootstrap, node) and then one per session of about 2s
            assertThat(acknowledged).isGreaterThan(10);
            assertThat(count(shortSessions.meterRegistry(), "PLAIN", "success")).isGreaterThanOrEqualTo(4);
            assertThat(count(shortSessions.meterRegistry(), "PLAIN", "failure")).isZero();
        }
    }

    @Test
    void anAddressPastItsFailedLoginsShouldBeRefusedEvenWithTheRightPassword() throws Exception
    {
        // Given
        try (KafkaProxy limited = startProxy(sasl(List.of(SaslMechanism.PLAIN), Duration.ZERO, 2)))
        {
            final Map<String, Object> wrong = login(adminConfig(limited), "PLAIN", "alice");
            wrong.put(SaslConfigs.SASL_JAAS_CONFIG, jaas("PLAIN", "alice", "guess"));
            for (int i = 0; i < 3; i++)
            {
                assertThatThrownBy(() -> describeCluster(wrong)).hasCauseInstanceOf(SaslAuthenticationException.class);
            }

            // When / Then
            assertThatThrownBy(() -> describeCluster(login(adminConfig(limited), "PLAIN", "alice")))
                .hasCauseInstanceOf(SaslAuthenticationException.class)
                .hasMessageContaining("too many failed logins");
            assertThat(count(limited.meterRegistry(), "PLAIN", "refused")).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void aKafka28ClientShouldProduceWithAPlainLogin() throws Exception
    {
        // Given
        try (LegacyKafkaClient client = LegacyKafkaClient.load("2.8.2"))
        {
            final Map<String, String> overrides = Map.of(
                CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT",
                SaslConfigs.SASL_MECHANISM, "PLAIN",
                SaslConfigs.SASL_JAAS_CONFIG, jaas("PLAIN", "bob", "bob-secret"));

            // When
            client.produce(kafka.bootstrapServers(), "legacy-topic", List.of("l1", "l2"), "none", overrides);
        }

        // Then
        assertThat(consume(login(kafka.consumerConfig(null), "PLAIN", "bob"), "legacy-topic", 2)).containsExactly("l1", "l2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"PLAIN", "SCRAM-SHA-512"})
    void kcatShouldLogInAndProduce(final String mechanism) throws Exception
    {
        // Given
        final String version = kcatLibrdkafkaVersion();
        assumeTrue(version != null, "kcat is not installed (apt-get install kcat)");
        // librdkafka before 2.6.1 repeats its nonce in SCRAM's final message, which Kafka 4.x brokers refuse as the
        // proxy does (RFC 5802; confluentinc/librdkafka#4895).
        assumeTrue(mechanism.equals("PLAIN") || atLeast(version, 2, 6, 1),
            "librdkafka " + version + " cannot log in with SCRAM to Kafka 4.x brokers or to the proxy; 2.6.1 can");
        final String topic = "kcat-" + mechanism.toLowerCase();
        final List<String> sasl = List.of("-X", "security.protocol=sasl_plaintext", "-X", "sasl.mechanisms=" + mechanism,
            "-X", "sasl.username=bob", "-X", "sasl.password=bob-secret");

        // When
        final List<String> produce = new ArrayList<>(List.of("kcat", "-b", kafka.bootstrapServers(), "-P", "-t", topic, "-X", "acks=all"));
        produce.addAll(sasl);
        final Process producer = new ProcessBuilder(produce).redirectErrorStream(true).start();
        producer.getOutputStream().write("k1\nk2\n".getBytes(StandardCharsets.UTF_8));
        producer.getOutputStream().close();
        final boolean exited = producer.waitFor(60, TimeUnit.SECONDS);

        // Then
        final String output = new String(producer.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(exited).isTrue();
        assertThat(producer.exitValue()).as(output).isZero();
        assertThat(consume(login(kafka.consumerConfig(null), "PLAIN", "bob"), topic, 2)).containsExactly("k1", "k2");
    }

    private static String kcatLibrdkafkaVersion() throws Exception
    {
        final Process kcat;
        try
        {
            kcat = new ProcessBuilder("kcat", "-V").redirectErrorStream(true).start();
        }
        catch (final IOException e)
        {
            return null;
        }
        final String output = new String(kcat.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        kcat.waitFor(10, TimeUnit.SECONDS);
        final Matcher matcher = Pattern.compile("librdkafka (\\d+\\.\\d+\\.\\d+)").matcher(output);
        return matcher.find() ? matcher.group(1) : null;
    }

    private static boolean atLeast(final String version, final int major, final int minor, final int patch)
    {
        final String[] parts = version.split("\\.");
        final int[] wanted = {major, minor, patch};
        for (int i = 0; i < 3; i++)
        {
            final int part = Integer.parseInt(parts[i]);
            if (part != wanted[i])
            {
                return part > wanted[i];
            }
        }
        return true;
    }

    private static SaslTerminationConfig sasl(final List<SaslMechanism> mechanisms, final Duration sessionLifetime, final int failedLogins)
    {
        return new SaslTerminationConfig(mechanisms, directory.resolve("plain.yaml"), directory.resolve("scram.yaml"),
            new OAuthBearerConfig(directory.resolve("jwks.json"), TestJwtIssuer.ISSUER, TestJwtIssuer.AUDIENCE, "sub",
                Duration.ofSeconds(30)),
            sessionLifetime, failedLogins);
    }

    private static ProxyConfig withSasl(final ProxyConfig config, final SaslTerminationConfig sasl)
    {
        return config.toBuilder().listener(config.listener().withSasl(sasl)).build();
    }

    private static KafkaProxy startProxy(final SaslTerminationConfig sasl)
    {
        return KafkaProxy.builder(withSasl(ProxiedKafka.proxyConfig(kafka.upstream().bootstrapServers()), sasl)).start();
    }

    private static Map<String, Object> adminConfig(final KafkaProxy proxy)
    {
        final Map<String, Object> config = new HashMap<>();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, proxy.advertisedBootstrapServers());
        return config;
    }

    private static String jaas(final String mechanism, final String user, final String password)
    {
        final String module = mechanism.equals("PLAIN")
            ? "org.apache.kafka.common.security.plain.PlainLoginModule" : "org.apache.kafka.common.security.scram.ScramLoginModule";
        return module + " required username=\"" + user + "\" password=\"" + password + "\";";
    }

    private static Map<String, Object> login(final Map<String, Object> config, final String mechanism, final String user)
    {
        config.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
        config.put(SaslConfigs.SASL_MECHANISM, mechanism);
        config.put(SaslConfigs.SASL_JAAS_CONFIG, jaas(mechanism, user, PASSWORDS.getOrDefault(user, "none")));
        config.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        return config;
    }

    private static Map<String, Object> bearer(final Map<String, Object> config, final String token)
    {
        config.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
        config.put(SaslConfigs.SASL_MECHANISM, "OAUTHBEARER");
        config.put(SaslConfigs.SASL_LOGIN_CALLBACK_HANDLER_CLASS, SignedTokenLoginCallbackHandler.class);
        config.put(SaslConfigs.SASL_JAAS_CONFIG, SignedTokenLoginCallbackHandler.jaasConfig(token));
        config.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        return config;
    }

    private static String describeCluster(final Map<String, Object> config) throws Exception
    {
        final Map<String, Object> admin = new HashMap<>(config);
        admin.keySet().retainAll(AdminClientConfig.configNames());
        try (Admin client = Admin.create(admin))
        {
            return client.describeCluster().clusterId().get(60, TimeUnit.SECONDS);
        }
    }

    private static void send(final Map<String, Object> config, final String topic, final List<String> values) throws Exception
    {
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.keySet().retainAll(ProducerConfig.configNames());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config))
        {
            for (final String value : values)
            {
                producer.send(new ProducerRecord<>(topic, value)).get(60, TimeUnit.SECONDS);
            }
        }
    }

    private static List<String> consume(final Map<String, Object> config, final String topic, final int expected)
    {
        config.keySet().retainAll(ConsumerConfig.configNames());
        final List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config))
        {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            consumer.seekToBeginning(consumer.assignment());
            await().atMost(Duration.ofSeconds(60)).until(() ->
            {
                for (final ConsumerRecord<String, String> record : consumer.poll(ProxiedKafka.pollTimeout()))
                {
                    values.add(record.value());
                }
                return values.size() >= expected;
            });
        }
        return values;
    }

    private static double count(final MeterRegistry registry, final String mechanism, final String outcome)
    {
        // The default listener terminates SASL in every test here.
        final Counter counter = registry.find(ProxyMetrics.SASL_AUTHENTICATIONS).tag(ProxyMetrics.LISTENER, ListenerConfig.DEFAULT_NAME)
            .tag(ProxyMetrics.MECHANISM, mechanism).tag(ProxyMetrics.OUTCOME, outcome).counter();
        return counter == null ? 0 : counter.count();
    }
}

package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.codec.SaslFraming;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.config.SaslMechanism;
import io.kafkaproxy.proxy.config.SaslTerminationConfig;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.testing.ChildProcessKafkaBroker;
import io.kafkaproxy.proxy.testing.LegacyKafkaClient;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.kafkaproxy.proxy.testing.SaslCredentialFixtures;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.DataOutputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * SASL terminated at the proxy for clients older than Kafka 1.0: a 0.11 client logs in with a SaslHandshake v0 and raw
 * SASL tokens (PLAIN, SCRAM-SHA-256), then produces and consumes in a group, in front of a Kafka 3.9 broker (4.x
 * brokers refuse such old clients), while a 4.x client on the same listener still logs in with SaslAuthenticate. Before
 * the login, frames are held to a broker's pre-login limit (512 KiB); after it, to the listener's.
 */
class SaslTerminationLegacyClientsIT
{
    private static final Map<String, String> PASSWORDS = Map.of("bob", "bob-secret");
    private static final String OLD_CLIENT = "0.11.0.3";

    @TempDir
    static Path directory;

    private static ProxiedKafka kafka;
    private static LegacyKafkaClient oldClient;

    @BeforeAll
    static void start() throws Exception
    {
        SaslCredentialFixtures.writePlainUsers(directory.resolve("plain.yaml"), PASSWORDS);
        SaslCredentialFixtures.writeScramUsers(directory.resolve("scram.yaml"), PASSWORDS);
        final SaslTerminationConfig sasl = new SaslTerminationConfig(
            List.of(SaslMechanism.PLAIN, SaslMechanism.SCRAM_SHA_256), directory.resolve("plain.yaml"), directory.resolve("scram.yaml"),
            null, Duration.ZERO, 1000);
        kafka = ProxiedKafka.inFrontOf(ChildProcessKafkaBroker.startKafka39(Map.of()),
            config -> withSasl(config, sasl), pipeline -> { });
        oldClient = LegacyKafkaClient.load(OLD_CLIENT);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.upstream().bootstrapServers())))
        {
            admin.createTopics(List.of(new NewTopic("old-plain", 1, (short)1), new NewTopic("old-scram-sha-256", 1, (short)1),
                new NewTopic("new-plain", 1, (short)1))).all().get(60, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stop() throws Exception
    {
        if (oldClient != null)
        {
            oldClient.close();
        }
        if (kafka != null)
        {
            kafka.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"PLAIN", "SCRAM-SHA-256"})
    void aKafka011ClientShouldLogInWithRawTokensThenProduceAndConsumeInAGroup(final String mechanism)
    {
        // Given
        final String topic = "old-" + mechanism.toLowerCase();
        final double successesBefore = count(kafka.proxy().meterRegistry(), mechanism, "success");

        // When
        oldClient.produce(kafka.bootstrapServers(), topic, List.of("v1", "v2", "v3"), "none", oldLogin(mechanism, "bob-secret"));
        final List<String> consumed = oldClient.consumeInGroup(kafka.bootstrapServers(), topic, "old-" + mechanism, 3,
            oldLogin(mechanism, "bob-secret"));

        // Then
        assertThat(consumed).containsExactly("v1", "v2", "v3");
        // A producer's bootstrap and node connections, a consumer's bootstrap, node and coordinator connections.
        assertThat(count(kafka.proxy().meterRegistry(), mechanism, "success")).isGreaterThanOrEqualTo(successesBefore + 3);
    }

    @Test
    void aKafka011ClientWithAWrongPasswordShouldBeClosedAndCounted()
    {
        // Given
        final double failuresBefore = count(kafka.proxy().meterRegistry(), "PLAIN", "failure");
        final Map<String, String> wrong = new HashMap<>(oldLogin("PLAIN", "guess"));
        wrong.put("max.block.ms", "3000");

        // When / Then: a client before 1.0 hears nothing but the close, and gives up when its wait for metadata ends
        assertThatThrownBy(() -> oldClient.produce(kafka.bootstrapServers(), "old-plain", List.of("x"), "none", wrong))
            .hasMessageContaining("TimeoutException");
        assertThat(count(kafka.proxy().meterRegistry(), "PLAIN", "failure")).isGreaterThan(failuresBefore);
    }

    @Test
    void aKafka4ClientShouldStillLogInWithSaslAuthenticateOnTheSameListener() throws Exception
    {
        // Given
        final Map<String, Object> producer = newLogin(kafka.producerConfig());
        producer.keySet().retainAll(ProducerConfig.configNames());

        final String large = "x".repeat(SaslFraming.MAX_RECEIVE_SIZE_BYTES + 100_000);

        // When: a record larger than the pre-login limit, once logged in
        try (KafkaProducer<String, String> client = new KafkaProducer<>(producer))
        {
            client.send(new ProducerRecord<>("new-plain", "n1")).get(60, TimeUnit.SECONDS);
            client.send(new ProducerRecord<>("new-plain", large)).get(60, TimeUnit.SECONDS);
        }

        // Then
        final Map<String, Object> consumer = newLogin(kafka.consumerConfig(null));
        consumer.keySet().retainAll(ConsumerConfig.configNames());
        final List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> client = new KafkaConsumer<>(consumer))
        {
            client.assign(List.of(new TopicPartition("new-plain", 0)));
            client.seekToBeginning(client.assignment());
            await().atMost(Duration.ofSeconds(60)).until(() ->
            {
                for (final ConsumerRecord<String, String> record : client.poll(ProxiedKafka.pollTimeout()))
                {
                    values.add(record.value());
                }
                return values.size() >= 2;
            });
        }
        assertThat(values).containsExactly("n1", large);
    }

    @Test
    void aFrameLargerThanTheBrokersPreLoginLimitShouldCloseTheConnectionBeforeTheLogin() throws Exception
    {
        // Given
        final double rejectedBefore = oversizedFrames(kafka.proxy().meterRegistry());
        final String[] proxy = kafka.bootstrapServers().split(":");

        // When: a size field one byte over 512 KiB, as the first bytes of a connection
        try (Socket socket = new Socket(proxy[0], Integer.parseInt(proxy[1])))
        {
            socket.setSoTimeout(10_000);
            final DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(SaslFraming.MAX_RECEIVE_SIZE_BYTES + 1);
            out.flush();

            // Then
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(oversizedFrames(kafka.proxy().meterRegistry())).isEqualTo(rejectedBefore + 1);
    }

    private static double oversizedFrames(final MeterRegistry registry)
    {
        // One counter per cluster (and one for connections not yet routed): the sum of all.
        return registry.find(ProxyMetrics.FRAMES_REJECTED).tag(ProxyMetrics.REASON, "oversize").counters().stream()
            .mapToDouble(Counter::count).sum();
    }

    private static Map<String, String> oldLogin(final String mechanism, final String password)
    {
        return Map.of(
            CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT",
            SaslConfigs.SASL_MECHANISM, mechanism,
            SaslConfigs.SASL_JAAS_CONFIG, jaas(mechanism, "bob", password));
    }

    private static Map<String, Object> newLogin(final Map<String, Object> config)
    {
        config.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
        config.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
        config.put(SaslConfigs.SASL_JAAS_CONFIG, jaas("PLAIN", "bob", "bob-secret"));
        return config;
    }

    private static String jaas(final String mechanism, final String user, final String password)
    {
        final String module = mechanism.equals("PLAIN")
            ? "org.apache.kafka.common.security.plain.PlainLoginModule" : "org.apache.kafka.common.security.scram.ScramLoginModule";
        return module + " required username=\"" + user + "\" password=\"" + password + "\";";
    }

    private static ProxyConfig withSasl(final ProxyConfig config, final SaslTerminationConfig sasl)
    {
        return config.toBuilder().listener(config.listener().withSasl(sasl)).build();
    }

    private static double count(final MeterRegistry registry, final String mechanism, final String outcome)
    {
        final Counter counter = registry.find(ProxyMetrics.SASL_AUTHENTICATIONS)
            .tag(ProxyMetrics.MECHANISM, mechanism).tag(ProxyMetrics.OUTCOME, outcome).counter();
        return counter == null ? 0 : counter.count();
    }
}

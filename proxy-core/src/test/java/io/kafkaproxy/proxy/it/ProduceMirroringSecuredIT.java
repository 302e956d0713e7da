package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.config.BrokerSaslConfig;
import io.kafkaproxy.proxy.config.BrokerTlsConfig;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.MirrorConfig;
import io.kafkaproxy.proxy.mirror.ProduceMirror;
import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.kafkaproxy.proxy.testing.SecuredBrokerSettings;
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
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Produce mirroring to a shadow reached as the proxy reaches secured brokers: TLS ({@code mirror.tls}) and the proxy's
 * own SCRAM-SHA-512 login ({@code mirror.sasl}), while the primary is plaintext.
 */
class ProduceMirroringSecuredIT
{
    private static final String TOPIC = "mirrored-secured";
    private static final String PROXY_USER = "kafka-proxy";
    private static final String PROXY_PASSWORD = "proxy-secret";
    private static final int PARTITIONS = 2;

    @TempDir
    static Path dir;

    private static SecuredBrokerSettings settings;
    private static InJvmKafka shadow;
    private static ProxiedKafka primary;

    @BeforeAll
    static void start() throws Exception
    {
        settings = SecuredBrokerSettings.issue(dir);
        shadow = InJvmKafka.start(List.of(1), settings.saslSsl(Map.of()));
        settings.createScramUser(shadow.bootstrapServers(), PROXY_USER, PROXY_PASSWORD);
        final InJvmKafka upstream = InJvmKafka.start(List.of(1), Map.of());
        createTopic(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, upstream.bootstrapServers()));
        createTopic(settings.saslSslAdminClient(shadow.bootstrapServers()));
        final MirrorConfig mirror = MirrorConfig.of(List.of(HostPort.parse(shadow.bootstrapServers())),
            BrokerTlsConfig.of(settings.authorityPem().toString(), null, null, null, null, null, null, null, null, null, null),
            BrokerSaslConfig.of("SCRAM-SHA-512", PROXY_USER, PROXY_PASSWORD, null),
            List.of("mirrored-*"), "4MiB", (short)1, Duration.ofSeconds(5));
        primary = ProxiedKafka.inFrontOf(upstream, config -> config.toBuilder().mirror(mirror).build(), pipeline -> { });
        await().atMost(Duration.ofSeconds(30)).until(() -> mirror().accepting());
    }

    @AfterAll
    static void stop()
    {
        if (primary != null)
        {
            primary.close();
        }
        if (shadow != null)
        {
            shadow.close();
        }
    }

    @Test
    void shadowReachedOverTlsWithTheProxysOwnLoginShouldHoldTheRecords() throws Exception
    {
        // Given
        final Map<String, Object> producer = new HashMap<>(primary.producerConfig());
        producer.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        producer.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        producer.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");

        // When
        try (KafkaProducer<String, String> client = new KafkaProducer<>(producer))
        {
            for (int i = 0; i < 200; i++)
            {
                client.send(new ProducerRecord<>(TOPIC, "key-" + (i % 7), "value-" + i)).get(30, TimeUnit.SECONDS);
            }
        }

        // Then
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(mirror().metrics().mirrored()).isEqualTo(200.0));
        final Map<String, Object> plain = new HashMap<>(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            primary.upstream().bootstrapServers()));
        assertThat(readAll(settings.saslSslAdminClient(shadow.bootstrapServers()))).isEqualTo(readAll(plain));
        assertThat(mirror().metrics().dropped() + mirror().metrics().failed()).isZero();
    }

    private static ProduceMirror mirror()
    {
        return primary.proxy().mirror();
    }

    private static void createTopic(final Map<String, Object> admin) throws Exception
    {
        try (Admin client = Admin.create(admin))
        {
            client.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short)1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static Map<Integer, List<String>> readAll(final Map<String, Object> client)
    {
        final Map<String, Object> config = new HashMap<>(client);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        final Map<Integer, List<String>> byPartition = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config))
        {
            final List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++)
            {
                partitions.add(new TopicPartition(TOPIC, p));
                byPartition.put(p, new ArrayList<>());
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(Duration.ofSeconds(30)).until(() ->
            {
                for (final ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200)))
                {
                    byPartition.get(record.partition()).add(record.key() + "=" + record.value());
                }
                return byPartition.values().stream().mapToInt(List::size).sum() >= 200;
            });
        }
        return byPartition;
    }
}

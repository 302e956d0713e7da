package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.config.StoreConfig;
import io.kafkaproxy.proxy.config.TlsServerConfig;
import io.kafkaproxy.proxy.memory.PoolByteBufAllocator;
import io.kafkaproxy.proxy.net.KafkaProxy;
import io.kafkaproxy.proxy.testing.BrokerCluster;
import io.kafkaproxy.proxy.testing.ExternalCommand.Result;
import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.kafkaproxy.proxy.testing.LegacyKafkaClient;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.kafkaproxy.proxy.testing.TestCertificates;
import io.kafkaproxy.proxy.testing.TlsClients;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import static io.kafkaproxy.proxy.testing.ExternalCommand.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Kafka's SSL security protocol between clients and the proxy, in front of a plaintext broker: the Java client 4.x
 * (producer, consumer, admin) with the proxy's key as PEM, encrypted PEM and PKCS#12, and with the JDK's TLS instead of
 * OpenSSL; kcat (librdkafka, OpenSSL);
 * the Java client 2.8. Every decrypted read lands in pool memory.
 */
class TlsListenerIT
{
    @TempDir
    static Path dir;

    private static BrokerCluster broker;
    private static TestCertificates.Issued authority;
    private static TestCertificates.Issued server;
    private static Path caPem;

    @BeforeAll
    static void start()
    {
        broker = InJvmKafka.start(List.of(1), Map.of());
        authority = TestCertificates.authority("tls-listener-it");
        server = TestCertificates.server(authority, "CN=kafka-proxy", ProxiedKafka.ADVERTISED_HOST, "localhost");
        caPem = TestCertificates.writeTrustPem(dir.resolve("ca.pem"), authority.certificate());
    }

    @AfterAll
    static void stop()
    {
        broker.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"pem", "encrypted-pem", "pkcs12", "pem-jdk-provider"})
    void javaClientsShouldProduceConsumeAndAdministerOverTls(final String keyFormat) throws Exception
    {
        // Given
        final PoolReadProbe probe = new PoolReadProbe();
        try (KafkaProxy proxy = TlsClients.startProxy(broker, tls(keyFormat), probe))
        {
            final String topic = "tls-" + keyFormat;
            final String bootstrap = proxy.advertisedBootstrapServers();

            // When
            try (Admin admin = Admin.create(TlsClients.ssl(adminConfig(bootstrap), caPem)))
            {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short)1))).all().get(60, TimeUnit.SECONDS);
            }
            final List<String> values = new ArrayList<>();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(TlsClients.ssl(producerConfig(bootstrap), caPem)))
            {
                for (int i = 0; i < 50; i++)
                {
                    // Large enough that a record spans several TLS records and socket reads.
                    final String value = keyFormat + "-" + i + "-" + "x".repeat(20_000);
                    values.add(value);
                    producer.send(new ProducerRecord<>(topic, Integer.toString(i), value));
                }
                producer.flush();
            }
            final List<String> consumed = consume(bootstrap, topic, values.size());

            // Then
            assertThat(consumed).containsExactlyElementsOf(values);
            assertThat(probe.pipelinesWithSslFirst.get()).isPositive();
            assertThat(probe.poolReads.get()).isPositive();
            assertThat(probe.otherReads.get()).as("decrypted reads outside pool memory").isZero();
        }
    }

    @Test
    void kcatShouldListProduceAndConsumeOverTls() throws Exception
    {
        // Given
        assumeTrue(run(List.of("kcat", "-V"), "").exitCode() == 0, "kcat is not installed (apt-get install kcat)");
        try (KafkaProxy proxy = TlsClients.startProxy(broker, tls("pem"), pipeline -> { }))
        {
            final String bootstrap = proxy.advertisedBootstrapServers();
            final List<String> ssl = List.of("-X", "security.protocol=ssl", "-X", "ssl.ca.location=" + caPem);
            final StringBuilder messages = new StringBuilder();
            for (int i = 0; i < 20; i++)
            {
                messages.append("kcat-tls-").append(i).append('\n');
            }

            // When
            final Result metadata = run(concat(List.of("kcat", "-b", bootstrap, "-L"), ssl), "");
            final Result produced = run(concat(List.of("kcat", "-b", bootstrap, "-P", "-t", "kcat-tls", "-X", "acks=all"), ssl),
                messages.toString());
            final Result consumed = run(concat(List.of("kcat", "-b", bootstrap, "-C", "-t", "kcat-tls", "-o", "beginning", "-e", "-q"), ssl), "");

            // Then
            assertThat(metadata.exitCode()).as(metadata.output()).isZero();
            assertThat(metadata.output()).contains("broker 1 at " + ProxiedKafka.ADVERTISED_HOST + ":").doesNotContain("localhost");
            assertThat(produced.exitCode()).as(produced.output()).isZero();
            assertThat(consumed.exitCode()).as(consumed.output()).isZero();
            assertThat(consumed.output().lines()).containsExactlyElementsOf(messages.toString().lines().toList());
        }
    }

    @Test
    void kafkaClient28ShouldProduceAndConsumeOverTls() throws Exception
    {
        // Given
        try (KafkaProxy proxy = TlsClients.startProxy(broker, tls("pem"), pipeline -> { });
            LegacyKafkaClient client = LegacyKafkaClient.load("2.8.2"))
        {
            final String bootstrap = proxy.advertisedBootstrapServers();
            final List<String> values = List.of("legacy-a", "legacy-b", "legacy-c");

            // When
            client.produce(bootstrap, "legacy-tls", values, "gzip", TlsClients.asStrings(TlsClients.ssl(new java.util.HashMap<>(), caPem)));
            final List<String> consumed = consume(bootstrap, "legacy-tls", values.size());

            // Then
            assertThat(consumed).containsExactlyElementsOf(values);
        }
    }

    private static TlsServerConfig tls(final String keyFormat)
    {
        final Path certificate = server.writeCertificatePem(dir.resolve("server.crt"));
        return switch (keyFormat)
        {
            case "pem" -> TlsServerConfig.pem(certificate, server.writeKeyPem(dir.resolve("server.key")));
            case "pem-jdk-provider" -> TlsServerConfig.of(certificate, server.writeKeyPem(dir.resolve("server.key")), null, null, null,
                null, null, null, null, null, "jdk", null, null, null);
            case "encrypted-pem" -> TlsServerConfig.of(certificate, server.writeEncryptedKeyPem(dir.resolve("server-encrypted.key")),
                TestCertificates.PASSWORD, null, null, null, null, null, null, null, null, null, null, null);
            case "pkcs12" -> TlsServerConfig.of(null, null, null, null, new StoreConfig(server.writeKeyStore(dir.resolve("server.p12"),
                "PKCS12"), StoreConfig.Type.PKCS12, TestCertificates.PASSWORD, null), null, null, null, null, null, null, null, null, null);
            default -> throw new IllegalArgumentException(keyFormat);
        };
    }

    private static List<String> consume(final String bootstrap, final String topic, final int expected)
    {
        final Map<String, Object> config = new java.util.HashMap<>();
        config.put("bootstrap.servers", bootstrap);
        config.put("key.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class);
        config.put("value.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class);
        config.put("auto.offset.reset", "earliest");
        config.put("enable.auto.commit", false);
        config.put("group.id", topic + "-group");
        TlsClients.ssl(config, caPem);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config))
        {
            consumer.subscribe(List.of(topic));
            final List<String> consumed = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
            {
                for (final ConsumerRecord<String, String> record : consumer.poll(ProxiedKafka.pollTimeout()))
                {
                    consumed.add(record.value());
                }
                assertThat(consumed).hasSizeGreaterThanOrEqualTo(expected);
            });
            return consumed;
        }
    }

    private static Map<String, Object> adminConfig(final String bootstrap)
    {
        final Map<String, Object> config = new java.util.HashMap<>();
        config.put("bootstrap.servers", bootstrap);
        config.put("default.api.timeout.ms", 60_000);
        return config;
    }

    private static Map<String, Object> producerConfig(final String bootstrap)
    {
        final Map<String, Object> config = new java.util.HashMap<>();
        config.put("bootstrap.servers", bootstrap);
        config.put("key.serializer", org.apache.kafka.common.serialization.StringSerializer.class);
        config.put("value.serializer", org.apache.kafka.common.serialization.StringSerializer.class);
        config.put("acks", "all");
        config.put("linger.ms", 5);
        return config;
    }

    /**
     * Sees every read the {@code SslHandler} decrypts, before the frame decoder: whether it is pool memory.
     */
    private static final class PoolReadProbe implements Consumer<io.netty.channel.ChannelPipeline>
    {
        final AtomicLong pipelinesWithSslFirst = new AtomicLong();
        final AtomicLong poolReads = new AtomicLong();
        final AtomicLong otherReads = new AtomicLong();

        @Override
        public void accept(final io.netty.channel.ChannelPipeline pipeline)
        {
            // The initializer that calls this is still in the pipeline, ahead of what it added.
            final List<String> names = pipeline.names().stream().filter(name -> !name.contains("Initializer")).toList();
            if (names.get(0).equals("ssl") && pipeline.get("ssl") instanceof SslHandler &&
                pipeline.channel().alloc() instanceof PoolByteBufAllocator)
            {
                pipelinesWithSslFirst.incrementAndGet();
            }
            pipeline.addAfter("ssl", "poolReadProbe", new Counting());
        }

        @ChannelHandler.Sharable
        private final class Counting extends ChannelInboundHandlerAdapter
        {
            @Override
            public void channelRead(final ChannelHandlerContext ctx, final Object msg)
            {
                if (msg instanceof ByteBuf buf)
                {
                    (buf.isDirect() && buf.alloc() instanceof PoolByteBufAllocator ? poolReads : otherReads).incrementAndGet();
                }
                ctx.fireChannelRead(msg);
            }
        }
    }

    private static List<String> concat(final List<String> first, final List<String> second)
    {
        final List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }
}

package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.cluster.ClusterSnapshot;
import io.kafkaproxy.proxy.config.AclConfig;
import io.kafkaproxy.proxy.config.ConfigParser;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.gateway.GatewayAuthenticationException;
import io.kafkaproxy.proxy.gateway.GatewayClient;
import io.kafkaproxy.proxy.gateway.GatewayServices;
import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.kafkaproxy.proxy.testing.SaslCredentialFixtures;
import io.kafkaproxy.proxy.testing.TestJwtIssuer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The gateway's shared services against a real broker: the one producer, the topic catalog, the access rules and the
 * authenticator, as the HTTP and MQTT listeners use them.
 */
class GatewayServicesIT
{
    @TempDir
    static Path dir;

    private static ProxiedKafka kafka;
    private static GatewayServices services;
    private static TestJwtIssuer issuer;

    @BeforeAll
    static void startKafkaAndServices() throws Exception
    {
        kafka = ProxiedKafka.inFrontOf(InJvmKafka.start(List.of(1), Map.of()), config -> config, pipeline -> { });
        issuer = new TestJwtIssuer();
        final Path users = SaslCredentialFixtures.writePlainUsers(dir.resolve("users.txt"), Map.of("alice", "alice-secret"));
        final String yaml = "upstream:\n  bootstrapServers: [" + kafka.upstream().bootstrapServers() + "]\n" +
            "http:\n  bindAddress: 127.0.0.1:0\n  auth:\n    usersFile: " + users + "\n" +
            "    oauthbearer: {jwksFile: " + issuer.writeJwks(dir.resolve("jwks.json")) + ", issuer: '" + TestJwtIssuer.ISSUER +
            "', audience: " + TestJwtIssuer.AUDIENCE + "}\n" +
            "acl:\n  defaultPolicy: allow\n  rules:\n    - {principal: mallory, resourceType: topic, resourceName: '*', operations: [write], effect: deny}\n" +
            "gateway:\n  producer:\n    bufferMemory: 1MiB\n    maxRecordBytes: 1MiB\n";
        final ProxyConfig config = ConfigParser.parse(yaml, "gateway-services-it.yaml");
        final ClusterSnapshot snapshot = ClusterSnapshot.compile(config);
        services = new GatewayServices(config, () -> snapshot, new SimpleMeterRegistry());
    }

    @AfterAll
    static void stop()
    {
        services.close();
        kafka.close();
    }

    @Test
    void shouldProduceThroughTheSharedProducerOnlyAcknowledgingWhatKafkaHas() throws Exception
    {
        // Given
        final String topic = "gateway-services-produce";
        kafka.createTopic(topic, 3, 1);
        final List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>();

        // When
        for (int i = 0; i < 100; i++)
        {
            final CompletableFuture<RecordMetadata> ack = new CompletableFuture<>();
            final boolean accepted = services.producer().trySend(
                new ProducerRecord<>(topic, ("key-" + i).getBytes(StandardCharsets.UTF_8), ("value-" + i).getBytes(StandardCharsets.UTF_8)),
                (metadata, error) -> complete(ack, metadata, error));
            assertThat(accepted).isTrue();
            acks.add(ack);
        }
        CompletableFuture.allOf(acks.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);

        // Then: in Kafka, through the one producer's connection to the one broker (and its bootstrap connection)
        assertThat(consumeAll(topic, 100)).hasSize(100);
        assertThat(services.producer().upstreamConnections()).isBetween(1.0, 2.0);
        await().atMost(Duration.ofSeconds(10)).until(() -> services.producer().bufferedBytes() == 0);
    }

    @Test
    void shouldFailARecordForAMissingTopicWithoutWaiting()
    {
        // Given
        final CompletableFuture<RecordMetadata> ack = new CompletableFuture<>();

        // When
        services.producer().trySend(new ProducerRecord<>("no-such-gateway-topic", new byte[]{1}),
            (metadata, error) -> complete(ack, metadata, error));

        // Then
        assertThatThrownBy(() -> ack.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
        assertThatThrownBy(() -> services.topics().describe("no-such-gateway-topic").join())
            .isInstanceOf(CompletionException.class).hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
    }

    @Test
    void shouldRefuseARecordBeyondTheBudgetUntilBytesAreReleased() throws Exception
    {
        // Given: a record holding most of the 1 MiB budget, held for seconds: its partition does not exist, so the
        // producer waits for metadata that never names it (max.block.ms), then fails it
        final String topic = "gateway-services-budget";
        kafka.createTopic(topic, 1, 1);
        final CompletableFuture<RecordMetadata> first = new CompletableFuture<>();
        final CompletableFuture<Void> resumed = new CompletableFuture<>();
        final ConcurrentLinkedQueue<Boolean> second = new ConcurrentLinkedQueue<>();
        assertThat(services.producer().trySend(new ProducerRecord<>(topic, 7, null, new byte[900 * 1024]),
            (metadata, error) -> complete(first, metadata, error))).isTrue();

        // When: another that does not fit, then a wait for room
        second.add(services.producer().trySend(new ProducerRecord<>(topic, new byte[200 * 1024]), (metadata, error) -> { }));
        services.producer().whenBufferAvailable(() -> resumed.complete(null));

        // Then: refused, and told when room came back (the held record failed and gave its bytes back)
        assertThatThrownBy(() -> first.get(60, TimeUnit.SECONDS)).isInstanceOf(java.util.concurrent.ExecutionException.class);
        resumed.get(30, TimeUnit.SECONDS);
        assertThat(second.peek()).as("a record beyond the budget while 900 KiB wait").isFalse();
    }

    @Test
    void shouldApplyTheProxysAclsToGatewayPrincipals()
    {
        // When
        final GatewayClient alice = services.access().forClient("alice", InetAddress.getLoopbackAddress());
        final GatewayClient mallory = services.access().forClient("mallory", InetAddress.getLoopbackAddress());

        // Then
        assertThat(alice.mayWrite("orders")).isTrue();
        assertThat(mallory.mayWrite("orders")).isFalse();
        assertThat(mallory.mayRead("orders")).isTrue();
        assertThat(services.access().forClient("alice", InetAddress.getLoopbackAddress())).isSameAs(alice);
    }

    @Test
    void shouldCheckBasicCredentialsAgainstTheUsersFile() throws Exception
    {
        // Then
        assertThat(services.httpAuthenticator().anonymousAllowed()).isFalse();
        assertThat(services.httpAuthenticator().basic("alice", "alice-secret").toCompletableFuture().get(30, TimeUnit.SECONDS))
            .isEqualTo("alice");
        assertThat(services.httpAuthenticator().basic("alice", "alice-secret").toCompletableFuture().isDone()).isTrue();
        assertThatThrownBy(() -> services.httpAuthenticator().basic("alice", "wrong").toCompletableFuture().get(30, TimeUnit.SECONDS))
            .hasCauseInstanceOf(GatewayAuthenticationException.class);
        assertThatThrownBy(() -> services.httpAuthenticator().basic("bob", "x").toCompletableFuture().get(30, TimeUnit.SECONDS))
            .hasCauseInstanceOf(GatewayAuthenticationException.class);
    }

    @Test
    void shouldCheckATokenOnceAndRememberItUntilItExpires() throws Exception
    {
        // Given
        final String token = issuer.token("carol");
        final String expired = issuer.token("carol", TestJwtIssuer.ISSUER, TestJwtIssuer.AUDIENCE, Instant.now().minusSeconds(600));

        // When
        final String principal = services.httpAuthenticator().bearer(token).toCompletableFuture().get(30, TimeUnit.SECONDS);

        // Then: the same token again is answered without a second signature check; an expired one is refused
        assertThat(principal).isEqualTo("carol");
        assertThat(services.httpAuthenticator().bearer(token).toCompletableFuture().getNow(null)).isEqualTo("carol");
        assertThatThrownBy(() -> services.httpAuthenticator().bearer(expired).toCompletableFuture().get(30, TimeUnit.SECONDS))
            .hasCauseInstanceOf(GatewayAuthenticationException.class);
    }

    @Test
    void shouldKnowTheClusterId() throws Exception
    {
        assertThat(services.clusterId().get(30, TimeUnit.SECONDS)).isNotBlank();
    }

    private static void complete(final CompletableFuture<RecordMetadata> ack, final RecordMetadata metadata, final Exception error)
    {
        if (error != null)
        {
            ack.completeExceptionally(error);
        }
        else
        {
            ack.complete(metadata);
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> consumeAll(final String topic, final int expected)
    {
        final Map<String, Object> settings = kafka.consumerConfig("gateway-services-" + topic);
        final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings, new ByteArrayDeserializer(), new ByteArrayDeserializer()))
        {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(60)).until(() ->
            {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= expected;
            });
        }
        return records;
    }
}

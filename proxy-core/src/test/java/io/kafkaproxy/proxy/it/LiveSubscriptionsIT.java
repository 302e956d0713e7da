package io.kafkaproxy.proxy.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kafkaproxy.proxy.config.ConfigWriter;
import io.kafkaproxy.proxy.config.GatewayConfig;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.HttpConfig;
import io.kafkaproxy.proxy.gateway.GatewayMetrics;
import io.kafkaproxy.proxy.gateway.stream.TopicFeeds;
import io.kafkaproxy.proxy.reload.ConfigReloader;
import io.kafkaproxy.proxy.reload.LogLevels;
import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.kafkaproxy.proxy.testing.PolicyConfigs;
import io.kafkaproxy.proxy.testing.SseClient;
import io.kafkaproxy.proxy.testing.WebSocketRecorder;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Live subscriptions through the proxy's HTTP listener in front of a real broker: Server-Sent Events (Java's
 * HttpClient) and WebSocket subscribers get the records produced, a stream resumed with {@code Last-Event-ID} goes on
 * without a gap or a repeat, a subscriber that does not read is dropped with its memory bounded, and hundreds of
 * subscribers of a topic are fed by one consumer.
 */
class LiveSubscriptionsIT
{
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RULES = """
        acl:
          defaultPolicy: allow
          rules:
            - effect: deny
              principal: ANONYMOUS
              resourceType: topic
              resourceName: forbidden
              operations: [read]
        """;

    private static ProxiedKafka kafka;
    private static KafkaProducer<String, String> producer;
    private static HttpClient http;

    @BeforeAll
    static void startKafkaAndGateway()
    {
        kafka = ProxiedKafka.inFrontOf(InJvmKafka.start(List.of(1), Map.of()), config -> PolicyConfigs.withPolicy(RULES).apply(config)
            .toBuilder()
            .http(HttpConfig.of(new HostPort(ProxiedKafka.ADVERTISED_HOST, 0), "1MiB", null, null, null))
            .gateway(GatewayConfig.of(GatewayConfig.Producer.of(null, null, null, "8MiB", null, null),
                GatewayConfig.Subscriptions.of(100, "64KiB", Duration.ofMillis(300), null)))
            .build(), pipeline -> { });
        producer = new KafkaProducer<>(kafka.producerConfig());
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop()
    {
        if (producer != null)
        {
            producer.close();
        }
        if (kafka != null)
        {
            kafka.close();
        }
    }

    @Test
    void sseSubscribersShouldReceiveEveryRecordProducedWithItsPositionAsTheEventId() throws Exception
    {
        // Given
        kafka.createTopic("sse-live", 3, 1);
        final SseClient first = openAndAwaitStart("/v1/stream/sse-live", Map.of());
        final SseClient second = openAndAwaitStart("/v1/stream/sse-live", Map.of());

        // When
        produce("sse-live", 0, 30);

        // Then
        for (final SseClient client : List.of(first, second))
        {
            await().atMost(WAIT).untilAsserted(() -> assertThat(client.events("record")).hasSize(30));
            assertThat(values(client)).containsExactlyInAnyOrderElementsOf(expectedValues(0, 30));
            final SseClient.Event last = client.events("record").get(29);
            assertThat(last.id()).matches("0:\\d+,1:\\d+,2:\\d+");
            final JsonNode record = JSON.readTree(last.data());
            assertThat(record.get("topic").asText()).isEqualTo("sse-live");
            assertThat(record.has("partition") && record.has("offset") && record.has("timestamp") && record.has("headers")).isTrue();
            assertThat(record.get("key").asText()).startsWith("k");
            client.close();
        }
        assertThat(meter(GatewayMetrics.RECORDS, "sse", "sse-live")).isEqualTo(60);
    }

    @Test
    void anSseStreamShouldAlsoBeServedOverHttp2() throws Exception
    {
        // Given: Java's client asks for HTTP/2 over clear text (an h2c upgrade on its first request)
        kafka.createTopic("sse-h2", 1, 1);
        final HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        final SseClient client = SseClient.open(h2, uri("/v1/stream/sse-h2"), Map.of());
        await().atMost(WAIT).untilAsserted(() -> assertThat(client.events("start")).hasSize(1));

        // When
        produce("sse-h2", 0, 10);

        // Then
        await().atMost(WAIT).untilAsserted(() -> assertThat(values(client)).containsExactlyElementsOf(expectedValues(0, 10)));
        assertThat(client.head().join().version()).isEqualTo(HttpClient.Version.HTTP_2);
        client.close();
    }

    @Test
    void aStreamResumedWithLastEventIdShouldContinueWithoutAGapOrARepeat() throws Exception
    {
        // Given: a subscriber took 20 records and left; 20 more were produced meanwhile.
        kafka.createTopic("sse-resume", 2, 1);
        final SseClient first = openAndAwaitStart("/v1/stream/sse-resume", Map.of());
        produce("sse-resume", 0, 20);
        await().atMost(WAIT).untilAsserted(() -> assertThat(first.events("record")).hasSize(20));
        final String lastEventId = first.events("record").get(19).id();
        first.close();
        produce("sse-resume", 20, 40);

        // When
        final SseClient resumed = openAndAwaitStart("/v1/stream/sse-resume", Map.of("Last-Event-ID", lastEventId));
        produce("sse-resume", 40, 45);

        // Then
        await().atMost(WAIT).untilAsserted(() -> assertThat(resumed.events("record")).hasSize(25));
        assertThat(values(resumed)).containsExactlyInAnyOrderElementsOf(expectedValues(20, 45));
        resumed.close();
    }

    @Test
    void sseStreamsShouldBeKeptAliveByHeartbeatComments() throws Exception
    {
        // Given
        kafka.createTopic("sse-quiet", 1, 1);

        // When
        final SseClient client = openAndAwaitStart("/v1/stream/sse-quiet", Map.of());

        // Then
        await().atMost(WAIT).untilAsserted(() -> assertThat(client.comments()).isGreaterThanOrEqualTo(2));
        client.close();
    }

    @Test
    void badStreamRequestsShouldGetRestProxyErrors() throws Exception
    {
        // When
        final HttpResponse<String> unknown = get("/v1/stream/no-such-topic");
        final HttpResponse<String> malformed = get("/v1/stream/sse-live?from=yesterday");
        final HttpResponse<String> invalidName = get("/v1/stream/bad%20name");

        // Then
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknown.body()).get("error_code").asInt()).isEqualTo(40401);
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(malformed.body()).get("error_code").asInt()).isEqualTo(400);
        assertThat(invalidName.statusCode()).isEqualTo(404);
    }

    @Test
    void aClientThatMayNotReadTheTopicShouldGet403OverSseAnd1008OverWebSocket() throws Exception
    {
        // Given
        kafka.createTopic("forbidden", 1, 1);
        final double deniedBefore = dropped("websocket", "denied");

        // When
        final HttpResponse<String> sse = get("/v1/stream/forbidden");
        final WebSocketRecorder webSocket = WebSocketRecorder.connect(http, webSocketUri("/v1/stream/forbidden"));

        // Then
        assertThat(sse.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(sse.body()).get("error_code").asInt()).isEqualTo(40301);
        assertThat(webSocket.closeCode().get(30, TimeUnit.SECONDS)).isEqualTo(1008);
        assertThat(webSocket.closeReason()).contains("Not authorized");
        assertThat(dropped("websocket", "denied")).isEqualTo(deniedBefore + 1);
    }

    @Test
    void aReloadThatTakesReadAwayShouldEndOpenStreamsAtTheirNextHeartbeat(@TempDir final Path directory) throws Exception
    {
        // Given
        kafka.createTopic("revocable", 1, 1);
        final SseClient sse = openAndAwaitStart("/v1/stream/revocable", Map.of());
        final double before = sessions("websocket");
        final WebSocketRecorder webSocket = WebSocketRecorder.connect(http, webSocketUri("/v1/stream/revocable"));
        await().atMost(WAIT).until(() -> sessions("websocket") == before + 1);
        final Path file = directory.resolve("proxy.yaml");
        Files.writeString(file, ConfigWriter.toYaml(kafka.proxy().config()), StandardCharsets.UTF_8);

        // When
        final ConfigReloader.Result result;
        try (ConfigReloader reloader = new ConfigReloader(file, PolicyConfigs.withPolicy(RULES + """
                - effect: deny
                  principal: ANONYMOUS
                  resourceType: topic
                  resourceName: revocable
                  operations: [read]
            """), kafka.proxy(), new LogLevels()))
        {
            result = reloader.reload();
        }

        // Then
        assertThat(result.applied()).as(String.valueOf(result.error())).isTrue();
        await().atMost(WAIT).untilAsserted(() -> assertThat(sse.events("denied")).hasSize(1));
        await().atMost(WAIT).until(sse::ended);
        assertThat(webSocket.closeCode().get(30, TimeUnit.SECONDS)).isEqualTo(1008);
        assertThat(get("/v1/stream/revocable").statusCode()).isEqualTo(403);
    }

    @Test
    void webSocketSubscribersShouldReceiveRecordsAsTextFramesAndPings() throws Exception
    {
        // Given
        kafka.createTopic("ws-text", 2, 1);
        final double before = sessions("websocket");
        final WebSocketRecorder webSocket = WebSocketRecorder.connect(http, webSocketUri("/v1/stream/ws-text"));
        await().atMost(WAIT).until(() -> sessions("websocket") == before + 1);

        // When
        produce("ws-text", 0, 20);

        // Then
        await().atMost(WAIT).untilAsserted(() -> assertThat(webSocket.texts()).hasSize(20));
        final List<String> values = new ArrayList<>();
        for (final String text : webSocket.texts())
        {
            final JsonNode record = JSON.readTree(text);
            assertThat(record.get("topic").asText()).isEqualTo("ws-text");
            values.add(record.get("value").asText());
        }
        assertThat(values).containsExactlyInAnyOrderElementsOf(expectedValues(0, 20));
        await().atMost(WAIT).untilAsserted(() -> assertThat(webSocket.pings()).isGreaterThanOrEqualTo(1));
        webSocket.close();
        await().atMost(WAIT).until(() -> sessions("websocket") == before);
    }

    @Test
    void aBinaryWebSocketSubscriberFromTheEarliestOffsetShouldGetTheDocumentedLayout() throws Exception
    {
        // Given
        kafka.createTopic("ws-binary", 1, 1);
        produce("ws-binary", 0, 5);

        // When
        final WebSocketRecorder webSocket =
            WebSocketRecorder.connect(http, webSocketUri("/v1/stream/ws-binary?from=earliest&format=binary"));

        // Then
        await().atMost(WAIT).untilAsserted(() -> assertThat(webSocket.binaries()).hasSize(5));
        final ByteBuffer frame = ByteBuffer.wrap(webSocket.binaries().get(3));
        assertThat(frame.getInt()).as("partition").isZero();
        assertThat(frame.getLong()).as("offset").isEqualTo(3);
        assertThat(frame.getLong()).as("timestamp").isPositive();
        assertThat(string(frame, frame.getInt())).as("key").isEqualTo("k3");
        assertThat(string(frame, frame.getInt())).as("value").isEqualTo("v3");
        assertThat(frame.getShort()).as("header count").isZero();
        assertThat(frame.remaining()).isZero();
        webSocket.close();
    }

    @Test
    void twoHundredSubscribersOfATopicShouldBeFedFromOneFetchStream() throws Exception
    {
        // Given
        kafka.createTopic("sse-many", 2, 1);
        final int consumersBefore = feeds().consumersCreated();
        final double sessionsBefore = sessions("sse");
        final List<SseClient> clients = new ArrayList<>();
        for (int i = 0; i < 200; i++)
        {
            clients.add(SseClient.open(http, uri("/v1/stream/sse-many"), Map.of()));
        }
        await().atMost(WAIT).until(() -> clients.stream().allMatch(c -> c.events("start").size() == 1));

        // When
        produce("sse-many", 0, 50);

        // Then
        await().atMost(WAIT).until(() -> clients.stream().allMatch(c -> c.events("record").size() == 50));
        for (final SseClient client : clients)
        {
            assertThat(values(client)).containsExactlyInAnyOrderElementsOf(expectedValues(0, 50));
        }
        assertThat(feeds().consumersCreated() - consumersBefore).as("Kafka consumers for 200 subscribers").isEqualTo(1);
        assertThat(sessions("sse") - sessionsBefore).isEqualTo(200);
        clients.forEach(SseClient::close);
        await().atMost(WAIT).until(() -> sessions("sse") == sessionsBefore);
    }

    @Test
    void aSubscriberThatStopsReadingShouldBeDroppedWhileTheOthersGetEverything() throws Exception
    {
        // Given: a subscriber that reads its response head and then nothing, behind a small receive buffer.
        kafka.createTopic("sse-slow", 1, 1);
        final SseClient healthy = openAndAwaitStart("/v1/stream/sse-slow", Map.of());
        final double droppedBefore = dropped("sse", "slow");
        try (Socket stalled = new Socket())
        {
            stalled.setReceiveBufferSize(4096);
            stalled.connect(new InetSocketAddress(ProxiedKafka.ADVERTISED_HOST, kafka.proxy().gateway().httpAddress().getPort()));
            stalled.getOutputStream().write("GET /v1/stream/sse-slow HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            final InputStream in = stalled.getInputStream();
            final byte[] head = new byte[12];
            assertThat(in.readNBytes(head, 0, 12)).isEqualTo(12);
            assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
            await().atMost(WAIT).until(() -> healthy.events().size() >= 1 && feeds().subscriptions() >= 2);

            // When: 16 MiB of records, far more than the 64 KiB a subscriber may have waiting plus the socket buffers.
            final String padding = "x".repeat(32 * 1024);
            for (int i = 0; i < 512; i++)
            {
                producer.send(new ProducerRecord<>("sse-slow", "k" + i, i + ":" + padding));
            }
            producer.flush();

            // Then
            await().atMost(WAIT).untilAsserted(() -> assertThat(dropped("sse", "slow")).isEqualTo(droppedBefore + 1));
            await().atMost(WAIT).untilAsserted(() -> assertThat(healthy.events("record")).hasSize(512));
            // The dropped stream was closed: what was in flight drains, then the socket ends. In flight is what the
            // kernel buffers hold (tcp_wmem at most 4 MiB here) plus what the proxy let wait: 64 KiB and one record.
            stalled.setSoTimeout(30_000);
            final byte[] rest = in.readAllBytes();
            assertThat(rest.length).as("bytes the stalled client had not read").isLessThan(4 * 1024 * 1024 + 64 * 1024 + 2 * 33 * 1024);
        }
        healthy.close();
    }

    @Test
    void aWebSocketSubscriberThatStopsReadingShouldBeDroppedAsSlow() throws Exception
    {
        // Given
        kafka.createTopic("ws-slow", 1, 1);
        final double droppedBefore = dropped("websocket", "slow");
        final double sessionsBefore = sessions("websocket");
        final WebSocketRecorder stalled = WebSocketRecorder.connectWithoutReading(http, webSocketUri("/v1/stream/ws-slow"));
        await().atMost(WAIT).until(() -> sessions("websocket") == sessionsBefore + 1);

        // When
        final String padding = "x".repeat(32 * 1024);
        for (int i = 0; i < 512; i++)
        {
            producer.send(new ProducerRecord<>("ws-slow", "k" + i, i + ":" + padding));
        }
        producer.flush();

        // Then
        await().atMost(WAIT).untilAsserted(() -> assertThat(dropped("websocket", "slow")).isEqualTo(droppedBefore + 1));
        await().atMost(WAIT).until(() -> sessions("websocket") == sessionsBefore);
        stalled.close();
    }

    @Test
    void anSseGroupSubscriptionShouldResumeFromWhatItsGroupWasDelivered() throws Exception
    {
        // Given
        kafka.createTopic("sse-group", 1, 1);
        produce("sse-group", 0, 10);
        final SseClient first = openAndAwaitStart("/v1/stream/sse-group?group=sse-readers&from=earliest", Map.of());
        await().atMost(WAIT).untilAsserted(() -> assertThat(first.events("record")).hasSize(10));
        first.close();

        // When
        produce("sse-group", 10, 15);
        final SseClient next = openAndAwaitStart("/v1/stream/sse-group?group=sse-readers&from=earliest", Map.of());

        // Then
        await().atMost(WAIT).untilAsserted(() -> assertThat(values(next)).containsExactlyElementsOf(expectedValues(10, 15)));
        next.close();
    }

    @Test
    void curlShouldPrintTheEventsOfAStream() throws Exception
    {
        // Given
        Assumptions.assumeTrue(new File("/usr/bin/curl").canExecute(), "curl is not installed");
        kafka.createTopic("sse-curl", 1, 1);
        produce("sse-curl", 0, 3);

        // When
        final Process curl = new ProcessBuilder("/usr/bin/curl", "-N", "-s", "--max-time", "3",
            uri("/v1/stream/sse-curl?from=earliest").toString()).redirectErrorStream(true).start();
        final String output = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        curl.waitFor(30, TimeUnit.SECONDS);

        // Then
        assertThat(output).startsWith("event: start\nid: 0:0\n");
        assertThat(output.split("event: record\n", -1)).hasSize(4);
        assertThat(output).contains("id: 0:3\nevent: record\ndata: {\"topic\":\"sse-curl\",\"partition\":0,\"offset\":2,");
    }

    @Test
    void idleSseAndWebSocketSessionsShouldTakeLessThan16KiBOfHeapEach() throws Exception
    {
        // Given: the heap in use with the topic's feed running (the test's own sockets count too: an upper bound)
        kafka.createTopic("idle-heap", 2, 1);
        final SseClient warmUp = openAndAwaitStart("/v1/stream/idle-heap", Map.of());
        final int sessions = 200;
        final List<Socket> sockets = new ArrayList<>();
        try
        {
            final long beforeSse = usedHeapAfterGc();

            // When: that many SSE streams, then that many WebSockets, open and stay idle
            for (int i = 0; i < sessions; i++)
            {
                sockets.add(openIdle("GET /v1/stream/idle-heap HTTP/1.1\r\nHost: test\r\n\r\n", "HTTP/1.1 200"));
            }
            final long beforeWebSocket = usedHeapAfterGc();
            final long perSseSession = (beforeWebSocket - beforeSse) / sessions;
            final double webSocketsBefore = sessions("websocket");
            for (int i = 0; i < sessions; i++)
            {
                sockets.add(openIdle("GET /v1/stream/idle-heap HTTP/1.1\r\nHost: test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", "HTTP/1.1 101"));
            }
            await().atMost(WAIT).until(() -> sessions("websocket") == webSocketsBefore + sessions);
            final long perWebSocketSession = (usedHeapAfterGc() - beforeWebSocket) / sessions;

            // Then
            System.out.printf("idle stream session heap: SSE %d bytes, WebSocket %d bytes each over %d sessions%n",
                perSseSession, perWebSocketSession, sessions);
            assertThat(perSseSession).isLessThan(16 * 1024);
            assertThat(perWebSocketSession).isLessThan(16 * 1024);
        }
        finally
        {
            for (final Socket socket : sockets)
            {
                socket.close();
            }
            warmUp.close();
        }
    }

    private static Socket openIdle(final String request, final String expectedStatus) throws IOException
    {
        final Socket socket = new Socket(ProxiedKafka.ADVERTISED_HOST, kafka.proxy().gateway().httpAddress().getPort());
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        final byte[] status = socket.getInputStream().readNBytes(expectedStatus.length());
        assertThat(new String(status, StandardCharsets.US_ASCII)).isEqualTo(expectedStatus);
        return socket;
    }

    private static long usedHeapAfterGc()
    {
        final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++)
        {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    private static double dropped(final String protocol, final String reason)
    {
        final var counter = kafka.proxy().meterRegistry().find(GatewayMetrics.SUBSCRIBERS_DROPPED).tag("protocol", protocol)
            .tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    private static String string(final ByteBuffer buffer, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static double sessions(final String protocol)
    {
        final var gauge = kafka.proxy().meterRegistry().find(GatewayMetrics.SESSIONS).tag("protocol", protocol).gauge();
        return gauge == null ? 0 : gauge.value();
    }

    private static URI webSocketUri(final String path)
    {
        return URI.create("ws://" + ProxiedKafka.ADVERTISED_HOST + ":" + kafka.proxy().gateway().httpAddress().getPort() + path);
    }

    private static SseClient openAndAwaitStart(final String path, final Map<String, String> headers)
    {
        final SseClient client = SseClient.open(http, uri(path), headers);
        await().atMost(WAIT).untilAsserted(() -> assertThat(client.events("start")).hasSize(1));
        assertThat(client.head().join().statusCode()).isEqualTo(200);
        assertThat(client.head().join().headers().firstValue("content-type")).hasValueSatisfying(
            type -> assertThat(type).startsWith("text/event-stream"));
        assertThat(client.head().join().headers().firstValue("cache-control")).hasValue("no-cache");
        return client;
    }

    private static HttpResponse<String> get(final String path) throws IOException, InterruptedException
    {
        return http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void produce(final String topic, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i));
        }
        producer.flush();
    }

    private static List<String> values(final SseClient client)
    {
        return client.events("record").stream().map(event ->
        {
            try
            {
                return JSON.readTree(event.data()).get("value").asText();
            }
            catch (final IOException e)
            {
                throw new UncheckedIOException(e);
            }
        }).toList();
    }

    private static List<String> expectedValues(final int from, final int to)
    {
        final List<String> values = new ArrayList<>();
        for (int i = from; i < to; i++)
        {
            values.add("v" + i);
        }
        return values;
    }

    private static double meter(final String name, final String protocol, final String topic)
    {
        return kafka.proxy().meterRegistry().get(name).tag("protocol", protocol).tag("direction", "out").tag("topic", topic)
            .counter().count();
    }

    static TopicFeeds feeds()
    {
        return kafka.proxy().gateway().services().feeds();
    }

    private static URI uri(final String path)
    {
        return URI.create("http://" + ProxiedKafka.ADVERTISED_HOST + ":" + kafka.proxy().gateway().httpAddress().getPort() + path);
    }
}

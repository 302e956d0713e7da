package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.config.MemoryConfig;
import io.kafkaproxy.proxy.config.NetworkConfig;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.net.KafkaProxy;
import io.kafkaproxy.proxy.testing.ClientWorkloads;
import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.kafkaproxy.proxy.testing.RawKafkaConnection;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Clients that announce frames and do not send them (issue 16): five connections each sending only the size field
 * of a 100 MiB request used to reserve the pool and stall every other client, while readiness stayed green; a byte
 * sent now and then kept a connection past any idle timeout. Here a frame gets one second plus one per 100 MiB. And
 * readiness, which stayed green while clients were not served, reports a pool that keeps them waiting.
 */
class AnnouncedFramesIT
{
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final byte[] HUNDRED_MIB_SIZE_FIELD = HexFormat.of().parseHex("06400000");
    private static final String TOPIC = "announced-frames";
    private static final String TIMED_OUT = "kafka_proxy_memory_frames_timed_out_total";

    private static ProxiedKafka kafka;

    @BeforeAll
    static void startKafkaAndTheProxy() throws Exception
    {
        // A pool that holds two 100 MiB frames, but not two and the rest of its traffic; requests up to 100 MiB.
        kafka = ProxiedKafka.inFrontOf(InJvmKafka.start(List.of(1), Map.of()), config -> config.toBuilder()
            .network(NetworkConfig.of(2, null, "32MiB", null))
            .memory(MemoryConfig.of("240MiB", "256KiB", null, null, Duration.ofSeconds(1), "100MiB"))
            .build(), pipeline -> { });
        ClientWorkloads.createTopic(kafka.bootstrapServers(), TOPIC, 1);
    }

    @AfterAll
    static void stopEverything()
    {
        kafka.close();
    }

    @Test
    void producerShouldKeepGettingAcknowledgementsWhileFiveClientsSendOnlyTheSizeOfAHundredMebibyteRequest() throws Exception
    {
        // Given: a producer that works
        final Map<String, Object> config = kafka.producerConfig();
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        final double timedOutBefore = sample(get("/metrics").body(), TIMED_OUT);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config))
        {
            producer.send(new ProducerRecord<>(TOPIC, "before")).get(30, TimeUnit.SECONDS);
            final List<RawKafkaConnection> silent = new ArrayList<>();
            try
            {
                // When: five connections each send the size field of a 100 MiB request, and nothing more
                for (int i = 0; i < 5; i++)
                {
                    final RawKafkaConnection connection = RawKafkaConnection.open(kafka.proxy().bootstrapAddress());
                    connection.send(HUNDRED_MIB_SIZE_FIELD);
                    silent.add(connection);
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> kafka.proxy().memoryStats().inUseBytes() >= 100L << 20);

                // Then: every one of twenty sends, one after the other, is acknowledged promptly; at most one of the
                // announced frames holds memory at a time; the proxy is ready
                final AtomicLong peakInUse = new AtomicLong();
                for (int i = 0; i < 20; i++)
                {
                    producer.send(new ProducerRecord<>(TOPIC, "during-" + i)).get(5, TimeUnit.SECONDS);
                    peakInUse.accumulateAndGet(kafka.proxy().memoryStats().inUseBytes(), Math::max);
                }
                assertThat(peakInUse.get()).isLessThan(200L << 20);
                assertThat(sample(get("/metrics").body(), "kafka_proxy_memory_promised_bytes")).isLessThanOrEqualTo(100.0 * (1 << 20));
                assertThat(get("/readyz").statusCode()).isEqualTo(200);

                // And: each announced frame, given its turn, is cut at its deadline, one WARN and one count each
                for (final RawKafkaConnection connection : silent)
                {
                    assertThat(connection.closedByPeer()).isTrue();
                }
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(sample(get("/metrics").body(), TIMED_OUT)).isEqualTo(timedOutBefore + 5));
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(kafka.proxy().memoryStats().inUseBytes()).isLessThan(32L << 20));
                producer.send(new ProducerRecord<>(TOPIC, "after")).get(5, TimeUnit.SECONDS);
            }
            finally
            {
                for (final RawKafkaConnection connection : silent)
                {
                    connection.close();
                }
            }
        }
    }

    @Test
    void aClientSendingAByteNowAndThenShouldBeCutAtItsFrameDeadline() throws Exception
    {
        // Given: the size field of a 1,000-byte request, whose deadline is about 1 s
        final double timedOutBefore = sample(get("/metrics").body(), TIMED_OUT);
        final long start = System.nanoTime();
        try (Socket socket = new Socket(kafka.proxy().bootstrapAddress().getAddress(), kafka.proxy().bootstrapAddress().getPort()))
        {
            socket.setSoTimeout(50);
            socket.getOutputStream().write(new byte[] {0, 0, 3, (byte)0xe8});

            // When: it sends one more byte every 300 ms
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(300)).until(() -> closedAfterOneMoreByte(socket));
        }

        // Then: cut soon after its deadline, though never idle, and counted
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
            assertThat(sample(get("/metrics").body(), TIMED_OUT)).isEqualTo(timedOutBefore + 1));
    }

    @Test
    void readinessShouldFailWhileHeldFramesKeepClientsWaitingAndRecoverOnceTheyGo() throws Exception
    {
        // Given: a proxy with a 16 MiB pool, and five connections each holding a started 2 MiB request (below the
        // size that needs the promise budget, within its 30 s deadline): the pool is above its high watermark
        final ProxyConfig config = ProxiedKafka.proxyConfig(kafka.upstream().bootstrapServers()).toBuilder()
            .network(NetworkConfig.of(2, "8MiB", "8MiB", null))
            .memory(MemoryConfig.of("16MiB", "256KiB", null, null))
            .build();
        try (KafkaProxy small = KafkaProxy.builder(config).start())
        {
            final List<RawKafkaConnection> holding = new ArrayList<>();
            try
            {
                for (int i = 0; i < 5; i++)
                {
                    final RawKafkaConnection connection = RawKafkaConnection.open(small.bootstrapAddress());
                    connection.send(new byte[] {0, 0x20, 0, 0});
                    holding.add(connection);
                }

                // When: the pool stays under pressure past the grace period
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                {
                    final HttpResponse<String> ready = get(small, "/readyz");
                    assertThat(ready.statusCode()).isEqualTo(503);
                    assertThat(ready.body()).startsWith("not ready: memory pool exhausted for ").contains("client reads paused");
                });
            }
            finally
            {
                for (final RawKafkaConnection connection : holding)
                {
                    connection.close();
                }
            }

            // Then: once they are gone, the proxy is ready again
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(get(small, "/readyz").statusCode()).isEqualTo(200));
        }
    }

    private static boolean closedAfterOneMoreByte(final Socket socket)
    {
        try
        {
            socket.getOutputStream().write(1);
            return socket.getInputStream().read() < 0;
        }
        catch (final SocketTimeoutException stillOpen)
        {
            return false;
        }
        catch (final IOException closed)
        {
            return true;
        }
    }

    private static HttpResponse<String> get(final String path) throws IOException, InterruptedException
    {
        return get(kafka.proxy(), path);
    }

    private static HttpResponse<String> get(final KafkaProxy proxy, final String path) throws IOException, InterruptedException
    {
        final URI uri = URI.create("http://127.0.0.1:" + proxy.adminAddress().getPort() + path);
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static double sample(final String exposition, final String series)
    {
        final Matcher line = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(exposition);
        assertThat(line.find()).as("series %s in the exposition", series).isTrue();
        return Double.parseDouble(line.group(1));
    }
}

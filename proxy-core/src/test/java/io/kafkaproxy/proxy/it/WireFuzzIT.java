package io.kafkaproxy.proxy.it;

import io.kafkaproxy.mempool.MemoryPoolStats;
import io.kafkaproxy.proxy.metrics.ProxyMetrics.Side;
import io.kafkaproxy.proxy.testing.ClientWorkloads;
import io.kafkaproxy.proxy.testing.MutatedRequestFrames;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Mutated and random request frames sent over raw sockets to a running proxy in front of a real broker: afterwards
 * a healthy producer and consumer work, connections, pool regions and file descriptors are back where they were, and
 * no buffer leaked (paranoid leak detection, checked after the class by the leak extension).
 *
 * <p>The frames come from a seed ({@code -Dfuzz.seed}, default fixed so that CI sends the same frames every run) and
 * their number from {@code -Dfuzz.it.connections}; a failure names the seed.
 */
class WireFuzzIT
{
    private static final int DEFAULT_CONNECTIONS = 600;
    private static final int SENDERS = 8;
    private static final int READ_TIMEOUT_MILLIS = 150;
    private static final int FD_SLACK = 64;

    private static ProxiedKafka kafka;

    @BeforeAll
    static void startKafkaAndProxy()
    {
        kafka = ProxiedKafka.singleNode();
        kafka.createTopic("fuzz-target", 1, 1);
        kafka.createTopic("fuzzed", 1, 1);
    }

    @AfterAll
    static void stopKafkaAndProxy()
    {
        kafka.close();
    }

    @Test
    void mutatedFramesShouldLeaveNothingBehindAndHealthyClientsWorking() throws Exception
    {
        // Given
        final long seed = Long.decode(System.getProperty("fuzz.seed", "0x5EED0016"));
        final int connections = Integer.getInteger("fuzz.it.connections", DEFAULT_CONNECTIONS);
        final MutatedRequestFrames frames = new MutatedRequestFrames("fuzz-target");
        // The topic admin of the set-up has hung up, but the proxy may not have seen it yet: start from none.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
            assertThat(kafka.proxy().metrics().activeConnections(Side.CLIENT)).as("client connections before").isZero());
        final long clientsBefore = kafka.proxy().metrics().activeConnections(Side.CLIENT);
        final long brokersBefore = kafka.proxy().metrics().activeConnections(Side.BROKER);
        final MemoryPoolStats poolBefore = kafka.proxy().memoryStats();
        final long fdsBefore = openFileDescriptors();
        final double rejectedBefore = rejected();
        final AtomicInteger framesSent = new AtomicInteger();
        final AtomicInteger closedByProxy = new AtomicInteger();
        final AtomicInteger answered = new AtomicInteger();

        // When
        final ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
        try
        {
            final List<Future<?>> sent = new ArrayList<>();
            for (int connection = 0; connection < connections; connection++)
            {
                final SplittableRandom random = new SplittableRandom(seed + 0x9E3779B97F4A7C15L * (connection + 1));
                sent.add(senders.submit(() -> probe(frames, random, framesSent, closedByProxy, answered)));
            }
            for (final Future<?> probe : sent)
            {
                probe.get(60, TimeUnit.SECONDS);
            }
        }
        finally
        {
            senders.shutdownNow();
        }

        // Then: every connection the probes opened is gone on both sides, and so is every frame they sent
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        {
            assertThat(kafka.proxy().metrics().activeConnections(Side.CLIENT)).as("client connections").isEqualTo(clientsBefore);
            assertThat(kafka.proxy().metrics().activeConnections(Side.BROKER)).as("broker connections").isLessThanOrEqualTo(brokersBefore);
            assertThat(kafka.proxy().memoryStats().outstandingRegions()).as("outstanding regions (seed %d)", seed)
                .isEqualTo(poolBefore.outstandingRegions());
            assertThat(openFileDescriptors()).as("open file descriptors").isLessThanOrEqualTo(fdsBefore + FD_SLACK);
        });
        final MemoryPoolStats poolAfter = kafka.proxy().memoryStats();
        System.out.printf("WIRE FUZZ seed=%d connections=%d frames=%d closedByProxy=%d answered=%d rejectedFrames=%.0f "
                + "poolUsedBytes=%d->%d poolReservedBytes=%d->%d highWaterMarkBytes=%d fds=%d->%d%n",
            seed, connections, framesSent.get(), closedByProxy.get(), answered.get(), rejected() - rejectedBefore,
            poolBefore.inUseBytes(), poolAfter.inUseBytes(), poolBefore.reservedBytes(), poolAfter.reservedBytes(),
            poolAfter.highWaterMarkBytes(), fdsBefore, openFileDescriptors());
        assertThat(rejected()).as("frames the proxy rejected (seed %d)", seed).isGreaterThan(rejectedBefore);

        // Then: a healthy producer and consumer work as before
        final List<ProducerRecord<String, String>> records = IntStream.range(0, 200)
            .mapToObj(i -> new ProducerRecord<String, String>("fuzzed", "healthy-" + i)).toList();
        ClientWorkloads.sendAll(kafka.producerConfig(), records);
        final List<String> consumed = ClientWorkloads.consume("fuzzed", kafka.consumerConfig(null), 200).stream()
            .map(ConsumerRecord::value).toList();
        assertThat(consumed).as("seed %d", seed).hasSize(200).doesNotHaveDuplicates();
    }

    private static void probe(final MutatedRequestFrames frames, final SplittableRandom random, final AtomicInteger framesSent,
        final AtomicInteger closedByProxy, final AtomicInteger answered)
    {
        final InetSocketAddress address = random.nextInt(4) == 0 ?
            new InetSocketAddress(ProxiedKafka.ADVERTISED_HOST, kafka.proxy().nodes().nodes().get(0).proxyPort()) :
            kafka.proxy().bootstrapAddress();
        try (Socket socket = new Socket())
        {
            socket.connect(address, 5_000);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            socket.setTcpNoDelay(true);
            final OutputStream out = socket.getOutputStream();
            if (random.nextInt(3) == 0)
            {
                // A valid frame first, so that the garbage arrives on a connection with a broker side.
                out.write(frames.valid(random));
                framesSent.incrementAndGet();
            }
            final int count = 1 + random.nextInt(3);
            for (int i = 0; i < count; i++)
            {
                out.write(frames.mutated(random));
                framesSent.incrementAndGet();
            }
            out.flush();
            drain(socket.getInputStream(), closedByProxy, answered);
        }
        catch (final IOException closedWhileSending)
        {
            // The proxy closed the connection before the last frame went out: one of the allowed outcomes.
            closedByProxy.incrementAndGet();
        }
    }

    private static void drain(final InputStream in, final AtomicInteger closedByProxy, final AtomicInteger answered) throws IOException
    {
        final byte[] buffer = new byte[4096];
        boolean anything = false;
        try
        {
            while (true)
            {
                final int read = in.read(buffer);
                if (read < 0)
                {
                    closedByProxy.incrementAndGet();
                    break;
                }
                anything = true;
            }
        }
        catch (final SocketTimeoutException stillOpen)
        {
            // The proxy waits for the rest of a frame, or answered and waits for the next: the client walks away.
        }
        if (anything)
        {
            answered.incrementAndGet();
        }
    }

    private static double rejected()
    {
        return kafka.proxy().metrics().framesRejected(Side.CLIENT, "malformed") +
            kafka.proxy().metrics().framesRejected(Side.CLIENT, "oversize");
    }

    private static long openFileDescriptors() throws IOException
    {
        try (var fds = Files.list(Path.of("/proc/self/fd")))
        {
            return fds.count();
        }
    }
}

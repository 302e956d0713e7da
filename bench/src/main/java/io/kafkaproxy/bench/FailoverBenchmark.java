package io.kafkaproxy.bench;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Failover between data centres, timed from outside: how long from the primary's failure to the first record the
 * standby acknowledges, with the proxy switching by itself (three failed probes, {@code probeInterval} 1s) and on
 * the operator's command (a {@code POST /clusters/default/failover} sent right after the failure).
 *
 * <p>Each round runs a fresh primary broker in a JVM of its own ({@link BenchBroker}), killed with SIGKILL (what a
 * data centre's loss looks like to the proxy: connections reset or hanging, no goodbye), in front of a standby that
 * lives for the whole run, and the proxy as a process of its own, configured from a file with {@code upstream.standby}.
 * An idempotent acks=all producer in this JVM sends without pause through the proxy ({@code metadata.recovery.strategy
 * =rebootstrap}); the first acknowledgement received after the kill can only come from the standby, the primary being
 * dead. Printed as a Markdown table for {@code bench/RESULTS.md}.
 */
public final class FailoverBenchmark
{
    private static final String TOPIC = "bench-failover";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Path work;
    private final String brokerClasspath;
    private final Path launcher;

    private FailoverBenchmark(final Path work, final String brokerClasspath, final Path launcher)
    {
        this.work = work;
        this.brokerClasspath = brokerClasspath;
        this.launcher = launcher;
    }

    /**
     * Runs the benchmark.
     *
     * @param args {@code LAUNCHER BROKER_CLASSPATH_FILE [ROUNDS]}: rounds per mode, default 3.
     * @throws Exception if a step fails.
     */
    public static void main(final String[] args) throws Exception
    {
        final int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        final FailoverBenchmark benchmark = new FailoverBenchmark(Files.createTempDirectory("kafka-proxy-failover-bench"),
            Files.readString(Path.of(args[1])).strip(), Path.of(args[0]));
        final Process standby = benchmark.startBroker("standby");
        try
        {
            final String standbyAddress = ProxyProcess.awaitLine(benchmark.work.resolve("standby.log"),
                Pattern.compile("BROKER READY (\\S+)")).group(1);
            createTopic(standbyAddress);
            System.out.println("## Failover: primary killed (SIGKILL) → first record acknowledged by the standby\n");
            System.out.println("| trigger | round | kill → switch published | kill → first acknowledged record | records acknowledged before the kill |");
            System.out.println("|---|---|---|---|---|");
            for (final boolean automatic : new boolean[]{true, false})
            {
                for (int round = 1; round <= rounds; round++)
                {
                    benchmark.round(standbyAddress, automatic, round);
                }
            }
        }
        finally
        {
            stop(standby);
        }
    }

    private void round(final String standbyAddress, final boolean automatic, final int round) throws Exception
    {
        final String name = (automatic ? "automatic" : "manual") + "-" + round;
        final Process primary = startBroker("primary-" + name);
        Process proxy = null;
        try
        {
            final String primaryAddress = ProxyProcess.awaitLine(work.resolve("primary-" + name + ".log"),
                Pattern.compile("BROKER READY (\\S+)")).group(1);
            createTopic(primaryAddress);
            final int listenPort = ProxyProcess.freePort();
            final int adminPort = ProxyProcess.freePort();
            proxy = startProxy(name, primaryAddress, standbyAddress, listenPort, adminPort, automatic);
            ProxyProcess.awaitMetric(adminPort, "kafka_proxy_connections_active{cluster=\"default\",side=\"client\"}", 0);
            try (LoadProducer producer = new LoadProducer("127.0.0.1:" + listenPort))
            {
                producer.awaitAcknowledged(2000);
                final long acknowledgedBefore = producer.acknowledged.get();
                final long killNanos = System.nanoTime();
                producer.failureNanos.set(killNanos);
                primary.destroyForcibly();
                if (!automatic)
                {
                    HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/clusters/default/failover"))
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                }
                final long switchedNanos = awaitGeneration(adminPort);
                final long firstAckNanos = producer.awaitFirstAckAfterFailure();
                System.out.printf(Locale.ROOT, "| %s | %d | %d ms | %d ms | %d |%n", automatic ? "automatic" : "manual", round,
                    TimeUnit.NANOSECONDS.toMillis(switchedNanos - killNanos), TimeUnit.NANOSECONDS.toMillis(firstAckNanos - killNanos),
                    acknowledgedBefore);
            }
        }
        finally
        {
            if (proxy != null)
            {
                stop(proxy);
            }
            stop(primary);
        }
    }

    private Process startBroker(final String name) throws Exception
    {
        return new ProcessBuilder(ProxyProcess.javaExecutable(), "-Xmx512m", "-cp", brokerClasspath, BenchBroker.class.getName())
            .redirectErrorStream(true).redirectOutput(work.resolve(name + ".log").toFile()).start();
    }

    private static void createTopic(final String address) throws Exception
    {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", address)))
        {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short)1))).all().get(60, TimeUnit.SECONDS);
        }
    }

    private Process startProxy(final String name, final String primary, final String standby, final int listenPort,
        final int adminPort, final boolean automatic) throws Exception
    {
        final Path config = work.resolve("proxy-" + name + ".yaml");
        Files.writeString(config, String.join("\n",
            "listener:",
            "  bindAddress: 127.0.0.1:" + listenPort,
            "  advertisedHost: 127.0.0.1",
            "  nodePorts: {first: 0, count: 1}",
            "upstream:",
            "  bootstrapServers: [\"" + primary + "\"]",
            "  connectTimeout: 2s",
            "  standby:",
            "    bootstrapServers: [\"" + standby + "\"]",
            "    connectTimeout: 2s",
            "  failover:",
            "    probeInterval: 1s",
            "    probeTimeout: 1s",
            "    failureThreshold: " + (automatic ? 3 : 0),
            "admin:",
            "  enabled: true",
            "  bindAddress: 127.0.0.1:" + adminPort,
            "network:",
            "  ioThreads: 2",
            "logging:",
            "  level: WARN",
            ""));
        final ProcessBuilder builder = new ProcessBuilder(launcher.toString(), "--config", config.toString())
            .redirectErrorStream(true).redirectOutput(work.resolve("proxy-" + name + ".log").toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        return builder.start();
    }

    private static long awaitGeneration(final int adminPort) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline)
        {
            if (ProxyProcess.sum(ProxyProcess.scrape(adminPort), "kafka_proxy_cluster_generation\\{[^}]*\\}") >= 1)
            {
                return System.nanoTime();
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("the proxy never switched");
    }

    private static void stop(final Process process) throws InterruptedException
    {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
        }
    }

    /**
     * An idempotent acks=all producer sending without pause (at most 100 records in flight), noting the first
     * acknowledgement received after the failure.
     */
    private static final class LoadProducer implements AutoCloseable
    {
        private final AtomicLong acknowledged = new AtomicLong();
        private final AtomicLong failureNanos = new AtomicLong(Long.MAX_VALUE);
        private final AtomicLong firstAckAfterFailureNanos = new AtomicLong();
        private final Semaphore inFlight = new Semaphore(100);
        private final Thread thread;
        private volatile boolean sending = true;

        LoadProducer(final String bootstrap)
        {
            final Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000,
                ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 50,
                ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500,
                "metadata.recovery.strategy", "rebootstrap");
            thread = new Thread(() -> send(config), "failover-bench-producer");
            thread.start();
        }

        private void send(final Map<String, Object> config)
        {
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(config))
            {
                long sequence = 0;
                while (sending)
                {
                    if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS))
                    {
                        continue;
                    }
                    producer.send(new ProducerRecord<>(TOPIC, "record-" + sequence++), (metadata, error) ->
                    {
                        inFlight.release();
                        if (error != null)
                        {
                            return;
                        }
                        acknowledged.incrementAndGet();
                        final long now = System.nanoTime();
                        if (now > failureNanos.get())
                        {
                            firstAckAfterFailureNanos.compareAndSet(0, now);
                        }
                    });
                }
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
            }
        }

        void awaitAcknowledged(final long count) throws InterruptedException
        {
            final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (acknowledged.get() < count)
            {
                if (System.nanoTime() > deadline)
                {
                    throw new IllegalStateException("the producer did not get going: acknowledged=" + acknowledged.get());
                }
                Thread.sleep(10);
            }
        }

        long awaitFirstAckAfterFailure() throws InterruptedException
        {
            final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (firstAckAfterFailureNanos.get() == 0)
            {
                if (System.nanoTime() > deadline)
                {
                    throw new IllegalStateException("no record acknowledged after the failure");
                }
                Thread.sleep(1);
            }
            return firstAckAfterFailureNanos.get();
        }

        @Override
        public void close() throws InterruptedException
        {
            sending = false;
            thread.join(TimeUnit.MINUTES.toMillis(3));
        }
    }
}

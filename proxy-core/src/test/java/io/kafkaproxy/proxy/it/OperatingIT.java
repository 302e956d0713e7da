package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.config.ConfigParser;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.net.KafkaProxy;
import io.kafkaproxy.proxy.reload.ConfigReloader;
import io.kafkaproxy.proxy.reload.LogLevels;
import io.kafkaproxy.proxy.testing.ClientWorkloads;
import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The proxy as an operator runs it, in front of a real broker: the admin listener's metrics, health and readiness
 * after real traffic, and configuration reloads while a producer runs.
 */
class OperatingIT
{
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    static Path directory;

    private static InJvmKafka kafka;

    @BeforeAll
    static void startKafka()
    {
        kafka = InJvmKafka.start(List.of(1), Map.of());
    }

    @AfterAll
    static void stopKafka()
    {
        if (kafka != null)
        {
            kafka.close();
        }
    }

    @Test
    void metricsShouldShowTheLatencyOfProduceAndFetchAfterRealTraffic() throws Exception
    {
        // Given
        final Path file = writeConfig("metrics.yaml", "16MiB", "INFO", "");
        try (KafkaProxy proxy = KafkaProxy.builder(ConfigParser.parse(file)).start())
        {
            final String bootstrap = proxy.advertisedBootstrapServers();
            ClientWorkloads.createTopic(bootstrap, "scraped", 1);

            // When
            ClientWorkloads.sendAll(ClientWorkloads.stringProducerConfig(bootstrap), List.of(
                new ProducerRecord<>("scraped", "a"), new ProducerRecord<>("scraped", "b"), new ProducerRecord<>("scraped", "c")));
            ClientWorkloads.consume("scraped", ClientWorkloads.stringConsumerConfig(bootstrap), 3);
            final HttpResponse<String> metrics = get(proxy, "/metrics");

            // Then
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
            final String text = metrics.body();
            assertThat(sample(text, "kafka_proxy_request_latency_seconds_count{api=\"Produce\",cluster=\"default\"}")).isGreaterThanOrEqualTo(1);
            assertThat(sample(text, "kafka_proxy_request_latency_seconds_count{api=\"Fetch\",cluster=\"default\"}")).isGreaterThanOrEqualTo(1);
            assertThat(text).contains("kafka_proxy_request_latency_seconds_bucket{api=\"Produce\",cluster=\"default\",le=\"+Inf\"}");
            assertThat(sample(text, "kafka_proxy_frames_total{api=\"Produce\",cluster=\"default\",direction=\"client_to_broker\"}")).isGreaterThanOrEqualTo(1);
            assertThat(sample(text, "kafka_proxy_bytes_total{api=\"Fetch\",cluster=\"default\",direction=\"broker_to_client\"}")).isGreaterThan(0);
            assertThat(sample(text, "kafka_proxy_memory_capacity_bytes")).isEqualTo(64.0 * 1024 * 1024);
            assertThat(text)
                .contains("kafka_proxy_connections_active{cluster=\"default\",side=\"client\"}")
                .contains("kafka_proxy_frames_rejected_total{cluster=\"default\",reason=\"oversize\",side=\"client\"}")
                .contains("kafka_proxy_config_reloads_total{result=\"success\"}")
                .contains("kafka_proxy_memory_paused_reads_total")
                .contains("jvm_gc_memory_allocated_bytes_total")
                .contains("jvm_memory_used_bytes")
                .contains("process_cpu_usage");
            assertThat(get(proxy, "/healthz").statusCode()).isEqualTo(200);
            assertThat(get(proxy, "/readyz").statusCode()).isEqualTo(200);
            assertThat(get(proxy, "/nothing").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void theExpositionShouldPassPromtool() throws Exception
    {
        // Given
        final Path promtool = Path.of("/usr/bin/promtool");
        assumeTrue(Files.isExecutable(promtool), "promtool not installed (Debian package prometheus; .ci/run installs it)");
        final Path file = writeConfig("promtool.yaml", "16MiB", "INFO", "");
        try (KafkaProxy proxy = KafkaProxy.builder(ConfigParser.parse(file)).start())
        {
            final String bootstrap = proxy.advertisedBootstrapServers();
            ClientWorkloads.createTopic(bootstrap, "linted", 1);
            ClientWorkloads.sendAll(ClientWorkloads.stringProducerConfig(bootstrap), List.of(new ProducerRecord<>("linted", "a")));
            ClientWorkloads.consume("linted", ClientWorkloads.stringConsumerConfig(bootstrap), 1);

            // When
            final Process check = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
            check.getOutputStream().write(get(proxy, "/metrics").body().getBytes(StandardCharsets.UTF_8));
            check.getOutputStream().close();
            final String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            // Then
            assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(check.exitValue()).as("promtool check metrics: %s", output).isZero();
            assertThat(output).as("promtool check metrics").isBlank();
        }
    }

    @Test
    void readinessShouldFailWhileNoBrokerAnswers() throws Exception
    {
        // Given: a proxy whose only upstream is a port nobody listens on
        final Path file = Files.writeString(directory.resolve("unreachable.yaml"), String.join("\n",
            "listener: {bindAddress: 127.0.0.1:0, advertisedHost: 127.0.0.1, nodePorts: {first: 0, count: 1}}",
            "upstream: {bootstrapServers: [127.0.0.1:1], connectTimeout: 2s}",
            "network: {ioThreads: 1, maxRequestSizeBytes: 16MiB, maxResponseSizeBytes: 16MiB}",
            "memory: {poolSizeBytes: 64MiB}",
            "admin: {bindAddress: 127.0.0.1:0}",
            ""));
        try (KafkaProxy proxy = KafkaProxy.builder(ConfigParser.parse(file)).start())
        {
            // When
            final HttpResponse<String> ready = get(proxy, "/readyz");

            // Then
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("no upstream bootstrap server reachable").contains("127.0.0.1:1");
            assertThat(get(proxy, "/healthz").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void reloadingFiftyTimesUnderLoadShouldNeitherCloseAConnectionNorFailARequest() throws Exception
    {
        // Given: a proxy started from a file, a close counter on every client connection, a producer running
        final Path file = writeConfig("reload.yaml", "16MiB", "WARN", "");
        final AtomicInteger clientConnectionsClosed = new AtomicInteger();
        final CloseCounter closeCounter = new CloseCounter(clientConnectionsClosed);
        try (KafkaProxy proxy = KafkaProxy.builder(ConfigParser.parse(file))
                .clientPipelineCustomizer(pipeline -> pipeline.addFirst("closeCounter", closeCounter))
                .start();
             ConfigReloader reloader = new ConfigReloader(file, config -> config, proxy, new LogLevels()))
        {
            final String bootstrap = proxy.advertisedBootstrapServers();
            ClientWorkloads.createTopic(bootstrap, "reloaded", 1);
            final AtomicBoolean producing = new AtomicBoolean(true);
            final AtomicInteger acknowledged = new AtomicInteger();
            final AtomicReference<Exception> sendFailure = new AtomicReference<>();
            final Thread producerThread = new Thread(() -> produceSteadily(bootstrap, producing, acknowledged, sendFailure), "steady-producer");
            producerThread.start();
            awaitAcknowledged(acknowledged, 20);
            // From here on the producer's connections are the only ones open (the admin client's have closed).
            clientConnectionsClosed.set(0);

            // When: 50 reloads, valid and invalid alternately
            final List<String> invalidFiles = List.of(
                "upstream: {bootstrapServers: [" + kafka.bootstrapServers() + "]}\nnetwork: {ioThreds: 2}\n",
                "upstream: [unclosed\n",
                "upstream: {bootstrapServers: [" + kafka.bootstrapServers() + "]}\nnetwork: {maxRequestSizeBytes: lots}\n",
                configText("60MiB", "INFO", ""),
                "upstream: {bootstrapServers: []}\n");
            final List<ConfigReloader.Result> results = new ArrayList<>();
            for (int i = 0; i < 50; i++)
            {
                if (i % 2 == 0)
                {
                    final String maxRequest = (i / 2) % 2 == 0 ? "15MiB" : "16MiB";
                    final String clientsLevel = (i / 2) % 2 == 0 ? "ERROR" : "WARN";
                    Files.writeString(file, configText(maxRequest, clientsLevel, ""));
                }
                else
                {
                    Files.writeString(file, invalidFiles.get((i / 2) % invalidFiles.size()));
                }
                results.add(reloader.requestReload().get(30, TimeUnit.SECONDS));
                Thread.sleep(20);
            }
            awaitAcknowledged(acknowledged, acknowledged.get() + 20);
            // Before the producer closes its own connections.
            final int closedWhileReloading = clientConnectionsClosed.get();
            producing.set(false);
            producerThread.join(TimeUnit.SECONDS.toMillis(60));

            // Then
            assertThat(sendFailure.get()).isNull();
            assertThat(closedWhileReloading).isZero();
            assertThat(results).extracting(ConfigReloader.Result::applied)
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 50).mapToObj(i -> i % 2 == 0).toList());
            assertThat(results.get(1).error()).contains("network.ioThreds: unknown key");
            assertThat(results.get(7).error()).contains("network.maxRequestSizeBytes: 60MiB is more than half of memory.poolSizeBytes 64MiB");
            final ProxyMetrics metrics = proxy.metrics();
            assertThat(metrics.configReloads(true)).isEqualTo(25.0);
            assertThat(metrics.configReloads(false)).isEqualTo(25.0);
            assertThat(metrics.connectionErrors(ProxyMetrics.Side.CLIENT)).isZero();
            // The last valid file (reload 48) set 15MiB; the refused ones after it changed nothing.
            assertThat(proxy.config().network().maxRequestSizeBytes()).isEqualTo(15 << 20);
            assertThat(results.get(0).changed()).contains("network.maxRequestSizeBytes", "logging");
            final String scraped = get(proxy, "/metrics").body();
            assertThat(sample(scraped, "kafka_proxy_config_reloads_total{result=\"success\"}")).isEqualTo(25.0);
            assertThat(sample(scraped, "kafka_proxy_config_reloads_total{result=\"failure\"}")).isEqualTo(25.0);
            assertThat(ClientWorkloads.consume("reloaded", ClientWorkloads.stringConsumerConfig(bootstrap), acknowledged.get())).hasSize(acknowledged.get());
        }
    }

    @Test
    void aClientThatSendsNothingForTheIdleTimeoutShouldBeDisconnected() throws Exception
    {
        // Given
        final Path file = writeConfig("idle.yaml", "16MiB", "INFO", "");
        Files.writeString(file, Files.readString(file).replace("  maxResponseSizeBytes: 16MiB", "  maxResponseSizeBytes: 16MiB\n  idleTimeout: 1s"));
        try (KafkaProxy proxy = KafkaProxy.builder(ConfigParser.parse(file)).start();
             java.net.Socket client = new java.net.Socket("127.0.0.1", proxy.bootstrapAddress().getPort()))
        {
            client.setSoTimeout(30_000);

            // When: the client sends nothing
            final long started = System.nanoTime();
            final int read = client.getInputStream().read();

            // Then: the proxy closed it, after the timeout and not long after
            assertThat(read).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(900), Duration.ofSeconds(20));
        }
    }

    @Test
    void aReloadShouldReportWhatNeedsARestartAndApplyTheRest() throws Exception
    {
        // Given
        final Path file = writeConfig("restart.yaml", "16MiB", "INFO", "");
        try (KafkaProxy proxy = KafkaProxy.builder(ConfigParser.parse(file)).start();
             ConfigReloader reloader = new ConfigReloader(file, config -> config, proxy, new LogLevels()))
        {
            // When: the thread count changes (restart only) along with the request limit (live)
            Files.writeString(file, configText("8MiB", "INFO", "").replace("ioThreads: 2", "ioThreads: 3"));
            final ConfigReloader.Result result = reloader.reload();

            // Then
            assertThat(result.applied()).isTrue();
            assertThat(result.restartRequired()).containsExactly("network.ioThreads");
            assertThat(result.changed()).containsExactly("network.maxRequestSizeBytes");
            assertThat(proxy.config().network().ioThreads()).isEqualTo(2);
            assertThat(proxy.config().network().maxRequestSizeBytes()).isEqualTo(8 << 20);
        }
    }

    private static void produceSteadily(
        final String bootstrap, final AtomicBoolean producing, final AtomicInteger acknowledged, final AtomicReference<Exception> failure)
    {
        final Map<String, Object> config = ClientWorkloads.stringProducerConfig(bootstrap);
        config.put(ProducerConfig.RETRIES_CONFIG, 0);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config))
        {
            int sequence = 0;
            while (producing.get())
            {
                producer.send(new ProducerRecord<>("reloaded", Integer.toString(sequence++)), (metadata, error) ->
                {
                    if (error != null)
                    {
                        failure.compareAndSet(null, error);
                    }
                    else
                    {
                        acknowledged.incrementAndGet();
                    }
                });
                Thread.sleep(2);
            }
            producer.flush();
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitAcknowledged(final AtomicInteger acknowledged, final int atLeast) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (acknowledged.get() < atLeast && System.nanoTime() < deadline)
        {
            Thread.sleep(10);
        }
        assertThat(acknowledged.get()).isGreaterThanOrEqualTo(atLeast);
    }

    private static Path writeConfig(final String name, final String maxRequest, final String clientsLevel, final String extra) throws IOException
    {
        return Files.writeString(directory.resolve(name), configText(maxRequest, clientsLevel, extra));
    }

    private static String configText(final String maxRequest, final String clientsLevel, final String extra)
    {
        return String.join("\n",
            "listener:",
            "  bindAddress: 127.0.0.1:0",
            "  advertisedHost: 127.0.0.1",
            "  nodePorts: {first: 0, count: 1}",
            "upstream:",
            "  bootstrapServers: [" + kafka.bootstrapServers() + "]",
            "network:",
            "  ioThreads: 2",
            "  maxRequestSizeBytes: " + maxRequest,
            "  maxResponseSizeBytes: 16MiB",
            "memory:",
            "  poolSizeBytes: 64MiB",
            "  chunkSizeBytes: 256KiB",
            "admin:",
            "  bindAddress: 127.0.0.1:0",
            "logging:",
            "  level: INFO",
            "  loggers:",
            "    org.apache.kafka.clients: " + clientsLevel,
            extra,
            "");
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

    @ChannelHandler.Sharable
    private static final class CloseCounter extends ChannelInboundHandlerAdapter
    {
        private final AtomicInteger closed;

        CloseCounter(final AtomicInteger closed)
        {
            this.closed = closed;
        }

        @Override
        public void channelInactive(final ChannelHandlerContext ctx)
        {
            closed.incrementAndGet();
            ctx.fireChannelInactive();
        }
    }
}

package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.testing.ClientWorkloads;
import io.kafkaproxy.proxy.testing.InJvmKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The distribution as an operator gets it: {@code bin/kafka-proxy} run as its own process, both in front of a
 * cluster and as the demo, with real clients through it.
 */
class DistributionIT
{
    private static final Path DISTRIBUTION = Path.of("target", "kafka-proxy");

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stopProcesses() throws InterruptedException
    {
        for (final Process process : processes)
        {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
            }
        }
    }

    @Test
    void productionRunShouldProxyWithoutTheBrokerOnItsClasspath() throws Exception
    {
        // Given
        assertThat(jarNames(DISTRIBUTION.resolve("lib"))).noneMatch(name -> name.startsWith("kafka_2.13"));
        assertThat(jarNames(DISTRIBUTION.resolve("lib").resolve("demo"))).anyMatch(name -> name.startsWith("kafka_2.13"));
        // picocli built for Java 17 (module cli-picocli), which the class-data archive holds, not its Java 5 binary jar
        assertThat(jarNames(DISTRIBUTION.resolve("lib"))).noneMatch(name -> name.startsWith("picocli-"))
            .anyMatch(name -> name.startsWith("kafka-proxy-cli-picocli-"));
        try (InJvmKafka kafka = InJvmKafka.start(List.of(1), Map.of()))
        {
            final int port = freePort();
            final Path output = Files.createTempFile("kafka-proxy-run", ".log");

            // When
            final Process proxy = launch(output, "--bootstrap", kafka.bootstrapServers(), "--listen", "127.0.0.1:" + port,
                "--io-threads", "1", "--admin-listen", "127.0.0.1:0");
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(output).contains("bootstrap listener bound"));

            // Then
            assertProducesAndConsumes("127.0.0.1:" + port);
            assertThat(Files.readString(output)).doesNotContain("ERROR").doesNotContain("Exception");
            proxy.destroy();
            assertThat(proxy.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(proxy.exitValue()).isZero();
            assertThat(Files.readString(output)).contains("stopped");
        }
    }

    @Test
    void sigtermDuringAProduceRunShouldAnswerEveryRequestReadAndExitZero() throws Exception
    {
        // Given: the proxy as its own process, and a producer sending as fast as acks=all allows
        try (InJvmKafka kafka = InJvmKafka.start(List.of(1), Map.of()))
        {
            final ConfiguredProxy running = launchWithConfigFile(kafka, "sigterm");
            final Process proxy = running.process();
            final Path output = running.output();
            final String bootstrap = running.bootstrapServers();
            ClientWorkloads.createTopic(bootstrap, "drained", 1);
            final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            final AtomicBoolean producing = new AtomicBoolean(true);
            final Map<String, Object> producerConfig = ClientWorkloads.stringProducerConfig(bootstrap);
            producerConfig.put(ProducerConfig.RETRIES_CONFIG, 0);
            producerConfig.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 5_000);
            producerConfig.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 4_000);
            producerConfig.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000);
            final Thread producer = new Thread(() ->
            {
                try (KafkaProducer<String, String> client = new KafkaProducer<>(producerConfig))
                {
                    for (int i = 0; producing.get(); i++)
                    {
                        final String value = Integer.toString(i);
                        client.send(new ProducerRecord<>("drained", value), (metadata, error) ->
                        {
                            if (error == null)
                            {
                                acknowledged.add(value);
                            }
                        });
                    }
                }
                catch (final RuntimeException e)
                {
                    // The proxy is gone: sends stop failing over once it has.
                }
            }, "producer-until-sigterm");
            producer.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= 2_000);

            // When
            proxy.destroy();

            // Then
            assertThat(proxy.waitFor(60, TimeUnit.SECONDS)).isTrue();
            producing.set(false);
            producer.join(TimeUnit.SECONDS.toMillis(60));
            assertThat(proxy.exitValue()).isZero();
            final String log = Files.readString(output);
            assertThat(log).contains("signal received signal=\"SIGTERM\"").contains("stopping");
            assertThat(log).containsPattern("stopped drainedConnections=\"[1-9][0-9]*\" closedAfterDrainTimeout=\"0\" unansweredRequests=\"0\"");
            // Every record the producer saw acknowledged is in the topic, read straight from the broker.
            final Map<String, Object> consumerConfig = ClientWorkloads.stringConsumerConfig(kafka.bootstrapServers());
            final Set<String> stored = ClientWorkloads.consume("drained", consumerConfig, acknowledged.size()).stream()
                .map(ConsumerRecord::value).collect(Collectors.toSet());
            assertThat(stored).containsAll(acknowledged);
        }
    }

    @Test
    void sighupAndSigusr1ShouldReloadTheFileWithoutDisturbingClients() throws Exception
    {
        // Given
        try (InJvmKafka kafka = InJvmKafka.start(List.of(1), Map.of()))
        {
            final ConfiguredProxy running = launchWithConfigFile(kafka, "sighup");
            final Process proxy = running.process();
            final Path output = running.output();
            final Path config = running.config();

            // When: a valid change on SIGHUP, then a broken file on SIGUSR1
            Files.writeString(config, Files.readString(config).replace("maxRequestSizeBytes: 16MiB", "maxRequestSizeBytes: 8MiB"));
            signal(proxy, "HUP");
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(output).contains("configuration reloaded and applied"));
            Files.writeString(config, Files.readString(config).replace("ioThreads:", "ioThreds:"));
            signal(proxy, "USR1");
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(output).contains("configuration reload refused"));

            // Then
            final String log = Files.readString(output);
            assertThat(log).contains("changed=\"[network.maxRequestSizeBytes]\"");
            assertThat(log).contains("network.ioThreds: unknown key");
            assertProducesAndConsumes(running.bootstrapServers());
            proxy.destroy();
            assertThat(proxy.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(proxy.exitValue()).isZero();
        }
    }

    @Test
    void checkConfigShouldListEveryErrorAndExitTwo() throws Exception
    {
        // Given
        final Path config = Files.createTempFile("broken", ".yaml");
        Files.writeString(config, "upstream:\n  bootstrapServers: [b:9092]\nnetwork:\n  ioThreds: 2\n  idleTimeout: soon\n");
        final Path output = Files.createTempFile("kafka-proxy-check", ".log");

        // When
        final Process process = launch(output, "check-config", config.toString());

        // Then
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(Files.readString(output))
            .contains(config + ":4: network.ioThreds: unknown key")
            .contains(config + ":5: network.idleTimeout: ")
            .contains("2 errors");
    }

    @Test
    void demoShouldStartABrokerAndTheProxyInFrontOfIt() throws Exception
    {
        // Given
        final int port = freePort();
        final int httpPort = freePort();
        final Path output = Files.createTempFile("kafka-proxy-demo", ".log");

        // When
        launch(output, "demo", "--listen", "localhost:" + port, "--admin-listen", "127.0.0.1:0",
            "--http-listen", "127.0.0.1:" + httpPort, "--mqtt-listen", "127.0.0.1:0");
        await().atMost(Duration.ofSeconds(120)).until(() -> Files.readString(output).contains("bootstrap.servers=localhost:" + port));

        // Then: Kafka clients, and the HTTP gateway listing topics
        assertProducesAndConsumes("localhost:" + port);
        final java.net.http.HttpResponse<String> topics = java.net.http.HttpClient.newHttpClient().send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + httpPort + "/topics")).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(topics.statusCode()).isEqualTo(200);
        assertThat(topics.body()).startsWith("[");
    }

    @Test
    void badConfigurationShouldExitWithUsageError() throws Exception
    {
        // Given
        final Path config = Files.createTempFile("bad", ".yaml");
        Files.writeString(config, "upstream:\n  bootstrapServers: [b:9092]\nnetwork:\n  ioThreds: 2\n");
        final Path output = Files.createTempFile("kafka-proxy-bad", ".log");

        // When
        final Process process = launch(output, "run", "--config", config.toString());

        // Then
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(Files.readString(output)).contains(config + ":4: network.ioThreds: unknown key");
    }

    @Test
    void aListenerThatCannotBindShouldSayWhichAndWhereOnOneLineAndExitOne() throws Exception
    {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            // Given: another process holds the port; a small pool, from flags alone
            final Path output = Files.createTempFile("kafka-proxy-bind", ".log");

            // When
            final Process process = launch(output, "run", "--bootstrap", "127.0.0.1:1", "--listen", "127.0.0.1:" + taken.getLocalPort(),
                "--admin-listen", "127.0.0.1:0", "--pool-size", "64MiB", "--max-request-size", "16MiB", "--max-response-size", "16MiB");

            // Then
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isEqualTo(1);
            final String printed = Files.readString(output);
            assertThat(printed.lines().filter(line -> line.contains("ERROR"))).singleElement().asString()
                .contains("bootstrap listener").contains("127.0.0.1:" + taken.getLocalPort());
            assertThat(printed).as("no stack trace").doesNotContain("\tat ").doesNotContain("Exception");
        }
    }

    /**
     * A proxy process started from a configuration file.
     *
     * @param process          the process.
     * @param output           its stdout and stderr.
     * @param config           its configuration file.
     * @param bootstrapServers where clients connect.
     */
    private record ConfiguredProxy(Process process, Path output, Path config, String bootstrapServers)
    {
    }

    private ConfiguredProxy launchWithConfigFile(final InJvmKafka kafka, final String name) throws IOException
    {
        final int port = freePort();
        final Path config = writeConfig(kafka, port);
        final Path output = Files.createTempFile("kafka-proxy-" + name, ".log");
        final Process process = launch(output, "run", "--config", config.toString());
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(output).contains("bootstrap listener bound"));
        return new ConfiguredProxy(process, output, config, "127.0.0.1:" + port);
    }

    private static Path writeConfig(final InJvmKafka kafka, final int port) throws IOException
    {
        final Path config = Files.createTempFile("kafka-proxy", ".yaml");
        return Files.writeString(config, String.join("\n",
            "listener:",
            "  bindAddress: 127.0.0.1:" + port,
            "  advertisedHost: 127.0.0.1",
            "  nodePorts: {first: 0, count: 1}",
            "upstream:",
            "  bootstrapServers: [" + kafka.bootstrapServers() + "]",
            "network:",
            "  ioThreads: 1",
            "  maxRequestSizeBytes: 16MiB",
            "  maxResponseSizeBytes: 16MiB",
            "memory:",
            "  poolSizeBytes: 64MiB",
            "admin:",
            "  bindAddress: 127.0.0.1:0",
            "shutdown:",
            "  drainTimeout: 20s",
            ""));
    }

    private static void signal(final Process process, final String signal) throws Exception
    {
        final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    private Process launch(final Path output, final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(DISTRIBUTION.resolve("bin").resolve("kafka-proxy").toString());
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("KAFKA_PROXY_HEAP_OPTS", "-Xmx512m");
        final Process process = builder.start();
        processes.add(process);
        return process;
    }

    private static void assertProducesAndConsumes(final String bootstrapServers) throws Exception
    {
        final String topic = "through-the-distribution-" + System.nanoTime();
        ClientWorkloads.createTopic(bootstrapServers, topic, 1);
        ClientWorkloads.sendAll(ClientWorkloads.stringProducerConfig(bootstrapServers), List.of(new ProducerRecord<>(topic, "hello")));
        assertThat(ClientWorkloads.consume(topic, ClientWorkloads.stringConsumerConfig(bootstrapServers), 1))
            .extracting(ConsumerRecord::value).containsExactly("hello");
    }

    private static List<String> jarNames(final Path directory) throws IOException
    {
        try (Stream<Path> files = Files.list(directory))
        {
            return files.map(path -> path.getFileName().toString()).filter(name -> name.endsWith(".jar")).toList();
        }
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            return socket.getLocalPort();
        }
    }
}

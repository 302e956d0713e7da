package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.testing.ClientWorkloads;
import io.kafkaproxy.proxy.testing.InJvmKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
        try (InJvmKafka kafka = InJvmKafka.start(List.of(1), Map.of()))
        {
            final int port = freePort();
            final Path output = Files.createTempFile("kafka-proxy-run", ".log");

            // When
            final Process proxy = launch(output, "--bootstrap", kafka.bootstrapServers(), "--listen", "127.0.0.1:" + port,
                "--io-threads", "1");
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(output).contains("bootstrap listener bound"));

            // Then
            assertProducesAndConsumes("127.0.0.1:" + port);
            assertThat(Files.readString(output)).doesNotContain("ERROR").doesNotContain("Exception");
            proxy.destroy();
            assertThat(proxy.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.readString(output)).contains("stopped");
        }
    }

    @Test
    void demoShouldStartABrokerAndTheProxyInFrontOfIt() throws Exception
    {
        // Given
        final int port = freePort();
        final Path output = Files.createTempFile("kafka-proxy-demo", ".log");

        // When
        launch(output, "demo", "--listen", "localhost:" + port);
        await().atMost(Duration.ofSeconds(120)).until(() -> Files.readString(output).contains("bootstrap.servers=localhost:" + port));

        // Then
        assertProducesAndConsumes("localhost:" + port);
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
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers)))
        {
            admin.createTopics(List.of(new NewTopic("through-the-distribution", 1, (short)1))).all().get();
        }
        final Map<String, Object> producerConfig = new HashMap<>();
        producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        producerConfig.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        producerConfig.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        ClientWorkloads.sendAll(producerConfig, List.of(new ProducerRecord<>("through-the-distribution", "hello")));
        final Map<String, Object> consumerConfig = new HashMap<>();
        consumerConfig.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        consumerConfig.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        consumerConfig.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        assertThat(ClientWorkloads.consume("through-the-distribution", consumerConfig, 1))
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

package io.kafkaproxy.proxy.testing;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A single-node KRaft broker of another Kafka line (3.9) in a child JVM, from the classpath the
 * {@code testing/kafka-3.9-broker} module resolves: its classes clash with the Kafka 4 classes of this JVM.
 *
 * <p>Formats its storage with Kafka's own StorageTool, runs {@code kafka.Kafka}, logs to a file in its
 * directory, and is stopped with SIGTERM (a clean broker shutdown).
 */
public final class ChildProcessKafkaBroker implements BrokerCluster
{
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final String version;
    private final Path directory;
    private final int brokerPort;
    private final int controllerPort;
    private final Process process;

    private ChildProcessKafkaBroker(final String version, final Path directory, final int brokerPort,
        final int controllerPort, final Process process)
    {
        this.version = version;
        this.directory = directory;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        this.process = process;
    }

    /**
     * Starts the Kafka 3.9 broker and waits until it answers.
     *
     * @param brokerOverrides broker settings over the defaults here.
     * @return the running broker.
     */
    public static ChildProcessKafkaBroker startKafka39(final Map<String, String> brokerOverrides)
    {
        final String classpathFile = System.getProperty("kafka39.broker.classpath.file",
            "../testing/kafka-3.9-broker/target/broker-classpath.txt");
        try
        {
            final String classpath = Files.readString(Path.of(classpathFile)).trim();
            return start("3.9", classpath, brokerOverrides);
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("no Kafka 3.9 classpath at " + classpathFile +
                "; build the testing/kafka-3.9-broker module first (the reactor build does)", e);
        }
    }

    private static ChildProcessKafkaBroker start(final String version, final String classpath,
        final Map<String, String> brokerOverrides) throws IOException
    {
        final Path directory = Files.createTempDirectory("kafka-proxy-kafka-" + version);
        final int brokerPort = freePort();
        final int controllerPort = freePort();
        final Properties config = SingleNodeBrokerProperties.of(directory, brokerPort, controllerPort);
        config.putAll(brokerOverrides);
        final Path configFile = directory.resolve("server.properties");
        try (Writer writer = Files.newBufferedWriter(configFile))
        {
            config.store(writer, "Kafka " + version + " broker for kafka-proxy tests");
        }
        final Path log4j = directory.resolve("log4j.properties");
        Files.writeString(log4j, String.join("\n",
            "log4j.rootLogger=INFO, file",
            "log4j.appender.file=org.apache.log4j.FileAppender",
            "log4j.appender.file.File=" + directory.resolve("server.log"),
            "log4j.appender.file.layout=org.apache.log4j.PatternLayout",
            "log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n", ""), StandardCharsets.UTF_8);

        final int formatted = java(classpath, log4j, directory.resolve("format.log"),
            "kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(), "-c", configFile.toString())
            .awaitExit();
        if (formatted != 0)
        {
            throw new IllegalStateException("Kafka " + version + " storage format failed, see " + directory.resolve("format.log"));
        }
        final Process broker = java(classpath, log4j, directory.resolve("stdout.log"), "kafka.Kafka", configFile.toString()).process;
        final ChildProcessKafkaBroker running = new ChildProcessKafkaBroker(version, directory, brokerPort, controllerPort, broker);
        try
        {
            running.awaitReady();
        }
        catch (final RuntimeException e)
        {
            // Its directory stays, with the broker's log, for whoever reads the failure.
            running.stopProcess();
            throw new IllegalStateException("Kafka " + version + " broker did not start, see " + directory, e);
        }
        return running;
    }

    private void awaitReady()
    {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000)))
        {
            await().atMost(START_TIMEOUT).ignoreExceptions().until(() ->
            {
                if (!process.isAlive())
                {
                    throw new IllegalStateException("broker process exited: " + process.exitValue());
                }
                return admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() == 1;
            });
        }
    }

    private record ChildJvm(Process process)
    {
        int awaitExit()
        {
            try
            {
                if (!process.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                {
                    process.destroyForcibly();
                    return -1;
                }
                return process.exitValue();
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
                return -1;
            }
        }
    }

    private static ChildJvm java(final String classpath, final Path log4j, final Path output, final String mainClass,
        final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xmx512m");
        command.add("-Xss1m");
        command.add("-Dlog4j.configuration=file:" + log4j);
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.addAll(List.of(args));
        return new ChildJvm(new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start());
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            return socket.getLocalPort();
        }
    }

    @Override
    public String bootstrapServers()
    {
        return "localhost:" + brokerPort;
    }

    @Override
    public List<Integer> allPorts()
    {
        return List.of(brokerPort, controllerPort);
    }

    @Override
    public String description()
    {
        return "Kafka " + version + " child JVM";
    }

    @Override
    public void close()
    {
        stopProcess();
        try (var paths = Files.walk(directory))
        {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        catch (final IOException e)
        {
            // A temporary directory; the OS reclaims it.
        }
    }

    private void stopProcess()
    {
        process.destroy();
        try
        {
            if (!process.waitFor(60, TimeUnit.SECONDS))
            {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}

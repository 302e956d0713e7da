package io.kafkaproxy.proxy.testing;

import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A single-node KRaft broker of this build's Kafka line in a child JVM, so that a test can kill it with SIGKILL (no
 * shutdown hook, no flush, no controlled shutdown: what {@code kill -9} does) and start it again on the same ports and
 * storage.
 *
 * <p>The child runs {@code kafka.Kafka} from this JVM's own classpath; storage is formatted once, here, with Kafka's
 * StorageTool. Its output goes to a file in its directory, which stays after a failed start for whoever reads it.
 */
public final class KillableKafkaBroker implements BrokerCluster
{
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final Path directory;
    private final Path configFile;
    private final int brokerPort;
    private final int controllerPort;
    private Process process;
    private int starts;

    private KillableKafkaBroker(final Path directory, final Path configFile, final int brokerPort, final int controllerPort)
    {
        this.directory = directory;
        this.configFile = configFile;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
    }

    /**
     * Formats storage, starts the broker and waits until it answers.
     *
     * @param brokerOverrides broker settings over the defaults here.
     * @return the running broker.
     */
    public static KillableKafkaBroker start(final Map<String, String> brokerOverrides)
    {
        try
        {
            final Path directory = Files.createTempDirectory("kafka-proxy-killable-kafka");
            final int brokerPort = freePort();
            final int controllerPort = freePort();
            final Properties config = SingleNodeBrokerProperties.of(directory, brokerPort, controllerPort);
            config.put("share.coordinator.state.topic.replication.factor", "1");
            config.put("share.coordinator.state.topic.min.isr", "1");
            config.putAll(brokerOverrides);
            final Path configFile = directory.resolve("server.properties");
            try (Writer writer = Files.newBufferedWriter(configFile))
            {
                config.store(writer, "killable Kafka broker for kafka-proxy tests");
            }
            final ByteArrayOutputStream output = new ByteArrayOutputStream();
            final int formatted = StorageTool.execute(
                new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c", configFile.toString()},
                new PrintStream(output, true, StandardCharsets.UTF_8));
            if (formatted != 0)
            {
                throw new IllegalStateException("storage format failed: " + output.toString(StandardCharsets.UTF_8));
            }
            final KillableKafkaBroker broker = new KillableKafkaBroker(directory, configFile, brokerPort, controllerPort);
            broker.restart();
            return broker;
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Kills the broker with SIGKILL and waits until the process is gone.
     */
    public void kill()
    {
        if (process == null)
        {
            return;
        }
        process.destroyForcibly();
        try
        {
            process.waitFor(30, TimeUnit.SECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /**
     * Stops the broker with SIGSTOP: its sockets stay open and its kernel still accepts connections, but nothing is
     * answered, as with a broker stuck in a long GC pause or a saturated disk.
     */
    public void pause()
    {
        signal("STOP");
    }

    /**
     * Lets a paused broker run again with SIGCONT.
     */
    public void resume()
    {
        signal("CONT");
    }

    private void signal(final String name)
    {
        if (process == null)
        {
            return;
        }
        try
        {
            final Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0)
            {
                throw new IllegalStateException("kill -" + name + " failed: pid=" + process.pid());
            }
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Starts the broker again on the same ports and storage, and waits until it answers; a running broker is killed
     * first.
     */
    public void restart()
    {
        kill();
        starts++;
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xmx512m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("kafka.Kafka");
        command.add(configFile.toString());
        try
        {
            process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(directory.resolve("broker-" + starts + ".log").toFile())
                .start();
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
        awaitReady();
    }

    private void awaitReady()
    {
        final Process started = process;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000)))
        {
            await().atMost(START_TIMEOUT).ignoreExceptions().until(() ->
            {
                if (!started.isAlive())
                {
                    throw new IllegalStateException("broker process exited: " + started.exitValue() + ", see " + directory);
                }
                return admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() == 1;
            });
        }
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
        return "Kafka child JVM (killable)";
    }

    @Override
    public void close()
    {
        if (process != null)
        {
            // A clean stop at the end of the test: SIGTERM, then SIGKILL if it hangs.
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
            process = null;
        }
        try (var paths = Files.walk(directory))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        catch (final IOException e)
        {
            // A temporary directory; the OS reclaims it.
        }
    }
}

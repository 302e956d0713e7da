package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.DomainDatagramSocketAddress;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.Socket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
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
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Signals sent while the distribution's {@code bin/kafka-proxy} starts (issue 11): a SIGHUP at any moment of
 * start-up never stops the process and is applied, once, when the proxy serves; a SIGTERM during start-up stops it
 * with exit code 0; a SIGHUP the parent left ignored ({@code nohup}) is reported, and SIGUSR1 still reloads; under
 * systemd's {@code Type=notify} the proxy sends {@code READY=1} once it serves and {@code STOPPING=1} when it stops.
 *
 * <p>The launcher execs {@code java}, so the child's pid is the JVM's: the signals reach the JVM, not a shell.
 */
class StartUpSignalsIT
{
    private static final Path DISTRIBUTION = Path.of("target", "kafka-proxy");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration START_UP = Duration.ofSeconds(60);
    /** SIGHUP is signal 1: bit 0 of the masks in /proc/PID/status. */
    private static final long SIGHUP_BIT = 1L;
    /** SIGUSR1 is signal 10: bit 9. The JVM never catches it itself, and the proxy installs it last. */
    private static final long SIGUSR1_BIT = 1L << 9;

    private static InJvmKafka kafka;

    private final List<Process> processes = new ArrayList<>();

    /**
     * A proxy process being started.
     *
     * @param process   the process (the JVM).
     * @param output    its stdout and stderr.
     * @param adminPort its admin listener's port.
     */
    private record StartingProxy(Process process, Path output, int adminPort)
    {
    }

    @BeforeAll
    static void startKafka()
    {
        kafka = InJvmKafka.start(List.of(1), Map.of());
    }

    @AfterAll
    static void stopKafka()
    {
        kafka.close();
    }

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
    void sighupAsSoonAsTheHandlersAreInstalledShouldBeAppliedOnceTheProxyServes() throws Exception
    {
        // Given
        final StartingProxy proxy = launch("handlers-installed", List.of(), Map.of());
        awaitSignalHandlersInstalled(proxy.process());

        // When
        signal(proxy.process(), "HUP");

        // Then
        assertReloadedOnceAndRunning(proxy);
    }

    @Test
    void sighupWhenTheBootstrapListenerIsBoundShouldBeAppliedOnceTheProxyServes() throws Exception
    {
        // Given
        final StartingProxy proxy = launch("listener-bound", List.of(), Map.of());
        await().atMost(START_UP).until(() -> Files.readString(proxy.output()).contains("bootstrap listener bound"));

        // When
        signal(proxy.process(), "HUP");

        // Then
        assertReloadedOnceAndRunning(proxy);
    }

    @Test
    void sighupOnceReadyShouldBeApplied() throws Exception
    {
        // Given
        final StartingProxy proxy = launch("ready", List.of(), Map.of());
        await().atMost(START_UP).ignoreExceptions().until(() -> get(proxy.adminPort(), "/readyz").statusCode() == 200);

        // When
        signal(proxy.process(), "HUP");

        // Then
        assertReloadedOnceAndRunning(proxy);
    }

    @Test
    void sigtermDuringStartUpShouldStopAndExitZero() throws Exception
    {
        // Given
        final StartingProxy proxy = launch("sigterm", List.of(), Map.of());
        awaitSignalHandlersInstalled(proxy.process());

        // When
        signal(proxy.process(), "TERM");

        // Then
        assertThat(proxy.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(proxy.process().exitValue()).isZero();
        assertThat(Files.readString(proxy.output())).contains("signal received signal=\"SIGTERM\"");
    }

    @Test
    void sigtermWhileTheProxyStartsShouldLetItFinishThenDrainAndExitZero() throws Exception
    {
        // Given
        final StartingProxy proxy = launch("sigterm-listener-bound", List.of(), Map.of());
        await().atMost(START_UP).until(() -> Files.readString(proxy.output()).contains("bootstrap listener bound"));

        // When
        signal(proxy.process(), "TERM");

        // Then
        assertThat(proxy.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(proxy.process().exitValue()).isZero();
        assertThat(Files.readString(proxy.output())).contains("signal received signal=\"SIGTERM\"").contains("stopped");
    }

    @Test
    void sighupIgnoredByTheParentShouldBeReportedAndSigusr1ShouldStillReload() throws Exception
    {
        // Given: started as nohup starts it, with SIGHUP ignored, which the JVM then leaves ignored
        final StartingProxy proxy = launch("nohup", List.of("sh", "-c", "trap '' HUP; exec \"$0\" \"$@\""), Map.of());
        awaitSignalHandlersInstalled(proxy.process());
        await().atMost(START_UP).until(() -> Files.readString(proxy.output()).contains("bootstrap listener bound"));
        assertThat(statusMask(proxy.process(), "SigIgn") & SIGHUP_BIT).as("SIGHUP ignored").isNotZero();
        assertThat(Files.readString(proxy.output()))
            .contains("SIGHUP is ignored by the parent process (nohup?): reload with SIGUSR1 (kill -USR1)");

        // When
        signal(proxy.process(), "HUP");
        signal(proxy.process(), "USR1");

        // Then
        assertReloadedOnceAndRunning(proxy);
    }

    @Test
    void underSystemdTheProxyShouldNotifyReadyOnceItServesAndStoppingWhenItStops() throws Exception
    {
        // Given: systemd's side of Type=notify, a unix datagram socket named by NOTIFY_SOCKET
        Epoll.ensureAvailability();
        final Path socketPath = Files.createTempDirectory("notify").resolve("notify.sock");
        final Socket notifySocket = Socket.newSocketDomainDgram();
        try
        {
            notifySocket.bind(new DomainSocketAddress(socketPath.toString()));

            // When
            final StartingProxy proxy = launch("notify", List.of(), Map.of("NOTIFY_SOCKET", socketPath.toString()));

            // Then: READY=1 once the proxy serves, nothing before it
            final String ready = await().atMost(START_UP).until(() -> receive(notifySocket), Objects::nonNull);
            assertThat(ready).isEqualTo("READY=1");
            assertThat(Files.readString(proxy.output())).contains("bootstrap listener bound");

            // When
            proxy.process().destroy();

            // Then
            final String stopping = await().atMost(Duration.ofSeconds(30)).until(() -> receive(notifySocket), Objects::nonNull);
            assertThat(stopping).isEqualTo("STOPPING=1");
            assertThat(proxy.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(proxy.process().exitValue()).isZero();
        }
        finally
        {
            notifySocket.close();
        }
    }

    private static void assertReloadedOnceAndRunning(final StartingProxy proxy)
    {
        await().atMost(START_UP).ignoreExceptions()
            .untilAsserted(() -> assertThat(successfulReloads(proxy.adminPort())).isEqualTo(1.0));
        assertThat(proxy.process().isAlive()).isTrue();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
            assertThat(occurrences(Files.readString(proxy.output()), "configuration reloaded")).isEqualTo(1));
        assertThat(proxy.process().isAlive()).isTrue();
    }

    private static void awaitSignalHandlersInstalled(final Process process)
    {
        // Until the launcher has exec'd java, the pid is a shell's, which never catches SIGUSR1 either.
        await().atMost(START_UP).pollInterval(Duration.ofMillis(1)).ignoreExceptions().until(() ->
            process.info().command().orElse("").endsWith("/java") && (statusMask(process, "SigCgt") & SIGUSR1_BIT) != 0);
    }

    private static long statusMask(final Process process, final String field) throws IOException
    {
        final String line = Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status")).stream()
            .filter(candidate -> candidate.startsWith(field + ":")).findFirst().orElseThrow();
        return Long.parseUnsignedLong(line.substring(field.length() + 1).trim(), 16);
    }

    private static double successfulReloads(final int adminPort) throws Exception
    {
        final HttpResponse<String> metrics = get(adminPort, "/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        final Matcher line = Pattern.compile("^kafka_proxy_config_reloads_total\\{result=\"success\"} (\\S+)$", Pattern.MULTILINE)
            .matcher(metrics.body());
        return line.find() ? Double.parseDouble(line.group(1)) : 0.0;
    }

    private static HttpResponse<String> get(final int adminPort, final String path) throws Exception
    {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String receive(final Socket socket) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(4096);
        final DomainDatagramSocketAddress sender = socket.recvFromDomainSocket(buffer, 0, buffer.capacity());
        if (sender == null)
        {
            return null;
        }
        final byte[] bytes = new byte[sender.receivedAmount()];
        buffer.get(0, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static int occurrences(final String text, final String part)
    {
        int count = 0;
        for (int index = text.indexOf(part); index >= 0; index = text.indexOf(part, index + part.length()))
        {
            count++;
        }
        return count;
    }

    private static void signal(final Process process, final String signal) throws Exception
    {
        final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    private StartingProxy launch(final String name, final List<String> wrapper, final Map<String, String> environment)
        throws IOException
    {
        final int adminPort = freePort();
        final Path config = Files.createTempFile("kafka-proxy-start-up-" + name, ".yaml");
        Files.writeString(config, String.join("\n",
            "listener:",
            "  bindAddress: 127.0.0.1:" + freePort(),
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
            "  bindAddress: 127.0.0.1:" + adminPort,
            "shutdown:",
            "  drainTimeout: 5s",
            ""));
        final Path output = Files.createTempFile("kafka-proxy-start-up-" + name, ".log");
        final List<String> command = new ArrayList<>(wrapper);
        command.addAll(List.of(DISTRIBUTION.resolve("bin").resolve("kafka-proxy").toString(), "run", "--config", config.toString()));
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("KAFKA_PROXY_HEAP_OPTS", "-Xmx512m");
        // Only the test that plays systemd's part gets a notification socket, whatever runs this build.
        builder.environment().remove("NOTIFY_SOCKET");
        builder.environment().putAll(environment);
        final Process process = builder.start();
        processes.add(process);
        return new StartingProxy(process, output, adminPort);
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            return socket.getLocalPort();
        }
    }
}

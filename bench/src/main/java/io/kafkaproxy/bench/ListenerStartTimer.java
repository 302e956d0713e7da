package io.kafkaproxy.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Launch to listening, measured from outside the proxy: the time from starting its launcher to the first TCP
 * connection its bootstrap port accepts, trying to connect every 5 ms. It counts everything an operator waits for
 * (the launcher script, the JVM, class loading, configuration, binding) and nothing the proxy reports about itself.
 * Used by {@link StartupBenchmark} ({@code bench/startup.sh}) and for the {@code start=} figure of
 * {@link EndToEndBenchmark}.
 */
final class ListenerStartTimer
{
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private ListenerStartTimer()
    {
    }

    /**
     * A proxy started and listening.
     *
     * @param process           the proxy's process.
     * @param launchToListening from starting the launcher to the first accepted connection.
     */
    record Started(Process process, Duration launchToListening)
    {
    }

    /**
     * Starts a process and waits for its port to accept a connection.
     *
     * @param builder the process to start, its output already redirected to {@code log}.
     * @param port    the loopback port it listens on once started.
     * @param log     its output, shown if it does not start.
     * @param timeout how long to wait.
     * @return the process and how long it took.
     * @throws Exception if it exits or does not listen in time.
     */
    static Started start(final ProcessBuilder builder, final int port, final Path log, final Duration timeout) throws Exception
    {
        final long launched = System.nanoTime();
        final Process process = builder.start();
        final long deadline = launched + timeout.toNanos();
        while (!accepts(port))
        {
            if (System.nanoTime() > deadline || !process.isAlive())
            {
                process.destroyForcibly();
                throw new IllegalStateException("the proxy did not listen on " + port + ":\n" +
                    (Files.exists(log) ? Files.readString(log) : ""));
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
        return new Started(process, Duration.ofNanos(System.nanoTime() - launched));
    }

    private static boolean accepts(final int port)
    {
        // On loopback a port nobody listens on refuses at once, so each attempt costs microseconds, not the timeout.
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            return true;
        }
        catch (final IOException e)
        {
            return false;
        }
    }
}

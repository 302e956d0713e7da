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
 * With it, the CPU time the process had used by then (user + system, from {@code /proc}): on a shared machine the
 * wall time swings with the neighbours' load, the work done to get there much less.
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
     * @param cpuToListening    CPU time (user + system) the process had used when its port first accepted.
     */
    record Started(Process process, Duration launchToListening, Duration cpuToListening)
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
        final Duration wall = Duration.ofNanos(System.nanoTime() - launched);
        return new Started(process, wall, cpuTime(process.pid()));
    }

    private static Duration cpuTime(final long pid) throws IOException
    {
        // /proc/PID/stat: utime and stime are fields 14 and 15, in clock ticks of 10 ms. The launcher execs the JVM, so
        // the pid is the JVM's.
        final String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Duration.ofMillis((Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10);
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

package io.kafkaproxy.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Memory per idle client connection: opens N client connections through the proxy (each gets its broker
 * connection, to an upstream that accepts and holds them) and reports the proxy process's resident memory, heap
 * and direct memory before and after, per connection, each after a full GC ({@code jcmd GC.run}).
 *
 * <p>Three processes, so that each stays under its open-file limit: this one (client sockets), the sink upstream
 * ({@code sink} mode, accepted sockets) and the proxy (two sockets per connection). Client sockets are spread over
 * the source addresses 127.0.0.2 and up, 5,000 each, so that no address runs out of ports.
 *
 * <p>Usage: {@code ConnectionScaleBenchmark LAUNCHER CONNECTIONS} (see {@code bench/connections.sh}), or
 * {@code ConnectionScaleBenchmark sink} for the upstream.
 */
public final class ConnectionScaleBenchmark
{
    private static final int CONNECTIONS_PER_SOURCE_ADDRESS = 5_000;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private ConnectionScaleBenchmark()
    {
    }

    /**
     * Runs the benchmark, or the sink.
     *
     * @param args {@code LAUNCHER CONNECTIONS} or {@code sink}.
     * @throws Exception if a step fails.
     */
    public static void main(final String[] args) throws Exception
    {
        if (args.length == 1 && "sink".equals(args[0]))
        {
            runSink();
            return;
        }
        final Path launcher = Path.of(args[0]);
        final int connections = Integer.parseInt(args[1]);
        final Path work = Files.createTempDirectory("kafka-proxy-connections");
        final List<Process> processes = new ArrayList<>();
        final List<SocketChannel> clients = new ArrayList<>(connections);
        try
        {
            final Path sinkLog = work.resolve("sink.log");
            final Process sink = new ProcessBuilder(javaExecutable(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                ConnectionScaleBenchmark.class.getName(), "sink").redirectErrorStream(true).redirectOutput(sinkLog.toFile()).start();
            processes.add(sink);
            final int sinkPort = Integer.parseInt(awaitLine(sinkLog, Pattern.compile("SINK READY (\\d+)")).group(1));

            final int proxyPort = freePort();
            final int adminPort = freePort();
            final Path proxyLog = work.resolve("proxy.log");
            final ProcessBuilder proxyBuilder = new ProcessBuilder(launcher.toString(),
                "--bootstrap", "127.0.0.1:" + sinkPort, "--listen", "127.0.0.1:" + proxyPort, "--advertised-host", "127.0.0.1",
                "--admin-listen", "127.0.0.1:" + adminPort, "--io-threads", "2", "--log-level", "WARN")
                .redirectErrorStream(true).redirectOutput(proxyLog.toFile());
            proxyBuilder.environment().put("JAVA_HOME", System.getProperty("java.home"));
            final Process proxy = proxyBuilder.start();
            processes.add(proxy);
            awaitMetric(adminPort, "kafka_proxy_connections_active{side=\"client\"}", 0);

            final Figures before = measure(proxy.pid(), adminPort);
            final long started = System.nanoTime();
            for (int i = 0; i < connections; i++)
            {
                final SocketChannel client = SocketChannel.open();
                client.bind(new InetSocketAddress("127.0.0." + (2 + i / CONNECTIONS_PER_SOURCE_ADDRESS), 0));
                client.connect(new InetSocketAddress("127.0.0.1", proxyPort));
                clients.add(client);
            }
            awaitMetric(adminPort, "kafka_proxy_connections_active{side=\"broker\"}", connections);
            final double openSeconds = (System.nanoTime() - started) / 1e9;
            final Figures after = measure(proxy.pid(), adminPort);

            System.out.printf(Locale.ROOT, "%d idle client connections through the proxy (each with its broker connection), " +
                "opened in %.1f s%n%n", connections, openSeconds);
            System.out.println("| Proxy process | Before | After | Per connection |");
            System.out.println("|---|---|---|---|");
            row("resident memory (VmRSS)", before.rssBytes(), after.rssBytes(), connections);
            row("heap used after full GC", before.heapBytes(), after.heapBytes(), connections);
            row("direct memory (NIO buffers)", before.directBytes(), after.directBytes(), connections);
            row("frame pool reserved", before.poolBytes(), after.poolBytes(), connections);
        }
        finally
        {
            for (final SocketChannel client : clients)
            {
                client.close();
            }
            for (final Process process : processes)
            {
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS))
                {
                    process.destroyForcibly();
                }
            }
        }
    }

    private record Figures(long rssBytes, long heapBytes, long directBytes, long poolBytes)
    {
    }

    private static Figures measure(final long pid, final int adminPort) throws Exception
    {
        final Process gc = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
            Long.toString(pid), "GC.run").redirectErrorStream(true).start();
        gc.getInputStream().readAllBytes();
        gc.waitFor(60, TimeUnit.SECONDS);
        Thread.sleep(500);
        final String metrics = scrape(adminPort);
        return new Figures(rssKib(pid) * 1024, (long)sum(metrics, "jvm_memory_used_bytes\\{area=\"heap\"[^}]*\\}"),
            (long)sum(metrics, "jvm_buffer_memory_used_bytes\\{id=\"direct\"\\}"), (long)sum(metrics, "kafka_proxy_memory_reserved_bytes"));
    }

    private static void row(final String what, final long before, final long after, final int connections)
    {
        System.out.printf(Locale.ROOT, "| %s | %.1f MiB | %.1f MiB | %.2f KiB |%n", what, before / 1048576.0, after / 1048576.0,
            (after - before) / 1024.0 / connections);
    }

    private static double sum(final String metrics, final String series)
    {
        final Matcher matcher = Pattern.compile("^" + series + " (\\S+)$", Pattern.MULTILINE).matcher(metrics);
        double total = 0;
        while (matcher.find())
        {
            total += Double.parseDouble(matcher.group(1));
        }
        return total;
    }

    private static void awaitMetric(final int adminPort, final String series, final double value) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        final Pattern line = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE);
        String last = "";
        while (System.nanoTime() < deadline)
        {
            try
            {
                final Matcher matcher = line.matcher(scrape(adminPort));
                if (matcher.find())
                {
                    last = matcher.group(1);
                    if (Double.parseDouble(last) == value)
                    {
                        return;
                    }
                }
            }
            catch (final IOException e)
            {
                last = e.toString();
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(series + " never reached " + value + "; last " + last);
    }

    private static String scrape(final int adminPort) throws IOException, InterruptedException
    {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
    }

    private static long rssKib(final long pid) throws IOException
    {
        for (final String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")))
        {
            if (line.startsWith("VmRSS:"))
            {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new IllegalStateException("no VmRSS for " + pid);
    }

    private static void runSink() throws IOException
    {
        // Accepts and holds: an upstream that costs the proxy a broker connection per client and nothing else.
        final List<SocketChannel> held = new ArrayList<>();
        try (Selector selector = Selector.open(); ServerSocketChannel server = ServerSocketChannel.open())
        {
            server.bind(new InetSocketAddress("127.0.0.1", 0), 4096).configureBlocking(false).register(selector, SelectionKey.OP_ACCEPT);
            System.out.println("SINK READY " + server.socket().getLocalPort());
            System.out.flush();
            while (true)
            {
                selector.select();
                selector.selectedKeys().clear();
                SocketChannel accepted;
                while ((accepted = server.accept()) != null)
                {
                    held.add(accepted);
                }
            }
        }
    }

    private static Matcher awaitLine(final Path log, final Pattern pattern) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline)
        {
            final Matcher matcher = pattern.matcher(Files.exists(log) ? Files.readString(log) : "");
            if (matcher.find())
            {
                return matcher;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("no line " + pattern + " in " + log);
    }

    private static int freePort() throws IOException
    {
        try (ServerSocketChannel socket = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0)))
        {
            return socket.socket().getLocalPort();
        }
    }

    private static String javaExecutable()
    {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}

package io.kafkaproxy.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
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
            final Process sink = new ProcessBuilder(ProxyProcess.javaExecutable(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                ConnectionScaleBenchmark.class.getName(), "sink").redirectErrorStream(true).redirectOutput(sinkLog.toFile()).start();
            processes.add(sink);
            final int sinkPort = Integer.parseInt(ProxyProcess.awaitLine(sinkLog, Pattern.compile("SINK READY (\\d+)")).group(1));

            final int proxyPort = ProxyProcess.freePort();
            final int adminPort = ProxyProcess.freePort();
            final Path proxyLog = work.resolve("proxy.log");
            final ProcessBuilder proxyBuilder = new ProcessBuilder(launcher.toString(),
                "--bootstrap", "127.0.0.1:" + sinkPort, "--listen", "127.0.0.1:" + proxyPort, "--advertised-host", "127.0.0.1",
                "--admin-listen", "127.0.0.1:" + adminPort, "--io-threads", "2", "--log-level", "WARN")
                .redirectErrorStream(true).redirectOutput(proxyLog.toFile());
            proxyBuilder.environment().put("JAVA_HOME", System.getProperty("java.home"));
            final Process proxy = proxyBuilder.start();
            processes.add(proxy);
            ProxyProcess.awaitMetric(adminPort, "kafka_proxy_connections_active{cluster=\"default\",side=\"client\"}", 0);

            final ProxyProcess.Figures before = ProxyProcess.measure(proxy.pid(), adminPort);
            final long started = System.nanoTime();
            for (int i = 0; i < connections; i++)
            {
                final SocketChannel client = SocketChannel.open();
                client.bind(new InetSocketAddress("127.0.0." + (2 + i / CONNECTIONS_PER_SOURCE_ADDRESS), 0));
                client.connect(new InetSocketAddress("127.0.0.1", proxyPort));
                clients.add(client);
            }
            ProxyProcess.awaitMetric(adminPort, "kafka_proxy_connections_active{cluster=\"default\",side=\"broker\"}", connections);
            final double openSeconds = (System.nanoTime() - started) / 1e9;
            final ProxyProcess.Figures after = ProxyProcess.measure(proxy.pid(), adminPort);

            System.out.printf(Locale.ROOT, "%d idle client connections through the proxy (each with its broker connection), " +
                "opened in %.1f s%n%n", connections, openSeconds);
            System.out.println("| Proxy process | Before | After | Per connection |");
            System.out.println("|---|---|---|---|");
            ProxyProcess.memoryRows(before, after, connections);
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
}

package io.kafkaproxy.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the benchmarks that run the proxy as a process of its own read off it: its meters (scraped from the admin
 * listener), its resident memory, its heap and direct memory after a full GC, and lines in the logs of the processes
 * they start.
 */
final class ProxyProcess
{
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private ProxyProcess()
    {
    }

    /**
     * The proxy's memory at one moment, after a full GC.
     *
     * @param rssBytes    resident memory.
     * @param heapBytes   heap in use.
     * @param directBytes direct (NIO) buffers.
     * @param poolBytes   the frame pool's reserved bytes.
     */
    record Figures(long rssBytes, long heapBytes, long directBytes, long poolBytes)
    {
    }

    static Figures measure(final long pid, final int adminPort) throws Exception
    {
        final Process gc = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
            Long.toString(pid), "GC.run").redirectErrorStream(true).start();
        gc.getInputStream().readAllBytes();
        gc.waitFor(60, TimeUnit.SECONDS);
        // Let the collector's concurrent phases and the meters settle before reading them.
        Thread.sleep(500);
        final String metrics = scrape(adminPort);
        return new Figures(rssKib(pid) * 1024, (long)sum(metrics, "jvm_memory_used_bytes\\{area=\"heap\"[^}]*\\}"),
            (long)sum(metrics, "jvm_buffer_memory_used_bytes\\{id=\"direct\"\\}"), (long)sum(metrics, "kafka_proxy_memory_reserved_bytes"));
    }

    static void memoryRow(final String what, final long before, final long after, final int count)
    {
        System.out.printf(Locale.ROOT, "| %s | %.1f MiB | %.1f MiB | %.2f KiB |%n", what, before / 1048576.0, after / 1048576.0,
            (after - before) / 1024.0 / count);
    }

    static void memoryRows(final Figures before, final Figures after, final int count)
    {
        memoryRow("resident memory (VmRSS)", before.rssBytes(), after.rssBytes(), count);
        memoryRow("heap used after full GC", before.heapBytes(), after.heapBytes(), count);
        memoryRow("direct memory (NIO buffers)", before.directBytes(), after.directBytes(), count);
        memoryRow("frame pool reserved", before.poolBytes(), after.poolBytes(), count);
    }

    static double sum(final String metrics, final String series)
    {
        final Matcher matcher = Pattern.compile("^" + series + " (\\S+)$", Pattern.MULTILINE).matcher(metrics);
        double total = 0;
        while (matcher.find())
        {
            total += Double.parseDouble(matcher.group(1));
        }
        return total;
    }

    static void awaitMetric(final int adminPort, final String series, final double value) throws Exception
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

    static String scrape(final int adminPort) throws IOException, InterruptedException
    {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
    }

    static long rssKib(final long pid) throws IOException
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

    static Matcher awaitLine(final Path log, final Pattern pattern) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
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

    static int freePort() throws IOException
    {
        try (ServerSocketChannel socket = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0)))
        {
            return socket.socket().getLocalPort();
        }
    }

    static String javaExecutable()
    {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}

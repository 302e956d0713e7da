package io.kafkaproxy.bench;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTTP and MQTT gateway measured from outside, with standard load generators against the proxy's distribution in
 * front of a broker in its own JVM ({@link BenchBroker}):
 * <ol>
 *   <li>HTTP publish (REST Proxy v2 JSON), one record per request and batched, at full speed ({@code wrk}, HTTP/1.1
 *       keep-alive; {@code h2load}, h2c) and at a fixed rate with its p99 ({@code hey -q});</li>
 *   <li>the broker connections the proxy holds while 1,000 HTTP clients publish at once (target: one per broker);</li>
 *   <li>MQTT QoS 1 messages per second ({@code mosquitto_pub -l}, several publishers);</li>
 *   <li>memory per idle SSE, WebSocket and MQTT session (target ≤ 16 KiB), after full GCs;</li>
 *   <li>N SSE subscribers of one topic (default 5,000) fed from one fetch stream: deliveries per second and the
 *       fetch connections used.</li>
 * </ol>
 * Usage: {@code GatewayBenchmark LAUNCHER BROKER_CLASSPATH_FILE [SECONDS [IDLE_SESSIONS [SUBSCRIBERS]]]} (see
 * {@code bench/gateway.sh}). Figures go to standard output as Markdown.
 */
public final class GatewayBenchmark
{
    private static final String JSON_V2 = "application/vnd.kafka.json.v2+json";
    private static final Pattern EVENT = Pattern.compile("event: record");

    private final Path work;
    private final int seconds;
    private String brokerAddress;
    private int httpPort;
    private int mqttPort;
    private int adminPort;
    private Process proxy;

    private GatewayBenchmark(final Path work, final int seconds)
    {
        this.work = work;
        this.seconds = seconds;
    }

    /**
     * Runs the benchmark.
     *
     * @param args {@code LAUNCHER BROKER_CLASSPATH_FILE [SECONDS [IDLE_SESSIONS [SUBSCRIBERS]]]}.
     * @throws Exception if a step fails.
     */
    public static void main(final String[] args) throws Exception
    {
        final Path launcher = Path.of(args[0]);
        final String brokerClasspath = Files.readString(Path.of(args[1])).strip();
        final int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        final int idleSessions = args.length > 3 ? Integer.parseInt(args[3]) : 1000;
        final int subscribers = args.length > 4 ? Integer.parseInt(args[4]) : 5000;
        final GatewayBenchmark benchmark = new GatewayBenchmark(Files.createTempDirectory("kafka-proxy-gateway-bench"), seconds);
        final List<Process> processes = new ArrayList<>();
        try
        {
            processes.add(benchmark.startBroker(brokerClasspath));
            benchmark.createTopics();
            processes.add(benchmark.startProxy(launcher));
            benchmark.httpPublish();
            benchmark.brokerConnectionsUnderLoad(1000);
            benchmark.mqttPublish(4, 25_000);
            benchmark.idleSessionMemory(idleSessions);
            benchmark.fanOut(subscribers, 200);
        }
        finally
        {
            for (int i = processes.size() - 1; i >= 0; i--)
            {
                final Process process = processes.get(i);
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS))
                {
                    process.destroyForcibly();
                }
            }
        }
    }

    private Process startBroker(final String classpath) throws Exception
    {
        final Path log = work.resolve("broker.log");
        final Process broker = new ProcessBuilder(ProxyProcess.javaExecutable(), "-Xmx1g", "-cp", classpath, BenchBroker.class.getName())
            .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        brokerAddress = ProxyProcess.awaitLine(log, Pattern.compile("BROKER READY (\\S+)")).group(1);
        return broker;
    }

    private void createTopics() throws Exception
    {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", brokerAddress)))
        {
            admin.createTopics(List.of(new NewTopic("bench-http", 3, (short)1), new NewTopic("bench.mqtt", 3, (short)1),
                new NewTopic("bench-fanout", 1, (short)1), new NewTopic("bench-idle", 1, (short)1))).all().get(60, TimeUnit.SECONDS);
        }
    }

    private Process startProxy(final Path launcher) throws Exception
    {
        httpPort = ProxyProcess.freePort();
        mqttPort = ProxyProcess.freePort();
        adminPort = ProxyProcess.freePort();
        final ProcessBuilder builder = new ProcessBuilder(launcher.toString(), "--bootstrap", brokerAddress,
            "--listen", "127.0.0.1:" + ProxyProcess.freePort(), "--advertised-host", "127.0.0.1",
            "--http-listen", "127.0.0.1:" + httpPort, "--mqtt-listen", "127.0.0.1:" + mqttPort,
            "--admin-listen", "127.0.0.1:" + adminPort, "--io-threads", "2", "--log-level", "WARN")
            .redirectErrorStream(true).redirectOutput(work.resolve("proxy.log").toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        proxy = builder.start();
        ProxyProcess.awaitMetric(adminPort, "kafka_proxy_connections_active{cluster=\"default\",side=\"client\"}", 0);
        return proxy;
    }

    private void httpPublish() throws Exception
    {
        final String url = "http://127.0.0.1:" + httpPort + "/topics/bench-http";
        System.out.println("## HTTP publish (REST Proxy v2, " + JSON_V2 + ", 1 KiB values)\n");
        System.out.println("| load | records per request | requests/s | records/s | p50 | p99 | non-2xx |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (final int batch : new int[]{1, 10})
        {
            final Path body = writeBody(batch);
            final Path script = work.resolve("post-" + batch + ".lua");
            Files.writeString(script, "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"" + JSON_V2 + "\"\n" +
                "local f = io.open(\"" + body + "\", \"rb\")\nwrk.body = f:read(\"*all\")\nf:close()\n");
            final String wrk = run(List.of("wrk", "-t2", "-c64", "-d" + seconds + "s", "--latency", "-s", script.toString(), url));
            final double rps = number(wrk, "Requests/sec:\\s+(\\S+)");
            System.out.printf(Locale.ROOT, "| wrk, HTTP/1.1, 64 connections | %d | %.0f | %.0f | %s | %s | %s |%n", batch, rps, rps * batch,
                text(wrk, "\\s50%\\s+(\\S+)"), text(wrk, "\\s99%\\s+(\\S+)"), textOr(wrk, "Non-2xx or 3xx responses: (\\d+)", "0"));
            final String h2 = run(List.of("h2load", "-D", Integer.toString(seconds), "-c", "16", "-m", "8", "-d", body.toString(),
                "-H", "content-type: " + JSON_V2, url));
            final double h2rps = number(h2, "finished in [^,]+, (\\S+) req/s");
            System.out.printf(Locale.ROOT, "| h2load, h2c, 16 connections × 8 streams | %d | %.0f | %.0f | %s | — | %s |%n", batch, h2rps,
                h2rps * batch, text(h2, "time for request:\\s+\\S+\\s+\\S+\\s+(\\S+)") + " mean", h2NotOk(h2));
            final int rate = 1000;
            final String hey = run(List.of("hey", "-z", seconds + "s", "-c", "20", "-q", Integer.toString(rate / 20), "-m", "POST",
                "-T", JSON_V2, "-D", body.toString(), url));
            System.out.printf(Locale.ROOT, "| hey, fixed %d requests/s, 20 connections | %d | %.0f | %.0f | %s | %s | %s |%n", rate, batch,
                number(hey, "Requests/sec:\\s+(\\S+)"), number(hey, "Requests/sec:\\s+(\\S+)") * batch,
                seconds(hey, "50%% in (\\S+) secs"), seconds(hey, "99%% in (\\S+) secs"), non2xx(hey));
        }
        System.out.println();
    }

    private void brokerConnectionsUnderLoad(final int clients) throws Exception
    {
        final Path body = writeBody(1);
        final int brokerPort = Integer.parseInt(brokerAddress.substring(brokerAddress.lastIndexOf(':') + 1));
        final Process hey = new ProcessBuilder("hey", "-z", "15s", "-c", Integer.toString(clients), "-m", "POST", "-T", JSON_V2,
            "-D", body.toString(), "http://127.0.0.1:" + httpPort + "/topics/bench-http")
            .redirectErrorStream(true).redirectOutput(work.resolve("hey-" + clients + ".txt").toFile()).start();
        int most = 0;
        int httpMost = 0;
        int producerMost = 0;
        int adminMost = 0;
        while (hey.isAlive())
        {
            most = Math.max(most, connectionsTo(brokerPort));
            final String metrics = ProxyProcess.scrape(adminPort);
            httpMost = Math.max(httpMost, (int)ProxyProcess.sum(metrics, "kafka_proxy_gateway_sessions\\{protocol=\"http\"\\}"));
            producerMost = Math.max(producerMost,
                (int)ProxyProcess.sum(metrics, "kafka_proxy_gateway_upstream_connections\\{client=\"producer\"\\}"));
            adminMost = Math.max(adminMost, (int)ProxyProcess.sum(metrics, "kafka_proxy_gateway_upstream_connections\\{client=\"admin\"\\}"));
            Thread.sleep(500);
        }
        final String result = Files.readString(work.resolve("hey-" + clients + ".txt"));
        System.out.println("## Broker connections for " + clients + " concurrent HTTP clients\n");
        System.out.printf(Locale.ROOT, "%d HTTP connections open at most; the proxy held at most **%d** TCP connections to the one " +
            "broker (ss): the producer's %d and the topic catalog's admin client's %d (Kafka's connection-count: a client's " +
            "bootstrap connection stays until it idles out); %.0f requests/s, p99 %s, non-2xx %s.%n%n", httpMost, most, producerMost,
            adminMost, number(result, "Requests/sec:\\s+(\\S+)"), seconds(result, "99%% in (\\S+) secs"), non2xx(result));
    }

    private void mqttPublish(final int publishers, final int messagesEach) throws Exception
    {
        final Path lines = work.resolve("mqtt-lines.txt");
        final StringBuilder text = new StringBuilder(messagesEach * 120);
        final String payload = "x".repeat(100);
        for (int i = 0; i < messagesEach; i++)
        {
            text.append(i).append(' ').append(payload).append('\n');
        }
        Files.writeString(lines, text);
        final long started = System.nanoTime();
        final List<Process> running = new ArrayList<>();
        for (int p = 0; p < publishers; p++)
        {
            running.add(new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p", Integer.toString(mqttPort), "-V", "mqttv311",
                "-q", "1", "-i", "bench-publisher-" + p, "-t", "bench/mqtt", "-l")
                .redirectInput(lines.toFile()).redirectErrorStream(true).redirectOutput(work.resolve("mqtt-" + p + ".txt").toFile()).start());
        }
        int failed = 0;
        for (final Process process : running)
        {
            process.waitFor(10, TimeUnit.MINUTES);
            failed += process.exitValue() == 0 ? 0 : 1;
        }
        final double elapsed = (System.nanoTime() - started) / 1e9;
        System.out.println("## MQTT QoS 1 publish\n");
        System.out.printf(Locale.ROOT, "%d mosquitto_pub publishers (MQTT 3.1.1, QoS 1, 100-byte payloads, each PUBACK after Kafka " +
            "acknowledged), %d messages each: **%.0f messages/s** (%.1f s; %d publishers failed).%n%n",
            publishers, messagesEach, publishers * (double)messagesEach / elapsed, elapsed, failed);
    }

    private void idleSessionMemory(final int sessions) throws Exception
    {
        System.out.println("## Memory per idle session (" + sessions + " of each kind, after full GCs)\n");
        idle(sessions, "sse", i -> ("GET /v1/stream/bench-idle HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII), httpPort);
        idle(sessions, "websocket", i -> ("GET /v1/stream/bench-idle HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n" +
            "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " +
            Base64.getEncoder().encodeToString(("idle-session-" + (100_000 + i)).substring(0, 16).getBytes(StandardCharsets.US_ASCII)) +
            "\r\n\r\n").getBytes(StandardCharsets.US_ASCII), httpPort);
        idle(sessions, "mqtt", GatewayBenchmark::mqttConnect, mqttPort);
    }

    private void idle(final int sessions, final String protocol, final java.util.function.IntFunction<byte[]> opening, final int port)
        throws Exception
    {
        final ProxyProcess.Figures before = ProxyProcess.measure(proxy.pid(), adminPort);
        final List<SocketChannel> open = new ArrayList<>(sessions);
        try
        {
            for (int i = 0; i < sessions; i++)
            {
                final SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
                channel.write(ByteBuffer.wrap(opening.apply(i)));
                open.add(channel);
            }
            ProxyProcess.awaitMetric(adminPort, "kafka_proxy_gateway_sessions{protocol=\"" + protocol + "\"}", sessions);
            final ProxyProcess.Figures after = ProxyProcess.measure(proxy.pid(), adminPort);
            System.out.println("| " + protocol + " | Before | After | Per session |");
            System.out.println("|---|---|---|---|");
            ProxyProcess.memoryRows(before, after, sessions);
            System.out.println();
        }
        finally
        {
            for (final SocketChannel channel : open)
            {
                channel.close();
            }
        }
        ProxyProcess.awaitMetric(adminPort, "kafka_proxy_gateway_sessions{protocol=\"" + protocol + "\"}", 0);
    }

    private void fanOut(final int subscribers, final int records) throws Exception
    {
        final int brokerPort = Integer.parseInt(brokerAddress.substring(brokerAddress.lastIndexOf(':') + 1));
        final int connectionsBefore = connectionsTo(brokerPort);
        final byte[] request = ("GET /v1/stream/bench-fanout HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
        final List<SocketChannel> open = new ArrayList<>(subscribers);
        final int[] received = new int[subscribers];
        final byte[][] tails = new byte[subscribers][];
        try (Selector selector = Selector.open())
        {
            for (int i = 0; i < subscribers; i++)
            {
                final SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", httpPort));
                channel.write(ByteBuffer.wrap(request));
                channel.configureBlocking(false);
                channel.register(selector, SelectionKey.OP_READ, i);
                open.add(channel);
                tails[i] = new byte[0];
            }
            ProxyProcess.awaitMetric(adminPort, "kafka_proxy_gateway_sessions{protocol=\"sse\"}", subscribers);
            final int connectionsWithFeed = connectionsTo(brokerPort);
            final long started = System.nanoTime();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", brokerAddress, "linger.ms", 5),
                new ByteArraySerializer(), new ByteArraySerializer()))
            {
                for (int r = 0; r < records; r++)
                {
                    producer.send(new ProducerRecord<>("bench-fanout", ("{\"n\":" + r + ",\"pad\":\"" + "p".repeat(400) + "\"}")
                        .getBytes(StandardCharsets.UTF_8)));
                }
            }
            final ByteBuffer buffer = ByteBuffer.allocate(256 * 1024);
            int complete = 0;
            final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (complete < subscribers && System.nanoTime() < deadline)
            {
                selector.select(1000);
                for (final SelectionKey key : selector.selectedKeys())
                {
                    final int index = (Integer)key.attachment();
                    buffer.clear();
                    if (((SocketChannel)key.channel()).read(buffer) < 0)
                    {
                        key.cancel();
                        continue;
                    }
                    final int before = received[index];
                    tails[index] = countEvents(tails[index], buffer, received, index);
                    if (before < records && received[index] >= records)
                    {
                        complete++;
                    }
                }
                selector.selectedKeys().clear();
            }
            final double elapsed = (System.nanoTime() - started) / 1e9;
            final String metrics = ProxyProcess.scrape(adminPort);
            System.out.println("## " + subscribers + " SSE subscribers of one topic\n");
            System.out.printf(Locale.ROOT, "%d records (~420 B) produced straight to the broker; %d of %d subscribers received all of them " +
                "in %.1f s: **%.0f deliveries/s**. Broker connections of the proxy: %d before the subscribers, %d with them " +
                "(one fetch stream for all); subscribers dropped by the proxy: %.0f.%n%n", records, complete, subscribers, elapsed,
                (double)subscribers * records / elapsed, connectionsBefore, connectionsWithFeed,
                ProxyProcess.sum(metrics, "kafka_proxy_gateway_subscribers_dropped_total\\{[^}]*\\}"));
        }
        finally
        {
            for (final SocketChannel channel : open)
            {
                channel.close();
            }
        }
    }

    private static byte[] countEvents(final byte[] tail, final ByteBuffer buffer, final int[] received, final int index)
    {
        // Events may straddle reads: scan what was kept of the last read with this one.
        buffer.flip();
        final byte[] joined = new byte[tail.length + buffer.remaining()];
        System.arraycopy(tail, 0, joined, 0, tail.length);
        buffer.get(joined, tail.length, buffer.remaining());
        final Matcher matcher = EVENT.matcher(new String(joined, StandardCharsets.ISO_8859_1));
        int end = 0;
        while (matcher.find())
        {
            received[index]++;
            end = matcher.end();
        }
        final int keep = Math.min(joined.length - end, "event: record".length() - 1);
        final byte[] next = new byte[keep];
        System.arraycopy(joined, joined.length - keep, next, 0, keep);
        return next;
    }

    private int connectionsTo(final int brokerPort) throws IOException, InterruptedException
    {
        // Established TCP connections of the proxy process to the broker's port.
        final String ss = run(List.of("ss", "-tnpH", "state", "established", "dport", "= :" + brokerPort));
        int count = 0;
        for (final String line : ss.split("\n"))
        {
            if (line.contains("pid=" + proxy.pid() + ","))
            {
                count++;
            }
        }
        return count;
    }

    private static byte[] mqttConnect(final int i)
    {
        // MQTT 3.1.1 CONNECT: clean session, keep-alive 0 (no pings needed to stay idle), client id idle-N.
        final byte[] clientId = ("idle-" + i).getBytes(StandardCharsets.US_ASCII);
        final ByteBuffer packet = ByteBuffer.allocate(14 + clientId.length);
        packet.put((byte)0x10).put((byte)(12 + clientId.length))
            .putShort((short)4).put("MQTT".getBytes(StandardCharsets.US_ASCII)).put((byte)4).put((byte)0x02).putShort((short)0)
            .putShort((short)clientId.length).put(clientId);
        return packet.array();
    }

    private Path writeBody(final int records) throws IOException
    {
        final StringBuilder body = new StringBuilder("{\"records\":[");
        for (int i = 0; i < records; i++)
        {
            body.append(i == 0 ? "" : ",").append("{\"key\":\"k").append(i).append("\",\"value\":{\"text\":\"")
                .append("v".repeat(1000)).append("\"}}");
        }
        final Path file = work.resolve("body-" + records + ".json");
        Files.writeString(file, body.append("]}"));
        return file;
    }

    private String run(final List<String> command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        Files.writeString(work.resolve(command.get(0) + ".log"), String.join(" ", command) + "\n" + output + "\n",
            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        return output;
    }

    private static double number(final String text, final String regex)
    {
        final Matcher matcher = Pattern.compile(regex).matcher(text);
        return matcher.find() ? Double.parseDouble(matcher.group(1).replace(",", "")) : 0;
    }

    private static String text(final String text, final String regex)
    {
        return textOr(text, regex, "?");
    }

    private static String textOr(final String text, final String regex, final String otherwise)
    {
        final Matcher matcher = Pattern.compile(regex).matcher(text);
        return matcher.find() ? matcher.group(1) : otherwise;
    }

    private static String seconds(final String text, final String regex)
    {
        final double value = number(text, regex.replace("%%", "%"));
        return String.format(Locale.ROOT, "%.2fms", value * 1000);
    }

    private static String h2NotOk(final String h2load)
    {
        final Matcher codes = Pattern.compile("status codes: (\\d+) 2xx, (\\d+) 3xx, (\\d+) 4xx, (\\d+) 5xx").matcher(h2load);
        final Matcher failed = Pattern.compile("(\\d+) failed, (\\d+) errored").matcher(h2load);
        if (!codes.find() || !failed.find())
        {
            return "?";
        }
        return Long.toString(Long.parseLong(codes.group(2)) + Long.parseLong(codes.group(3)) + Long.parseLong(codes.group(4)) +
            Long.parseLong(failed.group(1)) + Long.parseLong(failed.group(2)));
    }

    private static String non2xx(final String hey)
    {
        // hey lists status codes as "[200]\t1234 responses"; everything that is not 200 counts.
        final Matcher matcher = Pattern.compile("\\[(\\d+)\\]\\s+(\\d+) responses").matcher(hey);
        long other = 0;
        while (matcher.find())
        {
            other += matcher.group(1).equals("200") ? 0 : Long.parseLong(matcher.group(2));
        }
        return Long.toString(other);
    }
}

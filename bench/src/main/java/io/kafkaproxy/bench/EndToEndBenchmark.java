package io.kafkaproxy.bench;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The proxy against a direct connection, end to end, with Kafka's own performance tools: a real broker in a child
 * JVM, the proxy from its distribution in another, and each tool in a fresh JVM, alternating direct and proxy
 * runs for several rounds, then medians and ratios.
 *
 * <p>Per round and path: ProducerPerformance unthrottled (1 KiB records, acks=1, fixed count) for produce MB/s;
 * ConsumerPerformance reading them back for consume MB/s; ProducerPerformance at a fixed 5,000 records/s for
 * latency percentiles; EndToEndLatency for the average produce-to-consume time. For proxy runs the proxy
 * process's CPU time (utime + stime from {@code /proc}) is read around the produce and consume runs, giving CPU
 * seconds per GB moved, and its resident memory after each round.
 *
 * <p>Run it with {@code bench/e2e.sh}, which builds what it needs; the arguments are documented there.
 */
public final class EndToEndBenchmark
{
    private static final Pattern PRODUCER_SUMMARY = Pattern.compile(
        "(\\d+) records sent, ([\\d.]+) records/sec \\(([\\d.]+) MB/sec\\), ([\\d.]+) ms avg latency, ([\\d.]+) ms max latency, " +
        "(\\d+) ms 50th, (\\d+) ms 95th, (\\d+) ms 99th, (\\d+) ms 99.9th");
    private static final Pattern E2E_AVERAGE = Pattern.compile("Avg latency: ([\\d.]+) ms");
    private static final long TICKS_PER_SECOND = 100;

    private final Settings settings;
    private final Path workDirectory;
    private final List<Process> processes = new ArrayList<>();
    private String brokerAddress;
    private Process proxy;
    private String proxyAddress;

    /**
     * What to run.
     *
     * @param launcher       the proxy's {@code bin/kafka-proxy}.
     * @param brokerClasspath classpath with the benchmarks' classes and the Kafka broker.
     * @param toolsClasspath classpath of kafka-tools.
     * @param rounds         direct/proxy pairs to run.
     * @param records        records per throughput run.
     * @param recordSize     bytes per record.
     * @param latencyRecords records in the fixed-rate latency run.
     * @param latencyRate    records per second in that run.
     * @param e2eRecords     round trips in the EndToEndLatency run.
     */
    record Settings(Path launcher, String brokerClasspath, String toolsClasspath, int rounds, long records, int recordSize,
        long latencyRecords, int latencyRate, long e2eRecords)
    {
    }

    private EndToEndBenchmark(final Settings settings) throws IOException
    {
        this.settings = settings;
        this.workDirectory = Files.createTempDirectory("kafka-proxy-e2e");
    }

    /**
     * Runs the benchmark.
     *
     * @param args {@code launcher brokerClasspathFile toolsClasspathFile [rounds records recordSize latencyRecords
     *             latencyRate e2eRecords]}.
     * @throws Exception if a step fails.
     */
    public static void main(final String[] args) throws Exception
    {
        if (args.length < 3)
        {
            System.err.println("usage: EndToEndBenchmark LAUNCHER BROKER_CLASSPATH_FILE TOOLS_CLASSPATH_FILE " +
                "[ROUNDS RECORDS RECORD_SIZE LATENCY_RECORDS LATENCY_RATE E2E_RECORDS]");
            System.exit(2);
        }
        final Settings settings = new Settings(
            Path.of(args[0]),
            Files.readString(Path.of(args[1])).trim(),
            Files.readString(Path.of(args[2])).trim(),
            args.length > 3 ? Integer.parseInt(args[3]) : 3,
            args.length > 4 ? Long.parseLong(args[4]) : 1_000_000,
            args.length > 5 ? Integer.parseInt(args[5]) : 1024,
            args.length > 6 ? Long.parseLong(args[6]) : 50_000,
            args.length > 7 ? Integer.parseInt(args[7]) : 5_000,
            args.length > 8 ? Long.parseLong(args[8]) : 5_000);
        final EndToEndBenchmark benchmark = new EndToEndBenchmark(settings);
        try
        {
            benchmark.run();
        }
        finally
        {
            benchmark.stopAll();
        }
    }

    private void run() throws Exception
    {
        startBroker();
        startProxy();
        warmUp();
        final Map<String, List<Double>> direct = new LinkedHashMap<>();
        final Map<String, List<Double>> proxied = new LinkedHashMap<>();
        for (int round = 1; round <= settings.rounds(); round++)
        {
            // Alternate which path goes first, so that warm-up and disk state favour neither.
            final boolean directFirst = round % 2 == 1;
            for (final boolean throughProxy : directFirst ? new boolean[] {false, true} : new boolean[] {true, false})
            {
                final Map<String, Double> figures = runRound(round, throughProxy);
                figures.forEach((name, value) -> (throughProxy ? proxied : direct).computeIfAbsent(name, k -> new ArrayList<>()).add(value));
                System.out.printf(Locale.ROOT, "round %d %s: %s%n", round, throughProxy ? "proxy " : "direct", figures);
            }
        }
        report(direct, proxied);
    }

    private void warmUp() throws Exception
    {
        // Both JVMs compile their hot paths before anything is measured: a fifth of a run each way, not recorded.
        for (final String bootstrap : List.of(brokerAddress, proxyAddress))
        {
            final String topic = "e2e-warm-up-" + (bootstrap.equals(proxyAddress) ? "proxy" : "direct");
            createTopics(topic);
            producerPerformance(bootstrap, topic, settings.records() / 5, -1);
            runTool("org.apache.kafka.tools.ConsumerPerformance", "--bootstrap-server", bootstrap, "--topic", topic,
                "--num-records", Long.toString(settings.records() / 5), "--group", "e2e-warm-up-" + System.nanoTime(),
                "--timeout", "120000");
            deleteTopics(topic);
        }
        System.out.println("warmed up");
    }

    private Map<String, Double> runRound(final int round, final boolean throughProxy) throws Exception
    {
        final String bootstrap = throughProxy ? proxyAddress : brokerAddress;
        final String path = throughProxy ? "proxy" : "direct";
        final String topic = "e2e-" + round + "-" + path;
        final String latencyTopic = topic + "-latency";
        final String e2eTopic = topic + "-e2e";
        createTopics(topic, latencyTopic, e2eTopic);
        final Map<String, Double> figures = new LinkedHashMap<>();
        final double gigabytes = settings.records() * (double)settings.recordSize() / 1e9;

        long ticks = proxyCpuTicks();
        final MatchResult produce = producerPerformance(bootstrap, topic, settings.records(), -1);
        figures.put("produce MB/s", Double.parseDouble(produce.group(3)));
        if (throughProxy)
        {
            figures.put("proxy CPU s/GB produced", (proxyCpuTicks() - ticks) / (double)TICKS_PER_SECOND / gigabytes);
        }

        ticks = proxyCpuTicks();
        figures.put("consume MB/s", consumerPerformance(bootstrap, topic));
        if (throughProxy)
        {
            figures.put("proxy CPU s/GB consumed", (proxyCpuTicks() - ticks) / (double)TICKS_PER_SECOND / gigabytes);
        }

        final MatchResult latency = producerPerformance(bootstrap, latencyTopic, settings.latencyRecords(), settings.latencyRate());
        figures.put("p50 ms @" + settings.latencyRate() + "/s", Double.parseDouble(latency.group(6)));
        figures.put("p99 ms @" + settings.latencyRate() + "/s", Double.parseDouble(latency.group(8)));
        figures.put("p99.9 ms @" + settings.latencyRate() + "/s", Double.parseDouble(latency.group(9)));
        figures.put("avg ms @" + settings.latencyRate() + "/s", Double.parseDouble(latency.group(4)));

        figures.put("end-to-end avg ms", endToEndLatency(bootstrap, e2eTopic));
        if (throughProxy)
        {
            figures.put("proxy RSS MiB", proxyRssKib() / 1024.0);
        }
        deleteTopics(topic, latencyTopic, e2eTopic);
        return figures;
    }

    private MatchResult producerPerformance(final String bootstrap, final String topic, final long records, final int throughput)
        throws Exception
    {
        final String output = runTool("org.apache.kafka.tools.ProducerPerformance",
            "--topic", topic,
            "--num-records", Long.toString(records),
            "--record-size", Integer.toString(settings.recordSize()),
            "--throughput", Integer.toString(throughput),
            "--producer-props", "bootstrap.servers=" + bootstrap, "acks=1");
        // Progress lines every few seconds, then the final summary: the last match.
        MatchResult last = null;
        final Matcher matcher = PRODUCER_SUMMARY.matcher(output);
        while (matcher.find())
        {
            last = matcher.toMatchResult();
        }
        if (last == null)
        {
            throw new IllegalStateException("ProducerPerformance printed no summary:\n" + output);
        }
        return last;
    }

    private double consumerPerformance(final String bootstrap, final String topic) throws Exception
    {
        final String output = runTool("org.apache.kafka.tools.ConsumerPerformance",
            "--bootstrap-server", bootstrap,
            "--topic", topic,
            "--num-records", Long.toString(settings.records()),
            "--group", "e2e-" + System.nanoTime(),
            "--timeout", "120000");
        // Header then one line: start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec,
        // rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec. fetch.MB.sec leaves out the group join.
        final List<String> lines = output.lines().filter(line -> !line.isBlank()).toList();
        for (int i = 0; i < lines.size() - 1; i++)
        {
            if (lines.get(i).startsWith("start.time"))
            {
                final List<String> header = Arrays.stream(lines.get(i).split(",")).map(String::trim).toList();
                final String[] values = lines.get(i + 1).split(",");
                final long consumed = Long.parseLong(values[header.indexOf("data.consumed.in.nMsg")].trim());
                if (consumed < settings.records())
                {
                    throw new IllegalStateException("ConsumerPerformance read " + consumed + " of " + settings.records() + "\n" + output);
                }
                return Double.parseDouble(values[header.indexOf("fetch.MB.sec")].trim());
            }
        }
        throw new IllegalStateException("ConsumerPerformance printed no figures:\n" + output);
    }

    private double endToEndLatency(final String bootstrap, final String topic) throws Exception
    {
        final String output = runTool("org.apache.kafka.tools.EndToEndLatency",
            bootstrap, topic, Long.toString(settings.e2eRecords()), "1", Integer.toString(settings.recordSize()));
        final Matcher average = E2E_AVERAGE.matcher(output);
        if (!average.find())
        {
            throw new IllegalStateException("EndToEndLatency printed no average:\n" + output);
        }
        return Double.parseDouble(average.group(1));
    }

    private String runTool(final String mainClass, final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>(List.of(javaExecutable(), "-Xmx1g", "-cp", settings.toolsClasspath(),
            "-Dlog4j2.level=WARN", mainClass));
        command.addAll(List.of(args));
        final Path output = Files.createTempFile(workDirectory, "tool", ".log");
        final Process tool = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!tool.waitFor(10, TimeUnit.MINUTES))
        {
            tool.destroyForcibly();
            throw new IllegalStateException(mainClass + " did not finish in 10 minutes");
        }
        final String text = Files.readString(output, StandardCharsets.UTF_8);
        if (tool.exitValue() != 0)
        {
            throw new IllegalStateException(mainClass + " exited " + tool.exitValue() + ":\n" + text);
        }
        return text;
    }

    private void startBroker() throws Exception
    {
        final Path log = workDirectory.resolve("broker.log");
        final Process broker = new ProcessBuilder(javaExecutable(), "-Xmx2g", "-cp", settings.brokerClasspath(),
            BenchBroker.class.getName()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(broker);
        brokerAddress = awaitLine(log, Pattern.compile("BROKER READY (\\S+)"), broker).group(1);
        System.out.println("broker at " + brokerAddress);
    }

    private void startProxy() throws Exception
    {
        final Path log = workDirectory.resolve("proxy.log");
        final int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0))
        {
            port = socket.getLocalPort();
        }
        final ProcessBuilder builder = new ProcessBuilder(settings.launcher().toString(),
            "--bootstrap", brokerAddress, "--listen", "127.0.0.1:" + port, "--advertised-host", "127.0.0.1",
            "--admin-listen", "127.0.0.1:0", "--log-level", "WARN")
            .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        proxy = builder.start();
        processes.add(proxy);
        proxyAddress = "127.0.0.1:" + port;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!portOpen(port))
        {
            if (System.nanoTime() > deadline || !proxy.isAlive())
            {
                throw new IllegalStateException("the proxy did not start:\n" + Files.readString(log));
            }
            Thread.sleep(50);
        }
        System.out.println("proxy at " + proxyAddress + " (pid " + proxy.pid() + ")");
    }

    private static boolean portOpen(final int port)
    {
        try (java.net.Socket socket = new java.net.Socket())
        {
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 200);
            return true;
        }
        catch (final IOException e)
        {
            return false;
        }
    }

    private static Matcher awaitLine(final Path log, final Pattern pattern, final Process process) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline)
        {
            final Matcher matcher = pattern.matcher(Files.exists(log) ? Files.readString(log) : "");
            if (matcher.find())
            {
                return matcher;
            }
            if (!process.isAlive())
            {
                break;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no line " + pattern + " in " + log + ":\n" + Files.readString(log));
    }

    private void createTopics(final String... topics) throws Exception
    {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokerAddress)))
        {
            admin.createTopics(Arrays.stream(topics).map(topic -> new NewTopic(topic, 1, (short)1)).toList()).all()
                .get(60, TimeUnit.SECONDS);
        }
    }

    private void deleteTopics(final String... topics) throws Exception
    {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokerAddress)))
        {
            admin.deleteTopics(List.of(topics)).all().get(60, TimeUnit.SECONDS);
        }
    }

    private long proxyCpuTicks() throws IOException
    {
        // /proc/PID/stat: fields after the command name's closing parenthesis start at field 3; utime and stime are
        // fields 14 and 15, in clock ticks (100 per second on Linux).
        final String stat = Files.readString(Path.of("/proc", Long.toString(proxy.pid()), "stat"));
        final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    private long proxyRssKib() throws IOException
    {
        for (final String line : Files.readAllLines(Path.of("/proc", Long.toString(proxy.pid()), "status")))
        {
            if (line.startsWith("VmRSS:"))
            {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }

    private static String javaExecutable()
    {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void report(final Map<String, List<Double>> direct, final Map<String, List<Double>> proxied)
    {
        System.out.println();
        System.out.println("| Figure | Direct (median) | Proxy (median) | Proxy / direct | Proxy - direct | Direct runs | Proxy runs |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (final Map.Entry<String, List<Double>> figure : proxied.entrySet())
        {
            final double proxyMedian = median(figure.getValue());
            final List<Double> directValues = direct.get(figure.getKey());
            final String directText = directValues == null ? "" : format(median(directValues));
            final String ratio = directValues == null ? "" : String.format(Locale.ROOT, "%.3f", proxyMedian / median(directValues));
            final String difference = directValues == null ? "" : format(proxyMedian - median(directValues));
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", figure.getKey(), directText, format(proxyMedian),
                ratio, difference, directValues == null ? "" : directValues.stream().map(EndToEndBenchmark::format).toList(),
                figure.getValue().stream().map(EndToEndBenchmark::format).toList());
        }
    }

    private static double median(final List<Double> values)
    {
        final double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    private static String format(final double value)
    {
        return String.format(Locale.ROOT, Math.abs(value) >= 100 ? "%.1f" : "%.3f", value);
    }

    private void stopAll() throws InterruptedException
    {
        for (final Process process : processes)
        {
            process.destroy();
        }
        for (final Process process : processes)
        {
            if (!process.waitFor(30, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
            }
        }
        System.out.println("logs in " + workDirectory);
    }
}

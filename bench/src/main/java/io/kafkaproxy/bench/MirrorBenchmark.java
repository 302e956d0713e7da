package io.kafkaproxy.bench;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What produce mirroring (issue 14) costs the client and the proxy: produce throughput, the p99 of a fixed-rate
 * run and the proxy's CPU seconds per GB, for a proxy without a mirror, the same proxy with a mirror to a healthy
 * shadow broker, and with the shadow paused (SIGSTOP) for the whole run.
 *
 * <p>Why this setup: two brokers in child JVMs (primary and shadow), so the shadow can be paused without touching
 * the primary; two proxies from one distribution, started alike from two configuration files that differ only by
 * the {@code mirror} section, both running all the time, the idle one holding no connection while the other is
 * measured; each phase in a fresh ProducerPerformance JVM; the order of the phases alternates from round to round
 * (A B P, then P B A) so that warm-up and disk state favour none. The proxy's CPU time is read from
 * {@code /proc/PID/stat} around the unthrottled run; the mirror's outcome from the proxy's own
 * {@code kafka_proxy_mirror_records_total}. The target (issue 14): at most 10% more proxy CPU per mirrored GB than
 * per GB forwarded without a mirror, and no throughput lost by the client, shadow healthy or not.
 *
 * <p>Run it with {@code bench/mirror.sh}, which builds what it needs; the arguments are documented there.
 */
public final class MirrorBenchmark
{
    private static final Pattern PRODUCER_SUMMARY = Pattern.compile(
        "(\\d+) records sent, ([\\d.]+) records/sec \\(([\\d.]+) MB/sec\\), ([\\d.]+) ms avg latency, ([\\d.]+) ms max latency, " +
        "(\\d+) ms 50th, (\\d+) ms 95th, (\\d+) ms 99th, (\\d+) ms 99.9th");
    private static final long TICKS_PER_SECOND = 100;
    private static final String MIRRORED = "kafka_proxy_mirror_records_total{cluster=\"default\",outcome=\"mirrored\"}";
    private static final String DROPPED = "kafka_proxy_mirror_records_total{cluster=\"default\",outcome=\"dropped\"}";
    private static final String FAILED = "kafka_proxy_mirror_records_total{cluster=\"default\",outcome=\"failed\"}";

    private final Settings settings;
    private final Path workDirectory;
    private final List<Process> processes = new ArrayList<>();
    private Process shadow;
    private String primaryAddress;
    private String shadowAddress;

    /**
     * What to run.
     *
     * @param launcher        the proxy's {@code bin/kafka-proxy}.
     * @param brokerClasspath classpath with the benchmarks' classes and the Kafka broker.
     * @param toolsClasspath  classpath of kafka-tools.
     * @param rounds          rounds of the three phases.
     * @param records         records per unthrottled run.
     * @param recordSize      bytes per record.
     * @param latencyRecords  records in the fixed-rate run.
     * @param latencyRate     records per second in that run.
     */
    record Settings(Path launcher, String brokerClasspath, String toolsClasspath, int rounds, long records, int recordSize,
        long latencyRecords, int latencyRate)
    {
    }

    /**
     * One proxy under measurement.
     *
     * @param address   its bootstrap address.
     * @param adminPort its admin listener's port.
     * @param process   its process.
     */
    private record Proxy(String address, int adminPort, Process process)
    {
    }

    private MirrorBenchmark(final Settings settings) throws IOException
    {
        this.settings = settings;
        this.workDirectory = Files.createTempDirectory("kafka-proxy-mirror-bench");
    }

    /**
     * Runs the benchmark.
     *
     * @param args {@code launcher brokerClasspathFile toolsClasspathFile [rounds records recordSize latencyRecords
     *             latencyRate]}.
     * @throws Exception if a step fails.
     */
    public static void main(final String[] args) throws Exception
    {
        if (args.length < 3)
        {
            System.err.println("usage: MirrorBenchmark LAUNCHER BROKER_CLASSPATH_FILE TOOLS_CLASSPATH_FILE " +
                "[ROUNDS RECORDS RECORD_SIZE LATENCY_RECORDS LATENCY_RATE]");
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
            args.length > 7 ? Integer.parseInt(args[7]) : 5_000);
        final MirrorBenchmark benchmark = new MirrorBenchmark(settings);
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
        primaryAddress = startBroker("primary");
        shadowAddress = startBroker("shadow");
        final Proxy plain = startProxy("plain", false);
        final Proxy mirroring = startProxy("mirroring", true);
        warmUp(plain);
        warmUp(mirroring);
        final Map<String, Map<String, List<Double>>> figures = new LinkedHashMap<>();
        for (int round = 1; round <= settings.rounds(); round++)
        {
            final List<String> phases = round % 2 == 1 ? List.of("no-mirror", "mirror", "paused") : List.of("paused", "mirror", "no-mirror");
            for (final String phase : phases)
            {
                final Map<String, Double> phaseFigures = runPhase(round, phase, phase.equals("no-mirror") ? plain : mirroring);
                phaseFigures.forEach((name, value) -> figures.computeIfAbsent(phase, k -> new LinkedHashMap<>())
                    .computeIfAbsent(name, k -> new ArrayList<>()).add(value));
                System.out.printf(Locale.ROOT, "round %d %-9s: %s%n", round, phase, phaseFigures);
            }
        }
        report(figures);
    }

    private void warmUp(final Proxy proxy) throws Exception
    {
        final String topic = "bench-warm-up-" + proxy.adminPort();
        createTopics(topic);
        producerPerformance(proxy.address(), topic, Math.max(1, settings.records() / 5), -1);
        deleteTopics(topic);
        System.out.println("warmed up " + proxy.address());
    }

    private Map<String, Double> runPhase(final int round, final String phase, final Proxy proxy) throws Exception
    {
        final String topic = "bench-" + round + "-" + phase;
        final String latencyTopic = topic + "-latency";
        createTopics(topic, latencyTopic);
        final boolean paused = phase.equals("paused");
        if (paused)
        {
            signal(shadow, "STOP");
        }
        final Map<String, Double> figures = new LinkedHashMap<>();
        try
        {
            final String before = ProxyProcess.scrape(proxy.adminPort());
            final long ticks = cpuTicks(proxy.process());
            final MatchResult produce = producerPerformance(proxy.address(), topic, settings.records(), -1);
            final double seconds = (cpuTicks(proxy.process()) - ticks) / (double)TICKS_PER_SECOND;
            final double gigabytes = settings.records() * (double)settings.recordSize() / 1e9;
            figures.put("produce MB/s", Double.parseDouble(produce.group(3)));
            figures.put("proxy CPU s/GB produced", seconds / gigabytes);
            final MatchResult latency = producerPerformance(proxy.address(), latencyTopic, settings.latencyRecords(),
                settings.latencyRate());
            figures.put("p99 ms @" + settings.latencyRate() + "/s", Double.parseDouble(latency.group(8)));
            if (!phase.equals("no-mirror"))
            {
                // The copies of the last requests may still be in flight: their outcome is counted once settled.
                final String after = settled(proxy, before, settings.records() + settings.latencyRecords());
                final double mirrored = delta(before, after, MIRRORED);
                figures.put("mirrored %", 100 * mirrored / (settings.records() + settings.latencyRecords()));
                figures.put("dropped+failed %", 100 * (delta(before, after, DROPPED) + delta(before, after, FAILED)) /
                    (settings.records() + settings.latencyRecords()));
            }
        }
        finally
        {
            if (paused)
            {
                signal(shadow, "CONT");
            }
        }
        deleteTopics(topic, latencyTopic);
        return figures;
    }

    private static String settled(final Proxy proxy, final String before, final long records) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String after = ProxyProcess.scrape(proxy.adminPort());
        while (System.nanoTime() < deadline &&
            delta(before, after, MIRRORED) + delta(before, after, DROPPED) + delta(before, after, FAILED) < records)
        {
            Thread.sleep(200);
            after = ProxyProcess.scrape(proxy.adminPort());
        }
        return after;
    }

    private static double delta(final String before, final String after, final String series)
    {
        return ProxyProcess.sum(after, Pattern.quote(series)) - ProxyProcess.sum(before, Pattern.quote(series));
    }

    private void report(final Map<String, Map<String, List<Double>>> figures)
    {
        System.out.println();
        System.out.printf(Locale.ROOT, "%-28s %12s %12s %12s%n", "median of " + settings.rounds() + " rounds", "no mirror",
            "mirror", "paused");
        final List<String> names = new ArrayList<>(figures.get("mirror").keySet());
        for (final String name : names)
        {
            System.out.printf(Locale.ROOT, "%-28s %12s %12s %12s%n", name, median(figures.get("no-mirror").get(name)),
                median(figures.get("mirror").get(name)), median(figures.get("paused").get(name)));
        }
        final double plainCpu = Double.parseDouble(median(figures.get("no-mirror").get("proxy CPU s/GB produced")));
        final double mirrorCpu = Double.parseDouble(median(figures.get("mirror").get("proxy CPU s/GB produced")));
        final double mirroredShare = Double.parseDouble(median(figures.get("mirror").get("mirrored %"))) / 100;
        System.out.printf(Locale.ROOT, "extra proxy CPU per mirrored GB over the forwarding path: %.1f%%%n",
            100 * (mirrorCpu - plainCpu) / plainCpu / Math.max(mirroredShare, 1e-9));
        System.out.printf(Locale.ROOT, "produce throughput, mirror / no mirror: %.3f; paused / no mirror: %.3f%n",
            Double.parseDouble(median(figures.get("mirror").get("produce MB/s"))) /
                Double.parseDouble(median(figures.get("no-mirror").get("produce MB/s"))),
            Double.parseDouble(median(figures.get("paused").get("produce MB/s"))) /
                Double.parseDouble(median(figures.get("no-mirror").get("produce MB/s"))));
    }

    private static String median(final List<Double> values)
    {
        if (values == null || values.isEmpty())
        {
            return "-";
        }
        final List<Double> sorted = values.stream().sorted().toList();
        final int middle = sorted.size() / 2;
        final double median = sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
        return String.format(Locale.ROOT, "%.2f", median);
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

    private String runTool(final String mainClass, final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>(List.of(ProxyProcess.javaExecutable(), "-Xmx512m", "-cp",
            settings.toolsClasspath(), "-Dlog4j2.level=WARN", mainClass));
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

    private String startBroker(final String name) throws Exception
    {
        final Path log = workDirectory.resolve(name + "-broker.log");
        final Process broker = new ProcessBuilder(ProxyProcess.javaExecutable(), "-Xmx1g", "-cp", settings.brokerClasspath(),
            BenchBroker.class.getName()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(broker);
        if (name.equals("shadow"))
        {
            shadow = broker;
        }
        final String address = ProxyProcess.awaitLine(log, Pattern.compile("BROKER READY (\\S+)")).group(1);
        System.out.println(name + " broker at " + address + " (pid " + broker.pid() + ")");
        return address;
    }

    private Proxy startProxy(final String name, final boolean mirror) throws Exception
    {
        final int port = ProxyProcess.freePort();
        final int adminPort = ProxyProcess.freePort();
        final StringBuilder yaml = new StringBuilder()
            .append("listener:\n  bindAddress: 127.0.0.1:").append(port).append("\n  advertisedHost: 127.0.0.1\n")
            .append("  nodePorts: {first: ").append(port + 1).append(", count: 10}\n")
            .append("upstream:\n  bootstrapServers: [").append(primaryAddress).append("]\n")
            .append("admin:\n  enabled: true\n  bindAddress: 127.0.0.1:").append(adminPort).append('\n')
            .append("logging:\n  level: WARN\n");
        if (mirror)
        {
            yaml.append("mirror:\n  bootstrapServers: [").append(shadowAddress).append("]\n  topics: [\"bench-*\"]\n")
                .append("  memory: 32MiB\n  acks: 1\n");
        }
        final Path config = workDirectory.resolve(name + ".yaml");
        Files.writeString(config, yaml);
        final Path log = workDirectory.resolve(name + "-proxy.log");
        final ProcessBuilder builder = new ProcessBuilder(settings.launcher().toString(), "--config", config.toString())
            .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        // Two proxies from one distribution would write the same class-data archive: off for both, so they start alike.
        builder.environment().put("KAFKA_PROXY_CDS", "off");
        final Process proxy = builder.start();
        processes.add(proxy);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true)
        {
            try
            {
                ProxyProcess.scrape(adminPort);
                break;
            }
            catch (final IOException e)
            {
                if (System.nanoTime() > deadline || !proxy.isAlive())
                {
                    throw new IllegalStateException("the " + name + " proxy did not start:\n" + Files.readString(log), e);
                }
                Thread.sleep(100);
            }
        }
        System.out.println(name + " proxy at 127.0.0.1:" + port + " (pid " + proxy.pid() + ", admin " + adminPort + ")");
        return new Proxy("127.0.0.1:" + port, adminPort, proxy);
    }

    private void createTopics(final String... topics) throws Exception
    {
        for (final String address : List.of(primaryAddress, shadowAddress))
        {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, address)))
            {
                admin.createTopics(java.util.Arrays.stream(topics).map(topic -> new NewTopic(topic, 1, (short)1)).toList())
                    .all().get(60, TimeUnit.SECONDS);
            }
        }
    }

    private void deleteTopics(final String... topics) throws Exception
    {
        for (final String address : List.of(primaryAddress, shadowAddress))
        {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, address)))
            {
                admin.deleteTopics(List.of(topics)).all().get(60, TimeUnit.SECONDS);
            }
        }
    }

    private static void signal(final Process process, final String name) throws Exception
    {
        final Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0)
        {
            throw new IllegalStateException("kill -" + name + " failed: pid=" + process.pid());
        }
    }

    private static long cpuTicks(final Process process) throws IOException
    {
        // /proc/PID/stat: utime and stime are fields 14 and 15, in clock ticks (100 per second on Linux).
        final String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
        final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    private void stopAll()
    {
        if (shadow != null && shadow.isAlive())
        {
            try
            {
                signal(shadow, "CONT");
            }
            catch (final Exception e)
            {
                System.err.println("could not resume the shadow broker: " + e);
            }
        }
        for (final Process process : processes)
        {
            process.destroy();
        }
        for (final Process process : processes)
        {
            try
            {
                if (!process.waitFor(20, TimeUnit.SECONDS))
                {
                    process.destroyForcibly();
                }
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}

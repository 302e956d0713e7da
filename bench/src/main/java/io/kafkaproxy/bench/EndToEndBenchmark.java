package io.kafkaproxy.bench;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

import java.io.IOException;
import java.net.ServerSocket;
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
 * <p><b>Policy cost.</b> With {@code -De2e.policyConfig=FILE} the direct path is replaced by a second proxy: a
 * plain proxy (flags only) against a proxy started the same way plus {@code --config FILE}, whose flags override
 * the file's listener, upstream, admin and logging keys, so that the two differ only by the file's policy sections
 * (ACL rules, quotas). Same rounds, topics named the same way ({@code e2e-ROUND-plain}, {@code e2e-ROUND-policy}),
 * and ratios policy / plain; CPU seconds per GB and resident memory are read from each proxy's own process. Both
 * proxies run all the time, the idle one holding no connection while the other is measured.
 *
 * <p><b>Before and after.</b> With {@code -De2e.baselineLauncher=LAUNCHER} the direct path is replaced by the proxy
 * of another distribution (an earlier commit's build), started with the same flags: ratios are this build over that
 * one, each proxy's CPU and memory read from its own process.
 *
 * <p><b>TLS.</b> With {@code -De2e.tls=openssl} or {@code jdk}, every hop is TLS: the broker's client listener is
 * SSL, the direct path's clients speak SSL to it, and the proxy terminates the clients' TLS and opens its own to
 * the broker, both sides with the named provider ({@link TlsBenchMaterial}: one self-signed certificate, hostname
 * verification on). Each round also counts full TLS handshakes per second against each path
 * ({@link TlsHandshakeRate}); through the proxy that is the proxy's own handshake, as a client that hangs up
 * before its first request never makes the proxy connect to the broker. With two variants (below) both proxies
 * run with TLS on both sides, from a configuration file of the harness's, so neither variant may bring its own
 * {@code --config}.
 *
 * <p><b>Cores of its own.</b> With {@code -De2e.proxyCpus=LIST} every proxy, the ones whose start-up is timed
 * included, runs under {@code taskset -c LIST}; run the harness itself under {@code taskset -c OTHER} and the
 * broker and the tools, its children, keep to the other cores, as when the proxy runs on hosts of its own.
 *
 * <p><b>Two variants of this proxy.</b> With {@code -Dproxy.argsB=FLAGS} (and/or {@code -Dproxy.javaOptsB=OPTS}) the
 * direct path is replaced by a second proxy from the same distribution: A gets {@code -Dproxy.args} as every proxy
 * does, B gets its own flags and {@code KAFKA_PROXY_JAVA_OPTS} ({@link ProxyVariant}); ratios are B / A.
 *
 * <p><b>Start-up and the summary line.</b> Before the warm-up each proxy is started and stopped a few times, alternating
 * when there are two, and launch to first accepted connection is measured from outside ({@link StartupBenchmark},
 * the same method as {@code bench/startup.sh}). The run ends with one greppable line holding the figures issue 15
 * tracks: {@code E2E produce=0.99x consume=0.80x cpuProduce=1.28s/GB cpuConsume=0.74s/GB e2eAdded=+0.120ms
 * rss=137MiB start=0.550s} against direct, or {@code E2E-AB ...} with B / A ratios followed by one {@code E2E-<side>}
 * line of absolute figures per proxy when two proxies are compared.
 *
 * <p>Run it with {@code bench/e2e.sh} (direct against proxy, or proxy A against proxy B), {@code bench/policy-cost.sh} (plain proxy against
 * policy proxy) or {@code bench/before-after.sh} (an earlier commit's proxy against this one), which build what they
 * need; the arguments are documented there.
 *
 * <p>Over 400 lines as one script-like driver: processes, tools, parsing of their output and the report, in the order
 * a run goes through them; it is a benchmark harness, not proxy code.
 */
public final class EndToEndBenchmark
{
    private static final Pattern PRODUCER_SUMMARY = Pattern.compile(
        "(\\d+) records sent, ([\\d.]+) records/sec \\(([\\d.]+) MB/sec\\), ([\\d.]+) ms avg latency, ([\\d.]+) ms max latency, " +
        "(\\d+) ms 50th, (\\d+) ms 95th, (\\d+) ms 99th, (\\d+) ms 99.9th");
    private static final Pattern E2E_AVERAGE = Pattern.compile("Avg latency: ([\\d.]+) ms");
    private static final long TICKS_PER_SECOND = 100;
    /** System property naming a proxy configuration file, which turns on the policy-cost comparison. */
    private static final String POLICY_CONFIG_PROPERTY = "e2e.policyConfig";
    /** System property naming another distribution's launcher, which turns on the before/after comparison. */
    private static final String BASELINE_LAUNCHER_PROPERTY = "e2e.baselineLauncher";
    /** System property naming the TLS provider of a run with TLS on every hop: {@code openssl} or {@code jdk}. */
    private static final String TLS_PROPERTY = "e2e.tls";
    /** System property: how many measured start-ups per proxy before the warm-up. */
    private static final String START_RUNS_PROPERTY = "e2e.startRuns";
    /** System property: records produced and consumed each way to warm up; a fifth of a run when absent. */
    private static final String WARM_UP_RECORDS_PROPERTY = "e2e.warmUpRecords";
    /** The node ports a proxy binds above its bootstrap port without a {@code listener.nodePorts} section. */
    private static final int NODE_PORT_RANGE = 100;

    private final Settings settings;
    private final Path workDirectory;
    private final List<Process> processes = new ArrayList<>();
    private final List<Integer> proxyPorts = new ArrayList<>();
    private final Map<String, Double> startSeconds = new LinkedHashMap<>();
    private String brokerAddress;
    private TlsBenchMaterial tls;
    private Path clientProperties;

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
     * @param policyConfig   the policy proxy's configuration file, or null to compare direct against proxy.
     * @param baselineLauncher another distribution's launcher to compare this one against, or null.
     * @param tlsProvider    {@code openssl} or {@code jdk} for TLS on every hop, or null for plaintext.
     * @param variantA       the proxy's extra flags (every proxy started gets them).
     * @param variantB       a second variant to compare against A instead of direct, or null.
     * @param startRuns      measured start-ups per proxy.
     */
    record Settings(Path launcher, String brokerClasspath, String toolsClasspath, int rounds, long records, int recordSize,
        long latencyRecords, int latencyRate, long e2eRecords, Path policyConfig, Path baselineLauncher, String tlsProvider,
        ProxyVariant variantA, ProxyVariant variantB, int startRuns)
    {
    }

    /**
     * One side of the comparison.
     *
     * @param name    the side in topic names and round lines: direct, proxy, plain or policy.
     * @param label   the side in the report's headings and the start-up lines.
     * @param address the bootstrap address its clients are given.
     * @param proxy   the proxy process behind the address, or null when it is the broker's own.
     */
    private record Route(String name, String label, String address, Process proxy)
    {
    }

    private EndToEndBenchmark(final Settings settings) throws IOException
    {
        this.settings = settings;
        this.workDirectory = Files.createTempDirectory("kafka-proxy-e2e");
    }

    /**
     * Runs the benchmark: direct against proxy, or with the system property {@code e2e.policyConfig=FILE} plain
     * proxy against a proxy with that configuration file.
     *
     * @param args {@code launcher brokerClasspathFile toolsClasspathFile [rounds records recordSize latencyRecords
     *             latencyRate e2eRecords]}.
     * @throws Exception if a step fails.
     */
    public static void main(final String[] args) throws Exception
    {
        final String policyConfig = System.getProperty(POLICY_CONFIG_PROPERTY, "");
        final String baselineLauncher = System.getProperty(BASELINE_LAUNCHER_PROPERTY, "");
        final String tlsProvider = System.getProperty(TLS_PROPERTY, "");
        if (args.length < 3 || !List.of("", "openssl", "jdk").contains(tlsProvider) || (!policyConfig.isEmpty() && !Files.isRegularFile(Path.of(policyConfig))) ||
            (!baselineLauncher.isEmpty() && !Files.isExecutable(Path.of(baselineLauncher))))
        {
            System.err.println("usage: java [-D" + POLICY_CONFIG_PROPERTY + "=FILE | -D" + BASELINE_LAUNCHER_PROPERTY +
                "=LAUNCHER] [-D" + TLS_PROPERTY + "=openssl|jdk] [-Dproxy.args=FLAGS] [-Dproxy.argsB=FLAGS] " +
                "[-Dproxy.javaOptsB=OPTS] [-D" + START_RUNS_PROPERTY + "=N] [-D" + WARM_UP_RECORDS_PROPERTY + "=N] [-D" + ProxyVariant.CPUS_PROPERTY + "=LIST] EndToEndBenchmark LAUNCHER " +
                "BROKER_CLASSPATH_FILE TOOLS_CLASSPATH_FILE [ROUNDS RECORDS RECORD_SIZE LATENCY_RECORDS LATENCY_RATE E2E_RECORDS]");
            if (!policyConfig.isEmpty())
            {
                System.err.println(POLICY_CONFIG_PROPERTY + ": no such file: " + policyConfig);
            }
            if (!baselineLauncher.isEmpty())
            {
                System.err.println(BASELINE_LAUNCHER_PROPERTY + ": not an executable: " + baselineLauncher);
            }
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
            args.length > 8 ? Long.parseLong(args[8]) : 5_000,
            policyConfig.isEmpty() ? null : Path.of(policyConfig).toAbsolutePath(),
            baselineLauncher.isEmpty() ? null : Path.of(baselineLauncher).toAbsolutePath(),
            tlsProvider.isEmpty() ? null : tlsProvider,
            ProxyVariant.a(Path.of(args[0])),
            ProxyVariant.bOrNull(Path.of(args[0])),
            Integer.getInteger(START_RUNS_PROPERTY, 5));
        if (settings.tlsProvider() != null && settings.variantB() != null &&
            (settings.variantA().args().contains("--config") || settings.variantB().args().contains("--config")))
        {
            // Under TLS both variants get the harness's own --config, and the proxy takes the flag once.
            System.err.println(TLS_PROPERTY + ": a TLS run of two variants gives both its own --config; " +
                "put the differences in flags or JVM options instead");
            System.exit(2);
        }
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
        if (settings.tlsProvider() != null)
        {
            tls = TlsBenchMaterial.create(workDirectory);
            clientProperties = tls.writeClientProperties(workDirectory.resolve("client-ssl.properties"));
            System.out.println("TLS on every hop, proxy provider " + settings.tlsProvider());
        }
        startBroker();
        final Route baseline;
        final Route compared;
        if (settings.baselineLauncher() != null)
        {
            System.out.println("before/after: " + settings.baselineLauncher() + " against " + settings.launcher());
            final ProxyVariant before = new ProxyVariant("before", settings.baselineLauncher(), settings.variantA().args(), null);
            final ProxyVariant after = new ProxyVariant("after", settings.launcher(), settings.variantA().args(), null);
            measureStarts(List.of(before, after));
            baseline = startProxy("before", "Baseline proxy", before, null);
            compared = startProxy("after", "This proxy", after, null);
        }
        else if (settings.variantB() != null && settings.policyConfig() == null)
        {
            System.out.println("A/B: a = " + settings.variantA().description() + "; b = " + settings.variantB().description());
            measureStarts(List.of(settings.variantA(), settings.variantB()));
            final Path tlsConfig = tls == null ? null
                : tls.writeProxyConfig(workDirectory.resolve("proxy-tls.yaml"), settings.tlsProvider());
            baseline = startProxy("a", "Proxy A", settings.variantA(), tlsConfig);
            compared = startProxy("b", "Proxy B", settings.variantB(), tlsConfig);
        }
        else if (settings.policyConfig() == null)
        {
            final ProxyVariant proxy = new ProxyVariant("proxy", settings.launcher(), settings.variantA().args(), null);
            measureStarts(List.of(proxy));
            baseline = new Route("direct", tls == null ? "Direct" : "Direct TLS", brokerAddress, null);
            compared = startProxy("proxy", tls == null ? "Proxy" : "Proxy TLS (" + settings.tlsProvider() + ")",
                proxy, tls == null ? null : tls.writeProxyConfig(workDirectory.resolve("proxy-tls.yaml"),
                    settings.tlsProvider()));
        }
        else
        {
            System.out.println("policy cost: " + settings.policyConfig() + " on the policy proxy, nothing on the plain one");
            baseline = startProxy("plain", "Plain proxy", settings.variantA(), null);
            compared = startProxy("policy", "Policy proxy", settings.variantA(), settings.policyConfig());
        }
        warmUp(List.of(baseline, compared));
        final Map<String, List<Double>> baselineFigures = new LinkedHashMap<>();
        final Map<String, List<Double>> comparedFigures = new LinkedHashMap<>();
        for (int round = 1; round <= settings.rounds(); round++)
        {
            // Alternate which path goes first, so that warm-up and disk state favour neither.
            final boolean baselineFirst = round % 2 == 1;
            for (final Route route : baselineFirst ? List.of(baseline, compared) : List.of(compared, baseline))
            {
                final Map<String, Double> figures = runRound(round, route);
                final Map<String, List<Double>> collected = route == compared ? comparedFigures : baselineFigures;
                figures.forEach((name, value) -> collected.computeIfAbsent(name, k -> new ArrayList<>()).add(value));
                System.out.printf(Locale.ROOT, "round %d %-6s: %s%n", round, route.name(), figures);
            }
        }
        report(baseline, compared, baselineFigures, comparedFigures);
        summary(baseline, compared, baselineFigures, comparedFigures);
    }

    private void measureStarts(final List<ProxyVariant> variants) throws Exception
    {
        // One unmeasured start each first: the launcher's first run writes the class-data archive when it stops,
        // and every later run (these and the proxies measured below) maps it, as a deployment's runs after its first do.
        for (final ProxyVariant variant : variants)
        {
            StartupBenchmark.measureOnce(variant, brokerAddress, workDirectory);
        }
        final Map<String, List<Double>> seconds = new LinkedHashMap<>();
        for (int run = 1; run <= settings.startRuns(); run++)
        {
            for (int i = 0; i < variants.size(); i++)
            {
                final ProxyVariant variant = variants.get(run % 2 == 1 ? i : variants.size() - 1 - i);
                seconds.computeIfAbsent(variant.name(), k -> new ArrayList<>())
                    .add(StartupBenchmark.measureOnce(variant, brokerAddress, workDirectory).toNanos() / 1e9);
            }
        }
        seconds.forEach((name, values) ->
        {
            startSeconds.put(name, median(values));
            System.out.printf(Locale.ROOT, "start-up %s: median %.3f s of %s%n", name, median(values),
                values.stream().map(value -> String.format(Locale.ROOT, "%.3f", value)).toList());
        });
    }

    private void warmUp(final List<Route> routes) throws Exception
    {
        // Every JVM compiles its hot paths before anything is measured, not recorded. Too short a warm-up leaves C2
        // compiling during the measured runs, which shows as the proxy's CPU per GB (issue 15's table used 2 million).
        // Two passes of half the records each: C2's first code for the shared paths (the pipeline, SslHandler, the
        // response forwarder) is built from the produce profile alone and is thrown away when the first Fetch
        // responses pass; with one pass its recompilation fell into the first measured round (-XX:+PrintCompilation:
        // about 40 C2 compilations there, 7-12% of the proxy's CPU in its profile, bench/RESULTS.md 2026-12-04).
        final long records = Long.getLong(WARM_UP_RECORDS_PROPERTY, settings.records() / 5);
        for (int pass = 0; pass < 2; pass++)
        {
            for (final Route route : routes)
            {
                final String topic = "e2e-warm-up-" + route.name();
                createTopics(topic);
                producerPerformance(route.address(), topic, records / 2, -1);
                runTool("org.apache.kafka.tools.ConsumerPerformance", withClientConfig("--bootstrap-server",
                    route.address(), "--topic", topic, "--num-records", Long.toString(records / 2), "--group",
                    "e2e-warm-up-" + System.nanoTime(), "--timeout", "120000"));
                deleteTopics(topic);
            }
        }
        System.out.println("warmed up");
    }

    private Map<String, Double> runRound(final int round, final Route route) throws Exception
    {
        final String bootstrap = route.address();
        final Process proxy = route.proxy();
        final String topic = "e2e-" + round + "-" + route.name();
        final String latencyTopic = topic + "-latency";
        final String e2eTopic = topic + "-e2e";
        createTopics(topic, latencyTopic, e2eTopic);
        final Map<String, Double> figures = new LinkedHashMap<>();
        final double gigabytes = settings.records() * (double)settings.recordSize() / 1e9;

        // Phase lines, so that a profiler attached from outside (perf, JFR) can tell the produce window from the consume one.
        System.out.println("round " + round + " " + route.name() + ": produce");
        long ticks = proxy == null ? 0 : proxyCpuTicks(proxy);
        final MatchResult produce = producerPerformance(bootstrap, topic, settings.records(), -1);
        figures.put("produce MB/s", Double.parseDouble(produce.group(3)));
        if (proxy != null)
        {
            figures.put("proxy CPU s/GB produced", (proxyCpuTicks(proxy) - ticks) / (double)TICKS_PER_SECOND / gigabytes);
            figures.put("proxy RSS MiB after produce", proxyRssKib(proxy) / 1024.0);
        }

        System.out.println("round " + round + " " + route.name() + ": consume");
        ticks = proxy == null ? 0 : proxyCpuTicks(proxy);
        figures.put("consume MB/s", consumerPerformance(bootstrap, topic));
        if (proxy != null)
        {
            figures.put("proxy CPU s/GB consumed", (proxyCpuTicks(proxy) - ticks) / (double)TICKS_PER_SECOND / gigabytes);
        }

        System.out.println("round " + round + " " + route.name() + ": latency");
        final MatchResult latency = producerPerformance(bootstrap, latencyTopic, settings.latencyRecords(), settings.latencyRate());
        figures.put("p50 ms @" + settings.latencyRate() + "/s", Double.parseDouble(latency.group(6)));
        figures.put("p99 ms @" + settings.latencyRate() + "/s", Double.parseDouble(latency.group(8)));
        figures.put("p99.9 ms @" + settings.latencyRate() + "/s", Double.parseDouble(latency.group(9)));
        figures.put("avg ms @" + settings.latencyRate() + "/s", Double.parseDouble(latency.group(4)));

        figures.put("end-to-end avg ms", endToEndLatency(bootstrap, e2eTopic));
        if (tls != null)
        {
            ticks = proxy == null ? 0 : proxyCpuTicks(proxy);
            final TlsHandshakeRate.Result handshakes = TlsHandshakeRate.measure(bootstrap, tls, 4, 5_000);
            figures.put("TLS handshakes/s", handshakes.perSecond());
            if (proxy != null)
            {
                figures.put("proxy CPU ms/handshake",
                    (proxyCpuTicks(proxy) - ticks) * 1000.0 / TICKS_PER_SECOND / Math.max(1, handshakes.count()));
            }
        }
        if (proxy != null)
        {
            figures.put("proxy RSS MiB", proxyRssKib(proxy) / 1024.0);
        }
        deleteTopics(topic, latencyTopic, e2eTopic);
        return figures;
    }

    private MatchResult producerPerformance(final String bootstrap, final String topic, final long records, final int throughput)
        throws Exception
    {
        final String output = runTool("org.apache.kafka.tools.ProducerPerformance", withClientConfig(
            "--topic", topic,
            "--num-records", Long.toString(records),
            "--record-size", Integer.toString(settings.recordSize()),
            "--throughput", Integer.toString(throughput),
            "--producer-props", "bootstrap.servers=" + bootstrap, "acks=1"));
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
        final String output = runTool("org.apache.kafka.tools.ConsumerPerformance", withClientConfig(
            "--bootstrap-server", bootstrap,
            "--topic", topic,
            "--num-records", Long.toString(settings.records()),
            "--group", "e2e-" + System.nanoTime(),
            "--timeout", "120000"));
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
        final List<String> args = new ArrayList<>(List.of(
            bootstrap, topic, Long.toString(settings.e2eRecords()), "1", Integer.toString(settings.recordSize())));
        if (clientProperties != null)
        {
            // The sixth positional argument: a properties file for its producer and consumer.
            args.add(clientProperties.toString());
        }
        final String output = runTool("org.apache.kafka.tools.EndToEndLatency", args.toArray(String[]::new));
        final Matcher average = E2E_AVERAGE.matcher(output);
        if (!average.find())
        {
            throw new IllegalStateException("EndToEndLatency printed no average:\n" + output);
        }
        return Double.parseDouble(average.group(1));
    }

    /**
     * A tool's arguments, with the TLS client properties file when the run is TLS.
     *
     * @param args the tool's own arguments.
     * @return them, plus {@code --command-config FILE} under TLS.
     */
    private String[] withClientConfig(final String... args)
    {
        if (clientProperties == null)
        {
            return args;
        }
        final List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--command-config", clientProperties.toString()));
        return all.toArray(String[]::new);
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
        final List<String> command = new ArrayList<>(List.of(javaExecutable(), "-Xmx2g", "-cp", settings.brokerClasspath(),
            BenchBroker.class.getName()));
        if (tls != null)
        {
            final Path overrides = workDirectory.resolve("broker-tls.properties");
            final java.util.Properties properties = new java.util.Properties();
            properties.putAll(tls.brokerOverrides());
            try (java.io.Writer writer = Files.newBufferedWriter(overrides))
            {
                properties.store(writer, "the benchmark broker's SSL listener");
            }
            command.add(overrides.toString());
        }
        final Process broker = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(broker);
        brokerAddress = awaitLine(log, Pattern.compile("BROKER READY (\\S+)"), broker).group(1);
        System.out.println("broker at " + brokerAddress);
    }

    private Route startProxy(final String name, final String label, final ProxyVariant variant, final Path configFile)
        throws Exception
    {
        final Path launcher = variant.launcher();
        final String description = label.toLowerCase(Locale.ROOT);
        final Path log = workDirectory.resolve(description.replace(' ', '-') + ".log");
        final int port = freeProxyPort();
        final List<String> command = new ArrayList<>(List.of(launcher.toString()));
        if (configFile != null)
        {
            // The flags below override the file's keys, so the file contributes only what the plain proxy lacks.
            command.addAll(List.of("--config", configFile.toString()));
        }
        command.addAll(List.of("--bootstrap", brokerAddress, "--listen", "127.0.0.1:" + port, "--advertised-host", "127.0.0.1",
            "--admin-listen", "127.0.0.1:0", "--log-level", "WARN"));
        final ProcessBuilder builder = variant.applyTo(new ProcessBuilder(command)).redirectErrorStream(true)
            .redirectOutput(log.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        if (settings.policyConfig() != null)
        {
            // Two proxies from one distribution: without an archive yet, both would write the same class-data
            // archive when stopped. Off for both, so that they also start alike; it changes start-up time only.
            builder.environment().put("KAFKA_PROXY_CDS", "off");
        }
        final Process proxy = builder.start();
        processes.add(proxy);
        final String address = "127.0.0.1:" + port;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!portOpen(port))
        {
            if (System.nanoTime() > deadline || !proxy.isAlive())
            {
                throw new IllegalStateException("the " + description + " did not start:\n" + Files.readString(log));
            }
            Thread.sleep(50);
        }
        System.out.println(description + " at " + address + " (pid " + proxy.pid() + ")");
        return new Route(name, label, address, proxy);
    }

    private int freeProxyPort() throws IOException
    {
        while (true)
        {
            final int port;
            try (ServerSocket socket = new ServerSocket(0))
            {
                port = socket.getLocalPort();
            }
            // Each proxy binds node listeners on the ports just above its bootstrap port: two proxies' ranges must
            // not overlap, or the one started first could take the other's bootstrap port.
            if (proxyPorts.stream().allMatch(other -> Math.abs(other - port) > NODE_PORT_RANGE))
            {
                proxyPorts.add(port);
                return port;
            }
        }
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
        try (Admin admin = Admin.create(adminSettings()))
        {
            admin.createTopics(Arrays.stream(topics).map(topic -> new NewTopic(topic, 1, (short)1)).toList()).all()
                .get(60, TimeUnit.SECONDS);
        }
    }

    private void deleteTopics(final String... topics) throws Exception
    {
        try (Admin admin = Admin.create(adminSettings()))
        {
            admin.deleteTopics(List.of(topics)).all().get(60, TimeUnit.SECONDS);
        }
    }

    private Map<String, Object> adminSettings()
    {
        final Map<String, Object> settings = new java.util.HashMap<>(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokerAddress));
        if (tls != null)
        {
            settings.putAll(tls.clientSettings());
        }
        return settings;
    }

    private static long proxyCpuTicks(final Process proxy) throws IOException
    {
        // /proc/PID/stat: fields after the command name's closing parenthesis start at field 3; utime and stime are
        // fields 14 and 15, in clock ticks (100 per second on Linux).
        final String stat = Files.readString(Path.of("/proc", Long.toString(proxy.pid()), "stat"));
        final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    private static long proxyRssKib(final Process proxy) throws IOException
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

    private static void report(
        final Route baseline, final Route compared, final Map<String, List<Double>> baselineFigures,
        final Map<String, List<Double>> comparedFigures)
    {
        System.out.println();
        System.out.printf(Locale.ROOT, "| Figure | %s (median) | %s (median) | %s / %s | %s - %s | %s runs | %s runs |%n",
            baseline.label(), compared.label(), capitalized(compared.name()), baseline.name(), capitalized(compared.name()),
            baseline.name(), capitalized(baseline.name()), capitalized(compared.name()));
        System.out.println("|---|---|---|---|---|---|---|");
        for (final Map.Entry<String, List<Double>> figure : comparedFigures.entrySet())
        {
            final double comparedMedian = median(figure.getValue());
            final List<Double> baselineValues = baselineFigures.get(figure.getKey());
            final String baselineText = baselineValues == null ? "" : format(median(baselineValues));
            final String ratio = baselineValues == null ? "" :
                String.format(Locale.ROOT, "%.3f", comparedMedian / median(baselineValues));
            final String difference = baselineValues == null ? "" : format(comparedMedian - median(baselineValues));
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", figure.getKey(), baselineText,
                format(comparedMedian), ratio, difference,
                baselineValues == null ? "" : baselineValues.stream().map(EndToEndBenchmark::format).toList(),
                figure.getValue().stream().map(EndToEndBenchmark::format).toList());
        }
    }

    private void summary(
        final Route baseline, final Route compared, final Map<String, List<Double>> baselineFigures,
        final Map<String, List<Double>> comparedFigures)
    {
        System.out.println();
        if (baseline.proxy() == null)
        {
            System.out.printf(Locale.ROOT, "E2E produce=%.2fx consume=%.2fx cpuProduce=%.2fs/GB cpuConsume=%.2fs/GB " +
                "e2eAdded=%+.3fms rss=%.0fMiB start=%.3fs%n",
                ratio(comparedFigures, baselineFigures, "produce MB/s"),
                ratio(comparedFigures, baselineFigures, "consume MB/s"),
                medianOf(comparedFigures, "proxy CPU s/GB produced"),
                medianOf(comparedFigures, "proxy CPU s/GB consumed"),
                medianOf(comparedFigures, "end-to-end avg ms") - medianOf(baselineFigures, "end-to-end avg ms"),
                medianOf(comparedFigures, "proxy RSS MiB after produce"),
                startSeconds.getOrDefault(compared.name(), Double.NaN));
            return;
        }
        System.out.printf(Locale.ROOT, "E2E-AB %s/%s produce=%.2fx consume=%.2fx cpuProduce=%.2fx cpuConsume=%.2fx " +
            "e2eAdded=%+.3fms rss=%.2fx start=%.2fx%n", compared.name(), baseline.name(),
            ratio(comparedFigures, baselineFigures, "produce MB/s"),
            ratio(comparedFigures, baselineFigures, "consume MB/s"),
            ratio(comparedFigures, baselineFigures, "proxy CPU s/GB produced"),
            ratio(comparedFigures, baselineFigures, "proxy CPU s/GB consumed"),
            medianOf(comparedFigures, "end-to-end avg ms") - medianOf(baselineFigures, "end-to-end avg ms"),
            ratio(comparedFigures, baselineFigures, "proxy RSS MiB after produce"),
            startSeconds.getOrDefault(compared.name(), Double.NaN) / startSeconds.getOrDefault(baseline.name(), Double.NaN));
        for (final Route route : List.of(baseline, compared))
        {
            final Map<String, List<Double>> figures = route == baseline ? baselineFigures : comparedFigures;
            System.out.printf(Locale.ROOT, "E2E-%s produce=%.1fMB/s consume=%.1fMB/s cpuProduce=%.2fs/GB cpuConsume=%.2fs/GB " +
                "e2e=%.3fms rss=%.0fMiB start=%.3fs%n", route.name(),
                medianOf(figures, "produce MB/s"),
                medianOf(figures, "consume MB/s"),
                medianOf(figures, "proxy CPU s/GB produced"),
                medianOf(figures, "proxy CPU s/GB consumed"),
                medianOf(figures, "end-to-end avg ms"),
                medianOf(figures, "proxy RSS MiB after produce"),
                startSeconds.getOrDefault(route.name(), Double.NaN));
        }
    }

    private static double ratio(final Map<String, List<Double>> compared, final Map<String, List<Double>> baseline, final String figure)
    {
        return medianOf(compared, figure) / medianOf(baseline, figure);
    }

    private static double medianOf(final Map<String, List<Double>> figures, final String figure)
    {
        final List<Double> values = figures.get(figure);
        return values == null ? Double.NaN : median(values);
    }

    private static String capitalized(final String word)
    {
        return word.substring(0, 1).toUpperCase(Locale.ROOT) + word.substring(1);
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

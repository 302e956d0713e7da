package io.kafkaproxy.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Start-up to listening, measured from outside ({@link ListenerStartTimer}): the proxy from its distribution,
 * started and stopped again and again, alternating two variants when given (another distribution, or other flags),
 * then the median of each. Before the measured runs, each launcher is started once unmeasured, so that the
 * launcher's class-data archive exists (the first run writes it when it stops) and every measured run maps it, as
 * every run after a deployment's first does.
 *
 * <p>The proxy is given a bootstrap address nobody listens on: it does not connect to a broker before its first
 * client does, so no broker is needed to measure its start.
 *
 * <p>Run it with {@code bench/startup.sh}.
 */
public final class StartupBenchmark
{
    private StartupBenchmark()
    {
    }

    /**
     * Runs the benchmark.
     *
     * @param args {@code launcher [runs [launcherB]]}; with system properties {@code proxy.args},
     *             {@code proxy.argsB} and {@code proxy.javaOptsB} (see {@link ProxyVariant}).
     * @throws Exception if a proxy does not start.
     */
    public static void main(final String[] args) throws Exception
    {
        if (args.length < 1)
        {
            System.err.println("usage: java [-Dproxy.args=FLAGS] [-Dproxy.argsB=FLAGS] [-Dproxy.javaOptsB=OPTS] StartupBenchmark " +
                "LAUNCHER [RUNS [LAUNCHER_B]]");
            System.exit(2);
        }
        final int runs = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        final List<ProxyVariant> variants = new ArrayList<>(List.of(ProxyVariant.a(Path.of(args[0]))));
        if (args.length > 2)
        {
            variants.add(new ProxyVariant("b", Path.of(args[2]), List.of(), null));
        }
        else if (ProxyVariant.bOrNull(Path.of(args[0])) != null)
        {
            variants.add(ProxyVariant.bOrNull(Path.of(args[0])));
        }
        final Path workDirectory = Files.createTempDirectory("kafka-proxy-startup");
        final String bootstrap = "127.0.0.1:" + ProxyProcess.freePort();
        for (final ProxyVariant variant : variants)
        {
            System.out.printf(Locale.ROOT, "%s: %s %s%n", variant.name(), variant.launcher(), variant.description());
            measureOnce(variant, bootstrap, workDirectory);
        }
        final Map<String, List<Double>> seconds = new LinkedHashMap<>();
        final Map<String, List<Double>> cpuSeconds = new LinkedHashMap<>();
        for (int run = 1; run <= runs; run++)
        {
            // Alternate which variant goes first, so that neither always starts on a machine the other just warmed.
            final List<ProxyVariant> order = new ArrayList<>(variants);
            if (run % 2 == 0)
            {
                java.util.Collections.reverse(order);
            }
            for (final ProxyVariant variant : order)
            {
                final ListenerStartTimer.Started started = startAndStop(variant, bootstrap, workDirectory);
                final double value = started.launchToListening().toNanos() / 1e9;
                final double cpu = started.cpuToListening().toNanos() / 1e9;
                seconds.computeIfAbsent(variant.name(), k -> new ArrayList<>()).add(value);
                cpuSeconds.computeIfAbsent(variant.name(), k -> new ArrayList<>()).add(cpu);
                System.out.printf(Locale.ROOT, "run %d %s: %.3f s, CPU %.2f s%n", run, variant.name(), value, cpu);
            }
        }
        final StringBuilder line = new StringBuilder("STARTUP");
        seconds.forEach((name, values) -> line.append(String.format(Locale.ROOT, " %s=%.3fs", name, median(values))));
        if (seconds.size() == 2)
        {
            line.append(String.format(Locale.ROOT, " b/a=%.2fx", median(seconds.get("b")) / median(seconds.get("a"))));
        }
        cpuSeconds.forEach((name, values) -> line.append(String.format(Locale.ROOT, " %sCpu=%.2fs", name, median(values))));
        seconds.forEach((name, values) -> line.append(' ').append(name).append("Runs=").append(values.stream()
            .map(value -> String.format(Locale.ROOT, "%.3f", value)).toList().toString().replace(" ", "")));
        System.out.println(line);
    }

    /**
     * Starts a proxy, measures launch to listening, and stops it.
     *
     * @param variant       the proxy to start.
     * @param bootstrap     the broker address it is given.
     * @param workDirectory where its log goes.
     * @return launch to first accepted connection.
     * @throws Exception if it does not start or stop.
     */
    static Duration measureOnce(final ProxyVariant variant, final String bootstrap, final Path workDirectory) throws Exception
    {
        return startAndStop(variant, bootstrap, workDirectory).launchToListening();
    }

    private static ListenerStartTimer.Started startAndStop(final ProxyVariant variant, final String bootstrap, final Path workDirectory)
        throws Exception
    {
        final int port = ProxyProcess.freePort();
        final Path log = workDirectory.resolve("startup-" + variant.name() + ".log");
        final ProcessBuilder builder = variant.applyTo(new ProcessBuilder(new ArrayList<>(List.of(variant.launcher().toString(),
            "--bootstrap", bootstrap, "--listen", "127.0.0.1:" + port, "--advertised-host", "127.0.0.1",
            "--admin-listen", "127.0.0.1:0", "--log-level", "WARN"))))
            .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        final ListenerStartTimer.Started started = ListenerStartTimer.start(builder, port, log, Duration.ofSeconds(60));
        started.process().destroy();
        if (!started.process().waitFor(30, TimeUnit.SECONDS))
        {
            started.process().destroyForcibly();
        }
        return started;
    }

    static double median(final List<Double> values)
    {
        final double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }
}

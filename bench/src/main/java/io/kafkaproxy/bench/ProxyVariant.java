package io.kafkaproxy.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * One way of running the proxy in an A/B comparison: a launcher, flags added after the benchmark's own, and JVM
 * options for {@code KAFKA_PROXY_JAVA_OPTS}. Read from system properties so that the scripts can pass what their
 * caller put in the environment ({@code E2E_PROXY_ARGS}, {@code E2E_PROXY_ARGS_B}, {@code E2E_PROXY_JAVA_OPTS_B}).
 *
 * @param name      a or b.
 * @param launcher  the distribution's {@code bin/kafka-proxy}.
 * @param args      extra flags, e.g. {@code --transport io_uring} or {@code --config FILE}.
 * @param javaOpts  {@code KAFKA_PROXY_JAVA_OPTS} for this variant, or null to inherit the caller's.
 */
record ProxyVariant(String name, Path launcher, List<String> args, String javaOpts)
{
    /** System property: extra flags for every proxy (variant A). */
    static final String ARGS_PROPERTY = "proxy.args";
    /** System property: extra flags for variant B; set (even empty) to run two proxy variants against each other. */
    static final String ARGS_B_PROPERTY = "proxy.argsB";
    /** System property: {@code KAFKA_PROXY_JAVA_OPTS} for variant B. */
    static final String JAVA_OPTS_B_PROPERTY = "proxy.javaOptsB";
    /** System property: the CPU list ({@code taskset -c}) every proxy runs on, both variants; any CPU when absent. */
    static final String CPUS_PROPERTY = "e2e.proxyCpus";

    /**
     * Variant A, from {@link #ARGS_PROPERTY}.
     *
     * @param launcher the launcher to run.
     * @return the variant.
     */
    static ProxyVariant a(final Path launcher)
    {
        return new ProxyVariant("a", launcher, split(System.getProperty(ARGS_PROPERTY, "")), null);
    }

    /**
     * Variant B, from {@link #ARGS_B_PROPERTY} and {@link #JAVA_OPTS_B_PROPERTY}, or null when neither is set.
     *
     * @param launcher the launcher to run.
     * @return the variant, or null for no A/B comparison.
     */
    static ProxyVariant bOrNull(final Path launcher)
    {
        final String args = System.getProperty(ARGS_B_PROPERTY);
        final String javaOpts = System.getProperty(JAVA_OPTS_B_PROPERTY);
        if (args == null && javaOpts == null)
        {
            return null;
        }
        return new ProxyVariant("b", launcher, split(args == null ? "" : args), javaOpts);
    }

    /**
     * Applies the variant to a process about to start: its flags, its JVM options, and the CPUs of
     * {@link #CPUS_PROPERTY}.
     *
     * @param builder the proxy's process, its command a mutable list.
     * @return the builder.
     */
    ProcessBuilder applyTo(final ProcessBuilder builder)
    {
        final List<String> command = builder.command();
        command.addAll(args);
        final String cpus = System.getProperty(CPUS_PROPERTY, "");
        if (!cpus.isEmpty())
        {
            command.addAll(0, List.of("taskset", "-c", cpus));
        }
        if (javaOpts != null)
        {
            builder.environment().put("KAFKA_PROXY_JAVA_OPTS", javaOpts);
        }
        return builder;
    }

    /**
     * How the variant differs from the default proxy, for the report.
     *
     * @return its flags and JVM options, or "defaults".
     */
    String description()
    {
        final String flags = String.join(" ", args);
        final String text = (flags.isEmpty() ? "" : flags) + (javaOpts == null ? "" : " KAFKA_PROXY_JAVA_OPTS=" + javaOpts);
        return text.isBlank() ? "defaults" : text.trim();
    }

    private static List<String> split(final String text)
    {
        return text.isBlank() ? List.of() : Arrays.asList(text.trim().split("\\s+"));
    }
}

package io.kafkaproxy.proxy.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * The JVM and process meters of a proxy's registry, under names that pass Prometheus's lint.
 *
 * <p>Used by the lifecycle thread only: {@link #lintCleanNames} before any meter is registered,
 * {@link #bindTo} once the listeners are up, {@link #close} at shutdown.
 */
public final class JvmMetricsBinding implements AutoCloseable
{
    private static final Logger LOGGER = LoggerFactory.getLogger(JvmMetricsBinding.class);

    private final List<AutoCloseable> closeable = new ArrayList<>();

    /**
     * Renames or denies the meters whose names break Prometheus naming rules; call before registering any.
     *
     * @param registry the registry.
     */
    public static void lintCleanNames(final MeterRegistry registry)
    {
        // Two of Micrometer's names break Prometheus naming rules (promtool check metrics): a counter in "ns" and a
        // gauge ending in "_count". process_cpu_usage covers the first; the second gets a name that lints.
        registry.config()
            .meterFilter(MeterFilter.denyNameStartsWith("process.cpu.time"))
            .meterFilter(new MeterFilter()
            {
                @Override
                public Meter.Id map(final Meter.Id id)
                {
                    return id.getName().equals("system.cpu.count") ? id.withName("system.cpus.available") : id;
                }
            });
    }

    /**
     * Registers the JVM (memory, GC, threads, class loading) and process (CPU, uptime, file descriptors) meters.
     * They load the management beans: bind them off the start-up path clients wait on.
     *
     * @param registry the registry.
     */
    public void bindTo(final MeterRegistry registry)
    {
        final JvmGcMetrics gc = new JvmGcMetrics();
        closeable.add(gc);
        for (final MeterBinder binder : new MeterBinder[] {
            new JvmMemoryMetrics(), gc, new JvmThreadMetrics(), new ClassLoaderMetrics(), new ProcessorMetrics(),
            new UptimeMetrics(), new FileDescriptorMetrics()})
        {
            binder.bindTo(registry);
        }
    }

    /**
     * Stops the binders that listen to the JVM (GC notifications).
     */
    @Override
    public void close()
    {
        for (final AutoCloseable binder : closeable)
        {
            try
            {
                binder.close();
            }
            catch (final Exception e)
            {
                LOGGER.atDebug().setCause(e).log("closing a meter binder failed");
            }
        }
    }
}

package io.kafkaproxy.proxy.reload;

import io.kafkaproxy.proxy.cluster.ClusterSnapshot;
import io.kafkaproxy.proxy.config.ConfigException;
import io.kafkaproxy.proxy.config.ConfigParser;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.net.KafkaProxy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * Reloads the configuration file into a running proxy, in steps that each return a {@link StepResult}: read and
 * validate the file, plan ({@link ReloadPlan}: {@link ConfigChangeDetector} names what changed, live or
 * restart-only), apply ({@link ReloadApplier}: one compiled snapshot published per cluster).
 *
 * <p>What can change live is applied without closing a connection: upstream bootstrap servers and connect
 * timeout (for the next connections), frame size limits (from the next frame of every connection), idle timeout
 * (for new connections), log levels, the drain timeout, the listener's TLS material (for new handshakes; the files
 * are read again at every reload, changed YAML or not, and a file that does not load refuses the reload). What cannot (listener addresses, thread count, memory
 * pool, admin listener) is reported at WARN and keeps its running value, while the rest applies. A file that
 * does not parse or validate changes nothing: one ERROR line names the problem and the failure is counted.
 *
 * <p>Reloads are serialized: {@link #reload()} is synchronized, and signals are queued to one thread by
 * {@link #requestReload()}, so a burst of signals runs one reload after another, never two at once.
 */
public final class ConfigReloader implements AutoCloseable
{
    private static final Logger LOGGER = LoggerFactory.getLogger(ConfigReloader.class);

    private final Path file;
    private final UnaryOperator<ProxyConfig> overrides;
    private final KafkaProxy proxy;
    private final LogLevels logLevels;
    private final ReloadTarget target;
    private final ReloadApplier applier = new ReloadApplier(ClusterSnapshot::compile);
    private final ExecutorService reloadThread = Executors.newSingleThreadExecutor(runnable ->
    {
        final Thread thread = new Thread(runnable, "kafka-proxy-reload");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * The outcome of one reload.
     *
     * @param applied         whether the file was accepted.
     * @param changed         the YAML paths whose new values now apply.
     * @param restartRequired the YAML paths that changed but apply only after a restart.
     * @param error           why the file was refused, or null.
     */
    public record Result(boolean applied, List<String> changed, List<String> restartRequired, String error)
    {
    }

    /**
     * Creates the reloader of a running proxy.
     *
     * @param file      the configuration file the proxy started from.
     * @param overrides the command-line flags, applied over the file again at each reload.
     * @param proxy     the running proxy.
     * @param logLevels sets the log levels.
     */
    public ConfigReloader(final Path file, final UnaryOperator<ProxyConfig> overrides, final KafkaProxy proxy, final LogLevels logLevels)
    {
        this.file = file;
        this.overrides = overrides;
        this.proxy = proxy;
        this.logLevels = logLevels;
        this.target = new ReloadTarget()
        {
            @Override
            public ProxyConfig config()
            {
                return proxy.config();
            }

            @Override
            public void publish(final ProxyConfig config, final ClusterSnapshot snapshot)
            {
                proxy.publish(config, snapshot);
            }
        };
    }

    /**
     * Queues a reload on the reload thread and returns at once; for signal handlers.
     *
     * @return the reload's outcome, when it has run.
     */
    public Future<Result> requestReload()
    {
        return reloadThread.submit(this::reload);
    }

    /**
     * Reloads now, on the calling thread, after any reload already running: read, plan, apply. A step that fails
     * stops the reload, and the running configuration and snapshot stay.
     *
     * @return the outcome.
     */
    public synchronized Result reload()
    {
        final StepResult<ProxyConfig> read = read();
        if (read instanceof StepResult.Failed<ProxyConfig> failed)
        {
            return refused(failed.error());
        }
        final StepResult<ReloadPlan> planned = ReloadPlan.plan(target.config(), ((StepResult.Done<ProxyConfig>)read).value());
        if (planned instanceof StepResult.Failed<ReloadPlan> failed)
        {
            return refused(failed.error());
        }
        final StepResult<ReloadPlan> applied = applier.apply(((StepResult.Done<ReloadPlan>)planned).value(), target);
        if (applied instanceof StepResult.Failed<ReloadPlan> failed)
        {
            return refused(failed.error());
        }
        final ReloadPlan plan = ((StepResult.Done<ReloadPlan>)applied).value();
        logLevels.apply(plan.config().logging());
        proxy.metrics().onConfigReload(true);
        LOGGER.atInfo()
            .addKeyValue("file", file)
            .addKeyValue("changed", plan.changed())
            .log(plan.changed().isEmpty() ? "configuration reloaded; nothing changed" : "configuration reloaded and applied");
        if (!plan.restartRequired().isEmpty())
        {
            LOGGER.atWarn()
                .addKeyValue("file", file)
                .addKeyValue("restartRequired", plan.restartRequired())
                .log("configuration changes that apply only after a restart were not applied; the running values stay");
        }
        return new Result(true, plan.changed(), plan.restartRequired(), null);
    }

    private StepResult<ProxyConfig> read()
    {
        try
        {
            return new StepResult.Done<>(overrides.apply(ConfigParser.parse(file)));
        }
        catch (final ConfigException | IllegalArgumentException e)
        {
            return new StepResult.Failed<>(e.getMessage());
        }
    }

    private Result refused(final String error)
    {
        proxy.metrics().onConfigReload(false);
        LOGGER.atError()
            .addKeyValue("file", file)
            .addKeyValue("error", error)
            .log("configuration reload refused; the running configuration stays");
        return new Result(false, List.of(), List.of(), error);
    }

    @Override
    public void close()
    {
        reloadThread.shutdown();
        try
        {
            reloadThread.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }
}

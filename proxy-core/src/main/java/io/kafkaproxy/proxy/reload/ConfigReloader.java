package io.kafkaproxy.proxy.reload;

import io.kafkaproxy.proxy.config.ConfigException;
import io.kafkaproxy.proxy.config.ConfigParser;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.net.KafkaProxy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * Reloads the configuration file into a running proxy: read, validate, diff, apply.
 *
 * <p>What can change live is applied without closing a connection: upstream bootstrap servers and connect
 * timeout (for the next connections), frame size limits (from the next frame of every connection), idle timeout
 * (for new connections), log levels, the drain timeout. What cannot (listener addresses, thread count, memory
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
     * Reloads now, on the calling thread, after any reload already running.
     *
     * @return the outcome.
     */
    public synchronized Result reload()
    {
        final ProxyConfig running = proxy.config();
        final ProxyConfig effective;
        final List<String> restartRequired;
        try
        {
            final ProxyConfig fromFile = overrides.apply(ConfigParser.parse(file));
            restartRequired = proxy.restartOnlyChanges(fromFile);
            // Restart-only settings keep their running values; the record's checks then judge the result as a whole
            // (a new frame limit must still fit the running pool).
            effective = ProxyConfig.of(
                running.listener(),
                fromFile.upstream(),
                fromFile.network().withIoThreads(running.network().ioThreads()),
                running.memory(),
                running.admin(),
                fromFile.logging(),
                fromFile.shutdown(),
                fromFile.acl(),
                fromFile.audit().withRingSizeBytes(running.audit().ringSizeBytes()),
                fromFile.quotas(),
                fromFile.circuitBreaker());
        }
        catch (final ConfigException | IllegalArgumentException e)
        {
            return refused(e.getMessage());
        }
        final List<String> changed = liveChanges(running, effective);
        proxy.reconfigure(effective);
        logLevels.apply(effective.logging());
        proxy.metrics().onConfigReload(true);
        LOGGER.atInfo()
            .addKeyValue("file", file)
            .addKeyValue("changed", changed)
            .log(changed.isEmpty() ? "configuration reloaded; nothing changed" : "configuration reloaded and applied");
        if (!restartRequired.isEmpty())
        {
            LOGGER.atWarn()
                .addKeyValue("file", file)
                .addKeyValue("restartRequired", restartRequired)
                .log("configuration changes that apply only after a restart were not applied; the running values stay");
        }
        return new Result(true, changed, restartRequired, null);
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

    private static List<String> liveChanges(final ProxyConfig running, final ProxyConfig next)
    {
        final List<String> changed = new ArrayList<>();
        changedIf(changed, "upstream.bootstrapServers", running.upstream().bootstrapServers(), next.upstream().bootstrapServers());
        changedIf(changed, "upstream.connectTimeout", running.upstream().connectTimeout(), next.upstream().connectTimeout());
        changedIf(changed, "network.maxRequestSizeBytes", running.network().maxRequestSizeBytes(), next.network().maxRequestSizeBytes());
        changedIf(changed, "network.maxResponseSizeBytes", running.network().maxResponseSizeBytes(), next.network().maxResponseSizeBytes());
        changedIf(changed, "network.idleTimeout", running.network().idleTimeout(), next.network().idleTimeout());
        changedIf(changed, "logging", running.logging(), next.logging());
        changedIf(changed, "shutdown.drainTimeout", running.shutdown().drainTimeout(), next.shutdown().drainTimeout());
        changedIf(changed, "acl", running.acl(), next.acl());
        changedIf(changed, "audit", running.audit(), next.audit());
        changedIf(changed, "quotas", running.quotas(), next.quotas());
        changedIf(changed, "circuitBreaker", running.circuitBreaker(), next.circuitBreaker());
        return changed;
    }

    private static void changedIf(final List<String> changed, final String path, final Object before, final Object after)
    {
        if (!Objects.equals(before, after))
        {
            changed.add(path);
        }
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

package io.kafkaproxy.proxy.cli;

import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.net.KafkaProxy;
import io.kafkaproxy.proxy.reload.ConfigReloader;
import io.kafkaproxy.proxy.reload.LogLevels;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

import java.nio.file.Path;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.UnaryOperator;

/**
 * Runs one proxy from start to stop: starts it, hands it the reload and stop requests the {@link SignalRelay}
 * records, tells systemd where it stands, then drains and closes it.
 *
 * <p>A stop requested before the proxy starts (during option parsing, or while the demo's broker starts) skips
 * the start; one requested while it starts lets the start finish, then drains and closes. Either way the exit
 * code is 0. Reloads requested before the proxy is ready are applied, once, as soon as it is.
 */
final class ProxyRunner
{
    private static final Logger LOGGER = LoggerFactory.getLogger(ProxyRunner.class);

    private final SignalRelay signals;
    private final SystemdNotifier systemd;

    ProxyRunner(final SignalRelay signals, final SystemdNotifier systemd)
    {
        this.signals = signals;
        this.systemd = systemd;
    }

    /**
     * Starts a proxy with this process's signals and systemd notifier, and serves until SIGTERM or SIGINT.
     *
     * @param config     the configuration.
     * @param configFile the file to reload, or null when the configuration came from flags only.
     * @param flags      the command-line flags, applied over the file again at each reload.
     * @param afterStart run once the proxy is listening (to print where), or null.
     * @return the exit code.
     */
    static int runUntilStopped(
        final ProxyConfig config, final Path configFile, final UnaryOperator<ProxyConfig> flags, final Runnable afterStart)
    {
        return new ProxyRunner(SignalRelay.install(), SystemdNotifier.fromEnvironment()).run(config, configFile, flags, afterStart);
    }

    /**
     * Starts a proxy and serves until a stop is requested, reloading the configuration file on request; then
     * drains and closes it.
     *
     * @param config     the configuration.
     * @param configFile the file to reload, or null when the configuration came from flags only.
     * @param flags      the command-line flags, applied over the file again at each reload.
     * @param afterStart run once the proxy is listening (to print where), or null.
     * @return the exit code.
     */
    int run(final ProxyConfig config, final Path configFile, final UnaryOperator<ProxyConfig> flags, final Runnable afterStart)
    {
        final LogLevels logLevels = new LogLevels();
        logLevels.apply(config.logging());
        signals.onLoggingReady();
        if (signals.stopRequested())
        {
            LOGGER.atInfo().log("stop requested before the proxy started; not starting it");
            return ExitCodes.OK;
        }
        final KafkaProxy proxy;
        try
        {
            proxy = KafkaProxy.builder(config).start();
        }
        catch (final KafkaProxy.ProxyStartException e)
        {
            // One line naming the listener and its address is what the operator acts on; the stack trace adds
            // nothing to it but noise, unless someone is debugging the proxy itself.
            final LoggingEventBuilder line = LOGGER.atError();
            (LOGGER.isDebugEnabled() ? line.setCause(e) : line).log(e.getMessage());
            return ExitCodes.RUNTIME_FAILURE;
        }
        // A stop that bypasses the signal handlers (System.exit elsewhere, a signal the JVM keeps) still drains.
        Runtime.getRuntime().addShutdownHook(new Thread(proxy::close, "kafka-proxy-shutdown"));
        final ConfigReloader reloader = configFile == null ? null : new ConfigReloader(configFile, flags, proxy, logLevels);
        signals.onReady(reloader != null ? () -> requestReload(reloader) :
            () -> LOGGER.atWarn().log("reload requested, but the proxy was started without --config: nothing to reload"));
        systemd.notify("READY=1");
        if (afterStart != null && !signals.stopRequested())
        {
            afterStart.run();
        }
        try
        {
            signals.awaitStop();
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        systemd.notify("STOPPING=1");
        if (reloader != null)
        {
            reloader.close();
        }
        proxy.close();
        return ExitCodes.OK;
    }

    private static void requestReload(final ConfigReloader reloader)
    {
        try
        {
            reloader.requestReload();
        }
        catch (final RejectedExecutionException e)
        {
            // A reload handed on just as the stop closed the reloader: the proxy is going away, nothing to apply.
            LOGGER.atDebug().log("reload requested while stopping: ignored");
        }
    }
}

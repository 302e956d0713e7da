package io.kafkaproxy.proxy.cli;

import io.kafkaproxy.proxy.config.ConfigException;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.net.KafkaProxy;
import io.kafkaproxy.proxy.reload.ConfigReloader;
import io.kafkaproxy.proxy.reload.LogLevels;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;

/**
 * {@code kafka-proxy [run] [options]}: runs the proxy in the foreground until SIGTERM or SIGINT, reloading its
 * configuration file on SIGHUP or SIGUSR1.
 */
@Command(
    name = "kafka-proxy",
    mixinStandardHelpOptions = true,
    versionProvider = ManifestVersionProvider.class,
    description = "A Kafka-protocol proxy: clients set bootstrap.servers to the proxy and never see a broker address.",
    subcommands = {RunCommand.class, CheckConfigCommand.class, DemoCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:stopped cleanly (SIGTERM or SIGINT), or check-config found the file valid",
        "1:failed while running (a listener could not be bound, the demo broker did not start)",
        "2:bad usage or configuration (check-config lists every error)"},
    footerHeading = "%nSignals:%n",
    footer = {
        "SIGHUP, SIGUSR1  reload the --config file: live settings apply without closing a connection",
        "SIGTERM, SIGINT  stop: stop accepting, answer requests already read (shutdown.drainTimeout), exit 0"})
public final class KafkaProxyCommand implements Callable<Integer>
{
    private static final Logger LOGGER = LoggerFactory.getLogger(KafkaProxyCommand.class);

    @Mixin
    ProxyOptions options;

    /**
     * The process entry point.
     *
     * @param args the command line.
     */
    public static void main(final String[] args)
    {
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line with its exit-code mapping, for the launcher and for tests.
     *
     * @return a fresh command line.
     */
    public static CommandLine commandLine()
    {
        return new CommandLine(new KafkaProxyCommand())
            .registerConverter(HostPort.class, HostPort::parse)
            .setExecutionExceptionHandler((error, commandLine, parseResult) ->
            {
                if (error instanceof ConfigException)
                {
                    commandLine.getErr().println("kafka-proxy: " + error.getMessage());
                    return ExitCodes.USAGE;
                }
                throw error;
            });
    }

    @Override
    public Integer call() throws Exception
    {
        return runUntilStopped(options.toConfig(null), options.configFile, options::applyFlags, null);
    }

    /**
     * Starts a proxy and serves until SIGTERM or SIGINT, reloading the configuration file on SIGHUP and SIGUSR1;
     * then drains and closes it.
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
        final LogLevels logLevels = new LogLevels();
        logLevels.apply(config.logging());
        // Stop signals are ours before anything starts, so that one arriving during start-up still drains and exits 0.
        final CountDownLatch stopRequested = new CountDownLatch(1);
        Signals.handleStop(stopRequested::countDown);
        final KafkaProxy proxy;
        try
        {
            proxy = KafkaProxy.builder(config).start();
        }
        catch (final KafkaProxy.ProxyStartException e)
        {
            LOGGER.atError().setCause(e).log(e.getMessage());
            return ExitCodes.RUNTIME_FAILURE;
        }
        final ConfigReloader reloader = configFile == null ? null : new ConfigReloader(configFile, flags, proxy, logLevels);
        Signals.handleReload(reloader != null ? reloader::requestReload :
            () -> LOGGER.atWarn().log("reload requested, but the proxy was started without --config: nothing to reload"));
        // A stop that bypasses the signal handlers (System.exit elsewhere, a signal the JVM keeps) still drains.
        final Thread shutdownHook = new Thread(proxy::close, "kafka-proxy-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        if (afterStart != null)
        {
            afterStart.run();
        }
        try
        {
            stopRequested.await();
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        if (reloader != null)
        {
            reloader.close();
        }
        proxy.close();
        return ExitCodes.OK;
    }
}

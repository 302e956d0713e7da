package io.kafkaproxy.proxy.cli;

import io.kafkaproxy.proxy.config.ConfigException;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.net.KafkaProxy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code kafka-proxy [run] [options]}: runs the proxy in the foreground until SIGTERM or SIGINT.
 */
@Command(
    name = "kafka-proxy",
    mixinStandardHelpOptions = true,
    versionProvider = ManifestVersionProvider.class,
    description = "A Kafka-protocol proxy: clients set bootstrap.servers to the proxy and never see a broker address.",
    subcommands = {RunCommand.class, DemoCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:stopped cleanly",
        "1:failed while running (a listener could not be bound, the demo broker did not start)",
        "2:bad usage or configuration"})
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
        return runUntilStopped(options.toConfig(null), null);
    }

    /**
     * Starts a proxy and blocks until the JVM is asked to stop, then closes it.
     *
     * @param config      the configuration.
     * @param afterStart  run once the proxy is listening (to print where), or null.
     * @return the exit code.
     */
    static int runUntilStopped(final ProxyConfig config, final Runnable afterStart)
    {
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
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            proxy.close();
            stopped.countDown();
        }, "kafka-proxy-shutdown"));
        if (afterStart != null)
        {
            afterStart.run();
        }
        try
        {
            stopped.await();
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        return ExitCodes.OK;
    }
}

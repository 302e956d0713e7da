package io.kafkaproxy.proxy.cli;

import io.kafkaproxy.proxy.config.ConfigException;
import io.kafkaproxy.proxy.config.HostPort;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/**
 * {@code kafka-proxy [run] [options]}: runs the proxy in the foreground until SIGTERM or SIGINT, reloading its
 * configuration file on SIGHUP or SIGUSR1.
 */
@Command(
    name = "kafka-proxy",
    mixinStandardHelpOptions = true,
    versionProvider = ManifestVersionProvider.class,
    description = "A Kafka-protocol proxy: clients set bootstrap.servers to the proxy and never see a broker address.",
    subcommands = {RunCommand.class, CheckConfigCommand.class, DemoCommand.class, HashPasswordCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:stopped cleanly (SIGTERM or SIGINT), or check-config found the file valid",
        "1:failed while running (a listener could not be bound, the demo broker did not start)",
        "2:bad usage or configuration (check-config lists every error)"},
    footerHeading = "%nSignals:%n",
    footer = {
        "SIGHUP, SIGUSR1  reload the --config file: live settings apply without closing a connection; one sent",
        "                 during start-up is applied once the proxy serves",
        "SIGTERM, SIGINT  stop: stop accepting, answer requests already read (shutdown.drainTimeout), exit 0"})
public final class KafkaProxyCommand implements Callable<Integer>
{
    /** picocli's switch for Groovy closures in annotations. */
    static final String DISABLE_GROOVY_CLOSURES = "picocli.disable.closures";

    @Mixin
    ProxyOptions options;

    /**
     * The process entry point.
     *
     * @param args the command line.
     */
    public static void main(final String[] args)
    {
        // First, before picocli and logging load: until then the JVM's own SIGHUP handling exits the process.
        SignalRelay.install();
        // On a second thread while picocli parses: the first lookup the class-data archive cannot answer opens every jar.
        ClassPathOpener.start(KafkaProxyCommand.class.getClassLoader());
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line with its exit-code mapping, for the launcher and for tests.
     *
     * @return a fresh command line.
     */
    public static CommandLine commandLine()
    {
        // picocli looks for groovy.lang.Closure once (annotations may hold Groovy closures; none here): a class no jar
        // has, so that lookup alone would open every jar of the class path on this thread (see ClassPathOpener).
        if (System.getProperty(DISABLE_GROOVY_CLOSURES) == null)
        {
            System.setProperty(DISABLE_GROOVY_CLOSURES, "true");
        }
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
        return ProxyRunner.runUntilStopped(options.toConfig(null), options.configFile, options::applyFlags, null);
    }
}

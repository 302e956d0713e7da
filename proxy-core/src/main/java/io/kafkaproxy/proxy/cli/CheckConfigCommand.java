package io.kafkaproxy.proxy.cli;

import io.kafkaproxy.proxy.cluster.ClusterSnapshot;
import io.kafkaproxy.proxy.config.ClusterConfig;
import io.kafkaproxy.proxy.config.ConfigException;
import io.kafkaproxy.proxy.config.ConfigParser;
import io.kafkaproxy.proxy.config.ConfigWriter;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.sasl.SaslCredentials;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code kafka-proxy check-config FILE}: validates a configuration file without starting anything; prints the
 * effective configuration (every default filled in) when it is valid, else every error with its YAML path and
 * line.
 *
 * <p>A valid file's snapshot is compiled too, as the proxy does at start, so the files it names (TLS material,
 * passwords, SASL credentials) are read and checked where this command runs: the first that does not load is the
 * error.
 */
@Command(name = "check-config", mixinStandardHelpOptions = true,
    description = "Validate a configuration file and the files it names (TLS material, passwords, SASL credentials): " +
        "print the effective configuration, or every error with its YAML path and line (exit code 2).")
final class CheckConfigCommand implements Callable<Integer>
{
    @Parameters(index = "0", paramLabel = "FILE", description = "The YAML configuration file.")
    Path file;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws ConfigException
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final String yaml;
        try
        {
            yaml = Files.readString(file, StandardCharsets.UTF_8);
        }
        catch (final NoSuchFileException e)
        {
            err.println(file + ": no such file");
            return ExitCodes.USAGE;
        }
        catch (final IOException e)
        {
            err.println(file + ": cannot read: " + e);
            return ExitCodes.USAGE;
        }
        final List<String> errors = ConfigParser.check(yaml, file.toString());
        if (!errors.isEmpty())
        {
            errors.forEach(err::println);
            err.println(errors.size() == 1 ? "1 error" : errors.size() + " errors");
            err.flush();
            return ExitCodes.USAGE;
        }
        final ProxyConfig config = ConfigParser.parse(yaml, file.toString());
        try
        {
            for (final ClusterConfig cluster : config.clusters())
            {
                ClusterSnapshot.compile(config, cluster);
            }
            if (config.routing() != null && config.routing().listener().sasl() != null)
            {
                // As the proxy reads them when it binds the routing listener.
                SaslCredentials.load(config.routing().listener().sasl(), "routing.listener.sasl");
            }
        }
        catch (final IllegalArgumentException e)
        {
            err.println(ConfigParser.locate(yaml, file.toString(), e.getMessage()));
            err.println("1 error");
            err.flush();
            return ExitCodes.USAGE;
        }
        out.println("# " + file + ": valid. The effective configuration, every default filled in:");
        out.print(ConfigWriter.toYaml(config));
        out.flush();
        return ExitCodes.OK;
    }
}

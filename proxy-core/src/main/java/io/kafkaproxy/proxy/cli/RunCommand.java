package io.kafkaproxy.proxy.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/**
 * {@code kafka-proxy run [options]}: the same as {@code kafka-proxy [options]}.
 */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run the proxy (the default command).")
final class RunCommand implements Callable<Integer>
{
    @Mixin
    ProxyOptions options;

    @Override
    public Integer call() throws Exception
    {
        return ProxyRunner.runUntilStopped(options.toConfig(null), options.configFile, options::applyFlags, null);
    }
}

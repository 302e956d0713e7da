package io.kafkaproxy.proxy.cli;

import io.kafkaproxy.proxy.config.ConfigException;
import io.kafkaproxy.proxy.config.ConfigParser;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.ListenerConfig;
import io.kafkaproxy.proxy.config.MemoryConfig;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.config.BrokerClusterConfig;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The options that build a configuration: a file, and flags that override its common keys.
 */
final class ProxyOptions
{
    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "YAML configuration file.")
    Path configFile;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT[,HOST:PORT...]",
        description = "Upstream bootstrap servers (upstream.bootstrapServers).")
    String bootstrapServers;

    @Option(names = "--listen", paramLabel = "HOST:PORT",
        description = "Bootstrap listener address (listener.bindAddress). Default 0.0.0.0:9092.")
    HostPort listen;

    @Option(names = "--advertised-host", paramLabel = "HOST",
        description = "Host clients are given for every broker (listener.advertisedHost).")
    String advertisedHost;

    @Option(names = "--io-threads", paramLabel = "N",
        description = "Event loop threads (network.ioThreads); 0 for one per core.")
    Integer ioThreads;

    @Option(names = "--pool-size", paramLabel = "SIZE",
        description = "Off-heap memory budget for frames (memory.poolSizeBytes), e.g. 512MiB.")
    String poolSize;

    @Option(names = "--admin-listen", paramLabel = "HOST:PORT",
        description = "Admin HTTP listener for /metrics, /healthz, /readyz (admin.bindAddress). Default 127.0.0.1:9190.")
    HostPort adminListen;

    @Option(names = "--log-level", paramLabel = "LEVEL",
        description = "Root log level (logging.level): ERROR, WARN, INFO, DEBUG or TRACE.")
    String logLevel;

    /**
     * The configuration: the file if given (else defaults), with the flags applied over it.
     *
     * @param defaultBootstrap upstream servers to use when neither file nor flag gives any, or null.
     * @return the configuration.
     * @throws ConfigException if the file is invalid, or no upstream is given.
     */
    ProxyConfig toConfig(final List<HostPort> defaultBootstrap) throws ConfigException
    {
        final ProxyConfig config;
        if (configFile != null)
        {
            config = ConfigParser.parse(configFile);
        }
        else
        {
            final List<HostPort> servers = bootstrapServers != null ? parseServers(bootstrapServers) : defaultBootstrap;
            if (servers == null)
            {
                throw new ConfigException("no upstream cluster: give --bootstrap HOST:PORT or --config FILE", null);
            }
            config = ProxyConfig.builder(BrokerClusterConfig.of(servers, null)).build();
        }
        try
        {
            return applyFlags(config);
        }
        catch (final IllegalArgumentException e)
        {
            throw new ConfigException(e.getMessage(), e);
        }
    }

    /**
     * Applies the flags over a configuration: at start, and again over the file at each reload, so that a flag
     * keeps winning over the file.
     *
     * @param fileConfig the configuration read from the file (or built from defaults).
     * @return the configuration with the flags applied.
     * @throws IllegalArgumentException if a flag's value is invalid, naming the flag.
     */
    ProxyConfig applyFlags(final ProxyConfig fileConfig)
    {
        ProxyConfig config = fileConfig;
        try
        {
            if (bootstrapServers != null)
            {
                config = config.toBuilder().upstream(config.upstream().withBootstrapServers(parseServers(bootstrapServers))).build();
            }
            if (listen != null)
            {
                final ListenerConfig listener = config.listener().withBindAddress(listen, false);
                config = config.toBuilder().listener(advertisedHost != null || configFile != null ? listener :
                    listener.withAdvertisedHost(ListenerConfig.of(listen, null, null).advertisedHost())).build();
            }
            if (advertisedHost != null)
            {
                config = config.toBuilder().listener(config.listener().withAdvertisedHost(advertisedHost)).build();
            }
            if (ioThreads != null)
            {
                config = config.toBuilder().network(config.network().withIoThreads(ioThreads)).build();
            }
            if (poolSize != null)
            {
                config = config.toBuilder().memory(config.memory().withPoolSizeBytes(MemoryConfig.size("--pool-size", poolSize))).build();
            }
            if (adminListen != null)
            {
                config = config.toBuilder().admin(config.admin().withBindAddress(adminListen)).build();
            }
            if (logLevel != null)
            {
                config = config.toBuilder().logging(config.logging().withLevel(logLevel)).build();
            }
        }
        catch (final IllegalArgumentException e)
        {
            throw new IllegalArgumentException("invalid option: " + e.getMessage(), e);
        }
        return config;
    }

    private static List<HostPort> parseServers(final String text)
    {
        return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(HostPort::parse).toList();
    }
}

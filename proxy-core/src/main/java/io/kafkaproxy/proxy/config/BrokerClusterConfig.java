package io.kafkaproxy.proxy.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Duration;
import java.util.List;

/**
 * The {@code upstream} section: the Kafka cluster behind the proxy.
 *
 * @param bootstrapServers the cluster's bootstrap servers, {@code host:port}; at least one. No default.
 * @param connectTimeout   how long a broker connection may take before the client's connection is closed.
 *                         Default 10s.
 */
public record BrokerClusterConfig(List<HostPort> bootstrapServers, Duration connectTimeout)
{
    /** Default connect timeout. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Validates the section.
     *
     * @throws IllegalArgumentException naming the YAML path of the first bad value.
     */
    public BrokerClusterConfig
    {
        if (bootstrapServers == null || bootstrapServers.isEmpty())
        {
            throw new IllegalArgumentException("upstream.bootstrapServers: at least one host:port is required");
        }
        for (final HostPort server : bootstrapServers)
        {
            if (server.port() == 0)
            {
                throw new IllegalArgumentException("upstream.bootstrapServers: port 0 is not a broker address: " + server);
            }
        }
        bootstrapServers = List.copyOf(bootstrapServers);
        if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero() ||
            connectTimeout.toMillis() > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("upstream.connectTimeout: must be positive: " + connectTimeout);
        }
    }

    /**
     * Reads the section, filling in defaults for absent keys.
     *
     * @param bootstrapServers the bootstrap servers.
     * @param connectTimeout   the connect timeout, or null.
     * @return the section.
     */
    @JsonCreator
    public static BrokerClusterConfig of(
        @JsonProperty("bootstrapServers") final List<HostPort> bootstrapServers,
        @JsonProperty("connectTimeout") final Duration connectTimeout)
    {
        return new BrokerClusterConfig(bootstrapServers, connectTimeout == null ? DEFAULT_CONNECT_TIMEOUT : connectTimeout);
    }

    /**
     * The same section with other bootstrap servers.
     *
     * @param servers the new servers.
     * @return the new section.
     */
    public BrokerClusterConfig withBootstrapServers(final List<HostPort> servers)
    {
        return new BrokerClusterConfig(servers, connectTimeout);
    }
}

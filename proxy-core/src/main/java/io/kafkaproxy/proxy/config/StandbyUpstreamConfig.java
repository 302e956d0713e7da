package io.kafkaproxy.proxy.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Duration;
import java.util.List;

/**
 * The {@code upstream.standby} section: the cluster in the other data centre that a virtual cluster fails over to. The
 * keys of {@code upstream} without nesting (a standby has no standby of its own).
 *
 * @param bootstrapServers the standby's bootstrap servers, {@code host:port}; at least one. No default.
 * @param connectTimeout   how long a broker connection to the standby may take. Default 10s.
 * @param tls              TLS to the standby's brokers; null: plaintext.
 * @param sasl             the proxy's own SASL login to the standby's brokers; null: none.
 */
public record StandbyUpstreamConfig(List<HostPort> bootstrapServers, Duration connectTimeout, BrokerTlsConfig tls, BrokerSaslConfig sasl)
{
    /**
     * Validates the section.
     *
     * @throws IllegalArgumentException naming the YAML path of the first bad value.
     */
    public StandbyUpstreamConfig
    {
        if (bootstrapServers == null || bootstrapServers.isEmpty())
        {
            throw new IllegalArgumentException("upstream.standby.bootstrapServers: at least one host:port is required");
        }
        for (final HostPort server : bootstrapServers)
        {
            if (server.port() == 0)
            {
                throw new IllegalArgumentException("upstream.standby.bootstrapServers: port 0 is not a broker address: " + server);
            }
        }
        bootstrapServers = List.copyOf(bootstrapServers);
        if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero() ||
            connectTimeout.toMillis() > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("upstream.standby.connectTimeout: must be positive: " + connectTimeout);
        }
    }

    /**
     * Reads the section, filling in defaults for absent keys.
     *
     * @param bootstrapServers the bootstrap servers.
     * @param connectTimeout   the connect timeout, or null.
     * @param tls              TLS to the brokers, or null.
     * @param sasl             the proxy's login to the brokers, or null.
     * @return the section.
     */
    @JsonCreator
    public static StandbyUpstreamConfig of(
        @JsonProperty("bootstrapServers") final List<HostPort> bootstrapServers,
        @JsonProperty("connectTimeout") final Duration connectTimeout,
        @JsonProperty("tls") final BrokerTlsConfig tls,
        @JsonProperty("sasl") final BrokerSaslConfig sasl)
    {
        return new StandbyUpstreamConfig(bootstrapServers,
            connectTimeout == null ? BrokerClusterConfig.DEFAULT_CONNECT_TIMEOUT : connectTimeout, tls, sasl);
    }
}

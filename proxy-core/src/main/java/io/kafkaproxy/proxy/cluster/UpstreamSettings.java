package io.kafkaproxy.proxy.cluster;

import io.kafkaproxy.proxy.config.BrokerClusterConfig;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.StandbyUpstreamConfig;
import io.kafkaproxy.proxy.tls.BrokerTlsContext;

import java.util.List;

/**
 * One upstream cluster as the proxy reaches it, compiled: the primary ({@code upstream}) or the standby
 * ({@code upstream.standby}) of a virtual cluster. Its TLS material and password file are read at compile time.
 *
 * @param name                 {@code primary} or {@code standby}: the {@code upstream} label of the failover meters.
 * @param bootstrapServers     the cluster's bootstrap servers.
 * @param connectTimeoutMillis how long a broker connection may take.
 * @param brokerTls            TLS to its brokers; null: plaintext.
 * @param brokerLogin          the proxy's own SASL login to its brokers; null: none.
 */
public record UpstreamSettings(
    String name, List<HostPort> bootstrapServers, int connectTimeoutMillis, BrokerTlsContext brokerTls, BrokerLoginCredentials brokerLogin)
{
    /** The name of the {@code upstream} section's cluster. */
    public static final String PRIMARY = "primary";
    /** The name of the {@code upstream.standby} section's cluster. */
    public static final String STANDBY = "standby";

    /**
     * Compiles the primary upstream.
     *
     * @param config the {@code upstream} section.
     * @return the settings.
     * @throws IllegalArgumentException if its TLS material or password file does not load.
     */
    public static UpstreamSettings primary(final BrokerClusterConfig config)
    {
        return new UpstreamSettings(PRIMARY, config.bootstrapServers(), (int)config.connectTimeout().toMillis(),
            config.tls() == null ? null : BrokerTlsContext.compile(config.tls()),
            config.sasl() == null ? null : BrokerLoginCredentials.compile(config.sasl()));
    }

    /**
     * Compiles the standby upstream.
     *
     * @param config the {@code upstream.standby} section, or null.
     * @return the settings, or null without a standby.
     * @throws IllegalArgumentException if its TLS material or password file does not load.
     */
    public static UpstreamSettings standby(final StandbyUpstreamConfig config)
    {
        if (config == null)
        {
            return null;
        }
        return new UpstreamSettings(STANDBY, config.bootstrapServers(), (int)config.connectTimeout().toMillis(),
            config.tls() == null ? null : BrokerTlsContext.compile(config.tls(), "upstream.standby.tls"),
            config.sasl() == null ? null : BrokerLoginCredentials.compile(config.sasl(), "upstream.standby.sasl"));
    }
}

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
 *                         Default 10s. The TLS handshake with a broker gets the same time again.
 * @param tls              TLS to the brokers; null: plaintext.
 * @param sasl             the proxy's own SASL login to the brokers; null: none.
 * @param standby          the standby upstream in the other data centre ({@code upstream.standby}); null: none.
 * @param failover         probes and switching between primary and standby ({@code upstream.failover}); only with a
 *                         standby, whose absent section reads as {@link FailoverConfig#defaults()}; null without one.
 */
public record BrokerClusterConfig(
    List<HostPort> bootstrapServers,
    Duration connectTimeout,
    BrokerTlsConfig tls,
    BrokerSaslConfig sasl,
    StandbyUpstreamConfig standby,
    FailoverConfig failover)
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
        if (failover != null && standby == null)
        {
            throw new IllegalArgumentException("upstream.failover: requires upstream.standby, the upstream to fail over to");
        }
        if (standby != null && failover == null)
        {
            failover = FailoverConfig.defaults();
        }
    }

    /**
     * A section without a standby.
     *
     * @param bootstrapServers the bootstrap servers.
     * @param connectTimeout   the connect timeout.
     * @param tls              TLS to the brokers, or null.
     * @param sasl             the proxy's login to the brokers, or null.
     * @throws IllegalArgumentException naming the YAML path of the first bad value.
     */
    public BrokerClusterConfig(
        final List<HostPort> bootstrapServers, final Duration connectTimeout, final BrokerTlsConfig tls, final BrokerSaslConfig sasl)
    {
        this(bootstrapServers, connectTimeout, tls, sasl, null, null);
    }

    /**
     * A plaintext section without a login of the proxy's own.
     *
     * @param bootstrapServers the bootstrap servers.
     * @param connectTimeout   the connect timeout.
     * @throws IllegalArgumentException naming the YAML path of the first bad value.
     */
    public BrokerClusterConfig(final List<HostPort> bootstrapServers, final Duration connectTimeout)
    {
        this(bootstrapServers, connectTimeout, null, null);
    }

    /**
     * Reads the section, filling in defaults for absent keys.
     *
     * @param bootstrapServers the bootstrap servers.
     * @param connectTimeout   the connect timeout, or null.
     * @return the section.
     */
    public static BrokerClusterConfig of(final List<HostPort> bootstrapServers, final Duration connectTimeout)
    {
        return of(bootstrapServers, connectTimeout, null, null);
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
    public static BrokerClusterConfig of(
        final List<HostPort> bootstrapServers, final Duration connectTimeout, final BrokerTlsConfig tls, final BrokerSaslConfig sasl)
    {
        return of(bootstrapServers, connectTimeout, tls, sasl, null, null);
    }

    /**
     * Reads the section, filling in defaults for absent keys.
     *
     * @param bootstrapServers the bootstrap servers.
     * @param connectTimeout   the connect timeout, or null.
     * @param tls              TLS to the brokers, or null.
     * @param sasl             the proxy's login to the brokers, or null.
     * @param standby          the standby upstream, or null.
     * @param failover         probes and switching, or null (the defaults with a standby).
     * @return the section.
     */
    @JsonCreator
    public static BrokerClusterConfig of(
        @JsonProperty("bootstrapServers") final List<HostPort> bootstrapServers,
        @JsonProperty("connectTimeout") final Duration connectTimeout,
        @JsonProperty("tls") final BrokerTlsConfig tls,
        @JsonProperty("sasl") final BrokerSaslConfig sasl,
        @JsonProperty("standby") final StandbyUpstreamConfig standby,
        @JsonProperty("failover") final FailoverConfig failover)
    {
        return new BrokerClusterConfig(bootstrapServers, connectTimeout == null ? DEFAULT_CONNECT_TIMEOUT : connectTimeout, tls, sasl,
            standby, failover);
    }

    /**
     * The same section with other bootstrap servers.
     *
     * @param servers the new servers.
     * @return the new section.
     */
    public BrokerClusterConfig withBootstrapServers(final List<HostPort> servers)
    {
        return new BrokerClusterConfig(servers, connectTimeout, tls, sasl, standby, failover);
    }

    /**
     * The same section with other TLS settings.
     *
     * @param newTls the TLS settings, or null for plaintext.
     * @return the new section.
     */
    public BrokerClusterConfig withTls(final BrokerTlsConfig newTls)
    {
        return new BrokerClusterConfig(bootstrapServers, connectTimeout, newTls, sasl, standby, failover);
    }

    /**
     * The same section with another login of the proxy's own.
     *
     * @param newSasl the login, or null for none.
     * @return the new section.
     */
    public BrokerClusterConfig withSasl(final BrokerSaslConfig newSasl)
    {
        return new BrokerClusterConfig(bootstrapServers, connectTimeout, tls, newSasl, standby, failover);
    }

    /**
     * The same section with another standby and failover settings.
     *
     * @param newStandby  the standby, or null for none.
     * @param newFailover the failover settings, or null (the defaults with a standby).
     * @return the new section.
     * @throws IllegalArgumentException if failover settings are given without a standby.
     */
    public BrokerClusterConfig withStandby(final StandbyUpstreamConfig newStandby, final FailoverConfig newFailover)
    {
        return new BrokerClusterConfig(bootstrapServers, connectTimeout, tls, sasl, newStandby, newFailover);
    }
}

package io.kafkaproxy.proxy.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The whole configuration file.
 *
 * @param listener where clients connect.
 * @param upstream the Kafka cluster behind the proxy.
 * @param network  threads and connection limits.
 */
public record ProxyConfig(ListenerConfig listener, UpstreamConfig upstream, NetworkConfig network)
{
    /**
     * Validates the file's sections are present.
     *
     * @throws IllegalArgumentException naming the missing section.
     */
    public ProxyConfig
    {
        if (listener == null)
        {
            throw new IllegalArgumentException("listener: required");
        }
        if (upstream == null)
        {
            throw new IllegalArgumentException("upstream: required");
        }
        if (network == null)
        {
            throw new IllegalArgumentException("network: required");
        }
    }

    /**
     * Reads the file, filling in default sections.
     *
     * @param listener the listener section, or null.
     * @param upstream the upstream section (required).
     * @param network  the network section, or null.
     * @return the configuration.
     */
    @JsonCreator
    public static ProxyConfig of(
        @JsonProperty("listener") final ListenerConfig listener,
        @JsonProperty("upstream") final UpstreamConfig upstream,
        @JsonProperty("network") final NetworkConfig network)
    {
        if (upstream == null)
        {
            throw new IllegalArgumentException("upstream.bootstrapServers: required: at least one host:port");
        }
        return new ProxyConfig(
            listener == null ? ListenerConfig.of(null, null, null) : listener,
            upstream,
            network == null ? NetworkConfig.defaults() : network);
    }

    /**
     * The same configuration with another listener section.
     *
     * @param newListener the section.
     * @return the new configuration.
     */
    public ProxyConfig withListener(final ListenerConfig newListener)
    {
        return new ProxyConfig(newListener, upstream, network);
    }

    /**
     * The same configuration with another upstream section.
     *
     * @param newUpstream the section.
     * @return the new configuration.
     */
    public ProxyConfig withUpstream(final UpstreamConfig newUpstream)
    {
        return new ProxyConfig(listener, newUpstream, network);
    }

    /**
     * The same configuration with another network section.
     *
     * @param newNetwork the section.
     * @return the new configuration.
     */
    public ProxyConfig withNetwork(final NetworkConfig newNetwork)
    {
        return new ProxyConfig(listener, upstream, newNetwork);
    }
}

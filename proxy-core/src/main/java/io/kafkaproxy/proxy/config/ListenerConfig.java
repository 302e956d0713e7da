package io.kafkaproxy.proxy.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The {@code listener} section: where clients connect and which address they are told to use.
 *
 * @param bindAddress    host and port of the bootstrap listener. Default {@code 0.0.0.0:9092}.
 * @param advertisedHost the host clients are given for every broker node; set it whenever clients do not run
 *                       on this machine. Default: the bind host, or this machine's host name when binding all
 *                       interfaces.
 * @param nodePorts      the ports of the per-node listeners.
 * @param sasl           the SASL logins the proxy checks itself; null (absent) passes SASL through to the brokers.
 */
public record ListenerConfig(HostPort bindAddress, String advertisedHost, NodePortsConfig nodePorts, SaslTerminationConfig sasl)
{
    /** Default bootstrap listener address. */
    public static final HostPort DEFAULT_BIND_ADDRESS = new HostPort("0.0.0.0", 9092);

    /**
     * Validates the section.
     *
     * @throws IllegalArgumentException naming the YAML path of the first bad value.
     */
    public ListenerConfig
    {
        if (bindAddress == null)
        {
            throw new IllegalArgumentException("listener.bindAddress: required");
        }
        if (advertisedHost == null || advertisedHost.isBlank())
        {
            throw new IllegalArgumentException("listener.advertisedHost: must not be empty");
        }
        if (nodePorts == null)
        {
            throw new IllegalArgumentException("listener.nodePorts: required");
        }
        if (bindAddress.port() != 0 && nodePorts.contains(bindAddress.port()))
        {
            throw new IllegalArgumentException("listener.nodePorts: range " + nodePorts +
                " contains the bootstrap port " + bindAddress.port());
        }
    }

    /**
     * Creates a listener that passes SASL through.
     *
     * @param bindAddress    host and port of the bootstrap listener.
     * @param advertisedHost the host clients are given.
     * @param nodePorts      the ports of the per-node listeners.
     */
    public ListenerConfig(final HostPort bindAddress, final String advertisedHost, final NodePortsConfig nodePorts)
    {
        this(bindAddress, advertisedHost, nodePorts, null);
    }

    /**
     * Builds a section that passes SASL through, filling in defaults for absent keys.
     *
     * @param bindAddress    the bind address, or null.
     * @param advertisedHost the advertised host, or null.
     * @param nodePorts      the node port range, or null.
     * @return the section.
     */
    public static ListenerConfig of(final HostPort bindAddress, final String advertisedHost, final NodePortsConfig nodePorts)
    {
        return of(bindAddress, advertisedHost, nodePorts, null);
    }

    /**
     * Reads the section, filling in defaults for absent keys.
     *
     * @param bindAddress    the bind address, or null.
     * @param advertisedHost the advertised host, or null.
     * @param nodePorts      the node port range, or null.
     * @param sasl           the SASL termination settings, or null.
     * @return the section.
     */
    @JsonCreator
    public static ListenerConfig of(
        @JsonProperty("bindAddress") final HostPort bindAddress,
        @JsonProperty("advertisedHost") final String advertisedHost,
        @JsonProperty("nodePorts") final NodePortsConfig nodePorts,
        @JsonProperty("sasl") final SaslTerminationConfig sasl)
    {
        final HostPort bind = bindAddress == null ? DEFAULT_BIND_ADDRESS : bindAddress;
        return new ListenerConfig(
            bind,
            advertisedHost == null ? defaultAdvertisedHost(bind) : advertisedHost,
            nodePorts == null ? NodePortsConfig.following(bind.port()) : nodePorts,
            sasl);
    }

    /**
     * The same section with another bind address; the node range follows it unless set explicitly.
     *
     * @param newBindAddress the new bootstrap address.
     * @param explicitNodePorts whether the node range was configured rather than derived.
     * @return the new section.
     */
    public ListenerConfig withBindAddress(final HostPort newBindAddress, final boolean explicitNodePorts)
    {
        return new ListenerConfig(newBindAddress, advertisedHost,
            explicitNodePorts ? nodePorts : NodePortsConfig.following(newBindAddress.port()), sasl);
    }

    /**
     * The same section with another advertised host.
     *
     * @param newAdvertisedHost the new advertised host.
     * @return the new section.
     */
    public ListenerConfig withAdvertisedHost(final String newAdvertisedHost)
    {
        return new ListenerConfig(bindAddress, newAdvertisedHost, nodePorts, sasl);
    }

    /**
     * The same section with another node port range.
     *
     * @param newNodePorts the new range.
     * @return the new section.
     */
    public ListenerConfig withNodePorts(final NodePortsConfig newNodePorts)
    {
        return new ListenerConfig(bindAddress, advertisedHost, newNodePorts, sasl);
    }

    /**
     * The same section with other SASL termination settings.
     *
     * @param newSasl the new settings, or null to pass SASL through.
     * @return the new section.
     */
    public ListenerConfig withSasl(final SaslTerminationConfig newSasl)
    {
        return new ListenerConfig(bindAddress, advertisedHost, nodePorts, newSasl);
    }

    static String defaultAdvertisedHost(final HostPort bindAddress)
    {
        final String host = bindAddress.host();
        if (!host.equals("0.0.0.0") && !host.equals("::"))
        {
            return host;
        }
        try
        {
            // Read once at startup, off the event loops; a name the operator can override.
            return java.net.InetAddress.getLocalHost().getHostName();
        }
        catch (final java.net.UnknownHostException e)
        {
            return "localhost";
        }
    }
}

package io.kafkaproxy.proxy.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.regex.Pattern;

/**
 * The {@code listener} section, or one entry of {@code listeners}: where clients connect and which address they are
 * told to use. Each listener has its own bootstrap port, node ports, advertised host and TLS, so a broker node is
 * advertised under a different address on each.
 *
 * <p>Messages name the paths of the {@code listener} section; {@link ConfigParser} puts an entry's place in
 * {@code listeners} in front of them.
 *
 * @param name           the listener's name, unique among the listeners; {@code default} for the {@code listener}
 *                       section unless it names itself. Null only as read from a file without one, until {@link ProxyConfig}
 *                       gives the {@code listener} section its default and refuses a {@code listeners} entry.
 * @param bindAddress    host and port of the bootstrap listener. Default {@code 0.0.0.0:9092}.
 * @param advertisedHost the host clients are given for every broker node; set it whenever clients do not run
 *                       on this machine. Default: the bind host, or this machine's host name when binding all
 *                       interfaces.
 * @param nodePorts      the ports of the per-node listeners; unused when {@code tls.sni} routes every node through
 *                       the bootstrap port.
 * @param tls            TLS for the clients of the bootstrap and node listeners; null (absent) for plaintext.
 * @param sasl           the SASL logins the proxy checks itself; null (absent) passes SASL through to the brokers.
 */
public record ListenerConfig(
    String name, HostPort bindAddress, String advertisedHost, NodePortsConfig nodePorts, TlsServerConfig tls,
    SaslTerminationConfig sasl)
{
    /** Default bootstrap listener address. */
    public static final HostPort DEFAULT_BIND_ADDRESS = new HostPort("0.0.0.0", 9092);
    /** The name of the {@code listener} section when it gives none; its name in metric labels ({@code listener}). */
    public static final String DEFAULT_NAME = "default";
    /** The same as {@link #DEFAULT_NAME}: the {@code listener} section's name, as the client TLS code first knew it. */
    public static final String NAME = DEFAULT_NAME;
    private static final Pattern VALID_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    /**
     * Validates the section.
     *
     * @throws IllegalArgumentException naming the YAML path of the first bad value.
     */
    public ListenerConfig
    {
        if (name != null && !VALID_NAME.matcher(name).matches())
        {
            // The name goes into log lines and metric labels.
            throw new IllegalArgumentException("listener.name: must be 1-64 letters, digits, '_' or '-': " + name);
        }
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
        if (bindAddress.port() != 0 && nodePorts.contains(bindAddress.port()) && (tls == null || tls.sni() == null))
        {
            throw new IllegalArgumentException("listener.nodePorts: range " + nodePorts +
                " contains the bootstrap port " + bindAddress.port());
        }
    }

    /**
     * A listener that passes SASL through.
     *
     * @param name           the listener's name.
     * @param bindAddress    host and port of the bootstrap listener.
     * @param advertisedHost the host clients are given for every broker node.
     * @param nodePorts      the ports of the per-node listeners.
     * @param tls            TLS for its clients, or null for plaintext.
     * @throws IllegalArgumentException naming the YAML path of the first bad value.
     */
    public ListenerConfig(final String name, final HostPort bindAddress, final String advertisedHost,
        final NodePortsConfig nodePorts, final TlsServerConfig tls)
    {
        this(name, bindAddress, advertisedHost, nodePorts, tls, null);
    }

    /**
     * The plaintext listener named {@code default}: the {@code listener} section when it gives no name.
     *
     * @param bindAddress    host and port of the bootstrap listener.
     * @param advertisedHost the host clients are given for every broker node.
     * @param nodePorts      the ports of the per-node listeners.
     * @throws IllegalArgumentException naming the YAML path of the first bad value.
     */
    public ListenerConfig(final HostPort bindAddress, final String advertisedHost, final NodePortsConfig nodePorts)
    {
        this(DEFAULT_NAME, bindAddress, advertisedHost, nodePorts, null);
    }

    /**
     * The listener named {@code default}.
     *
     * @param bindAddress    host and port of the bootstrap listener.
     * @param advertisedHost the host clients are given for every broker node.
     * @param nodePorts      the ports of the per-node listeners.
     * @param tls            TLS for its clients, or null for plaintext.
     * @throws IllegalArgumentException naming the YAML path of the first bad value.
     */
    public ListenerConfig(final HostPort bindAddress, final String advertisedHost, final NodePortsConfig nodePorts,
        final TlsServerConfig tls)
    {
        this(DEFAULT_NAME, bindAddress, advertisedHost, nodePorts, tls);
    }

    /**
     * Reads a plaintext section as the listener named {@code default}, filling in defaults for absent keys.
     *
     * @param bindAddress    the bind address, or null.
     * @param advertisedHost the advertised host, or null.
     * @param nodePorts      the node port range, or null.
     * @return the section.
     */
    public static ListenerConfig of(final HostPort bindAddress, final String advertisedHost, final NodePortsConfig nodePorts)
    {
        return of(DEFAULT_NAME, bindAddress, advertisedHost, nodePorts, null, null);
    }

    /**
     * Reads the section, filling in defaults for absent keys.
     *
     * @param name           the listener's name, or null.
     * @param bindAddress    the bind address, or null.
     * @param advertisedHost the advertised host, or null.
     * @param nodePorts      the node port range, or null.
     * @param tls            the TLS section, or null for plaintext.
     * @param sasl           the SASL termination settings, or null to pass SASL through.
     * @return the section.
     */
    @JsonCreator
    public static ListenerConfig of(
        @JsonProperty("name") final String name,
        @JsonProperty("bindAddress") final HostPort bindAddress,
        @JsonProperty("advertisedHost") final String advertisedHost,
        @JsonProperty("nodePorts") final NodePortsConfig nodePorts,
        @JsonProperty("tls") final TlsServerConfig tls,
        @JsonProperty("sasl") final SaslTerminationConfig sasl)
    {
        final HostPort bind = bindAddress == null ? DEFAULT_BIND_ADDRESS : bindAddress;
        return new ListenerConfig(
            name,
            bind,
            advertisedHost == null ? defaultAdvertisedHost(bind) : advertisedHost,
            nodePorts == null ? NodePortsConfig.following(bind.port()) : nodePorts,
            tls,
            sasl);
    }

    /**
     * Whether the listener binds a port per broker node: unless SNI routes every node through its bootstrap port.
     *
     * @return false on a listener routed by SNI.
     */
    public boolean bindsNodePorts()
    {
        return tls == null || tls.sni() == null;
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
        return new ListenerConfig(name, newBindAddress, advertisedHost,
            explicitNodePorts ? nodePorts : NodePortsConfig.following(newBindAddress.port()), tls, sasl);
    }

    /**
     * The same section with another advertised host.
     *
     * @param newAdvertisedHost the new advertised host.
     * @return the new section.
     */
    public ListenerConfig withAdvertisedHost(final String newAdvertisedHost)
    {
        return new ListenerConfig(name, bindAddress, newAdvertisedHost, nodePorts, tls, sasl);
    }

    /**
     * The same section with another node port range.
     *
     * @param newNodePorts the new range.
     * @return the new section.
     */
    public ListenerConfig withNodePorts(final NodePortsConfig newNodePorts)
    {
        return new ListenerConfig(name, bindAddress, advertisedHost, newNodePorts, tls, sasl);
    }

    /**
     * The same section with another name.
     *
     * @param newName the name.
     * @return the new section.
     */
    public ListenerConfig withName(final String newName)
    {
        return new ListenerConfig(newName, bindAddress, advertisedHost, nodePorts, tls, sasl);
    }

    /**
     * The same section with other TLS settings.
     *
     * @param newTls the TLS section, or null for plaintext.
     * @return the new section.
     */
    public ListenerConfig withTls(final TlsServerConfig newTls)
    {
        return new ListenerConfig(name, bindAddress, advertisedHost, nodePorts, newTls, sasl);
    }

    /**
     * The same section with other SASL termination settings.
     *
     * @param newSasl the new settings, or null to pass SASL through.
     * @return the new section.
     */
    public ListenerConfig withSasl(final SaslTerminationConfig newSasl)
    {
        return new ListenerConfig(name, bindAddress, advertisedHost, nodePorts, tls, newSasl);
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

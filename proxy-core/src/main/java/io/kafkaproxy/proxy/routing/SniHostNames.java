package io.kafkaproxy.proxy.routing;

import io.kafkaproxy.proxy.config.SniConfig;

import java.util.Locale;

/**
 * The host names of a cluster on one TLS port (SNI routing): a bootstrap host, and one name per broker node made
 * from a pattern holding {@code $(nodeId)} once, such as {@code broker-$(nodeId).kafka.example.com}. Gives each
 * node its name, and tells which target a client's server name (from its TLS ClientHello) asks for.
 *
 * <p>Names compare without regard to case, as DNS names do. Immutable.
 */
public final class SniHostNames
{
    /** The placeholder a node host pattern holds exactly once. */
    public static final String NODE_ID_PLACEHOLDER = SniConfig.NODE_ID;
    /** {@link #route}: the name is the bootstrap host. */
    public static final int BOOTSTRAP = -1;
    /** {@link #route}: the name is neither the bootstrap host nor a node's. */
    public static final int UNKNOWN = -2;

    private static final int MAX_NODE_ID_DIGITS = 10;

    private final String bootstrapHost;
    private final String prefix;
    private final String suffix;

    /**
     * Creates the names of one listener.
     *
     * @param bootstrapHost   the name clients bootstrap with.
     * @param nodeHostPattern the name of every node, holding {@link #NODE_ID_PLACEHOLDER} once.
     * @throws IllegalArgumentException if the pattern does not hold the placeholder exactly once.
     */
    public SniHostNames(final String bootstrapHost, final String nodeHostPattern)
    {
        final int at = nodeHostPattern.indexOf(NODE_ID_PLACEHOLDER);
        if (at < 0 || nodeHostPattern.indexOf(NODE_ID_PLACEHOLDER, at + 1) >= 0)
        {
            throw new IllegalArgumentException("the node host pattern must hold " + NODE_ID_PLACEHOLDER + " exactly once: " +
                nodeHostPattern);
        }
        this.bootstrapHost = bootstrapHost.toLowerCase(Locale.ROOT);
        this.prefix = nodeHostPattern.substring(0, at).toLowerCase(Locale.ROOT);
        this.suffix = nodeHostPattern.substring(at + NODE_ID_PLACEHOLDER.length()).toLowerCase(Locale.ROOT);
    }

    /**
     * The bootstrap host.
     *
     * @return the name, lower case.
     */
    public String bootstrapHost()
    {
        return bootstrapHost;
    }

    /**
     * The name of one node.
     *
     * @param nodeId the broker's node id.
     * @return the pattern with the node id in place.
     */
    public String nodeHost(final int nodeId)
    {
        return prefix + nodeId + suffix;
    }

    /**
     * Which target a server name asks for.
     *
     * @param serverName the name the client sent, or null when it sent none.
     * @return {@link #BOOTSTRAP}, the node id (0 or more), or {@link #UNKNOWN}.
     */
    public int route(final String serverName)
    {
        if (serverName == null)
        {
            return UNKNOWN;
        }
        final String name = serverName.toLowerCase(Locale.ROOT);
        if (name.equals(bootstrapHost))
        {
            return BOOTSTRAP;
        }
        if (name.length() <= prefix.length() + suffix.length() || !name.startsWith(prefix) || !name.endsWith(suffix))
        {
            return UNKNOWN;
        }
        return nodeId(name.substring(prefix.length(), name.length() - suffix.length()));
    }

    private static int nodeId(final String digits)
    {
        // One name per node: no sign, no leading zero, nothing but digits, within an int.
        if (digits.length() > MAX_NODE_ID_DIGITS || (digits.length() > 1 && digits.charAt(0) == '0'))
        {
            return UNKNOWN;
        }
        long value = 0;
        for (int i = 0; i < digits.length(); i++)
        {
            final char c = digits.charAt(i);
            if (c < '0' || c > '9')
            {
                return UNKNOWN;
            }
            value = value * 10 + (c - '0');
        }
        return value > Integer.MAX_VALUE ? UNKNOWN : (int)value;
    }
}

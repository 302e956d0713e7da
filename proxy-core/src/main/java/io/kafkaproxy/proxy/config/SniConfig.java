package io.kafkaproxy.proxy.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The {@code listener.tls.sni} section: one TLS port for the whole cluster. Clients reach the bootstrap host and
 * every broker node by name on the listener's bootstrap port, and the server name of each TLS ClientHello says
 * where the connection goes; no node listeners are bound. Clients need one wildcard DNS entry and a certificate
 * that names every host (a wildcard).
 *
 * @param bootstrapHost   the name clients bootstrap with, e.g. {@code bootstrap.kafka.example.com}.
 * @param nodeHostPattern the name of every broker node, holding {@code $(nodeId)} exactly once, e.g.
 *                        {@code broker-$(nodeId).kafka.example.com}.
 */
public record SniConfig(String bootstrapHost, String nodeHostPattern)
{
    /** The placeholder of the node id in {@code nodeHostPattern}. */
    public static final String NODE_ID = "$(nodeId)";
    private static final String PATH = "listener.tls.sni";
    // Letters, digits, '-' and '.': what a DNS name (and a server name in a ClientHello) holds.
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?");

    /**
     * Validates the section.
     *
     * @throws IllegalArgumentException naming the YAML path of the first bad value.
     */
    public SniConfig
    {
        if (bootstrapHost == null || !HOST_NAME.matcher(bootstrapHost).matches())
        {
            throw new IllegalArgumentException(PATH + ".bootstrapHost: required: a host name" +
                (bootstrapHost == null ? "" : ", got '" + bootstrapHost + "'"));
        }
        if (nodeHostPattern == null)
        {
            throw new IllegalArgumentException(PATH + ".nodeHostPattern: required, holding " + NODE_ID + " once");
        }
        final int at = nodeHostPattern.indexOf(NODE_ID);
        if (at < 0 || nodeHostPattern.indexOf(NODE_ID, at + 1) >= 0)
        {
            throw new IllegalArgumentException(PATH + ".nodeHostPattern: must hold " + NODE_ID + " exactly once: " +
                nodeHostPattern);
        }
        if (!HOST_NAME.matcher(nodeHostPattern.replace(NODE_ID, "0")).matches())
        {
            throw new IllegalArgumentException(PATH + ".nodeHostPattern: not a host name with " + NODE_ID + " in place: " +
                nodeHostPattern);
        }
        final String prefix = nodeHostPattern.substring(0, at).toLowerCase(Locale.ROOT);
        final String suffix = nodeHostPattern.substring(at + NODE_ID.length()).toLowerCase(Locale.ROOT);
        final String bootstrap = bootstrapHost.toLowerCase(Locale.ROOT);
        if (bootstrap.length() > prefix.length() + suffix.length() && bootstrap.startsWith(prefix) && bootstrap.endsWith(suffix) &&
            bootstrap.substring(prefix.length(), bootstrap.length() - suffix.length()).chars().allMatch(Character::isDigit))
        {
            throw new IllegalArgumentException(PATH + ".bootstrapHost: " + bootstrapHost + " is also a node's name under " +
                nodeHostPattern);
        }
    }

    /**
     * Reads the section.
     *
     * @param bootstrapHost   the bootstrap host, or null.
     * @param nodeHostPattern the node host pattern, or null.
     * @return the section.
     */
    @JsonCreator
    public static SniConfig of(
        @JsonProperty("bootstrapHost") final String bootstrapHost,
        @JsonProperty("nodeHostPattern") final String nodeHostPattern)
    {
        return new SniConfig(bootstrapHost, nodeHostPattern);
    }
}

package io.kafkaproxy.proxy.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The {@code listener.nodePorts} section: the ports of the per-node listeners.
 *
 * <p>Node {@code n} is offered port {@code first + n mod count} (the next free one on a collision), so every
 * proxy instance and every restart give the same node the same port. {@code first: 0} binds ephemeral ports
 * instead, which suits tests and single-instance setups.
 *
 * @param first the first port of the range, or 0 for ephemeral ports. Required when the section is given;
 *              without the section, the ports just above the bootstrap port.
 * @param count the number of ports in the range; at least the number of brokers. Default 100.
 */
public record NodePortsConfig(int first, int count)
{
    /** Default number of node ports. */
    public static final int DEFAULT_COUNT = 100;

    /**
     * Validates the section.
     *
     * @throws IllegalArgumentException naming the YAML path of the first bad value.
     */
    public NodePortsConfig
    {
        if (first < 0 || first > 65535)
        {
            throw new IllegalArgumentException("listener.nodePorts.first: out of range: " + first);
        }
        if (count < 1 || (first != 0 && first + count - 1 > 65535))
        {
            throw new IllegalArgumentException("listener.nodePorts.count: range " + first + "+" + count +
                " does not fit in 1-65535");
        }
    }

    /**
     * Reads the section, filling in defaults for absent keys.
     *
     * @param first the first port.
     * @param count the port count, or null.
     * @return the section.
     * @throws IllegalArgumentException if {@code first} is absent.
     */
    @JsonCreator
    public static NodePortsConfig of(@JsonProperty("first") final Integer first, @JsonProperty("count") final Integer count)
    {
        if (first == null)
        {
            throw new IllegalArgumentException("listener.nodePorts.first: required (0 for ephemeral ports)");
        }
        return new NodePortsConfig(first, count == null ? DEFAULT_COUNT : count);
    }

    /**
     * The default range for a bootstrap port: the ports just above it, or ephemeral ports for an ephemeral
     * bootstrap port.
     *
     * @param bootstrapPort the bootstrap listener's port.
     * @return the range.
     */
    public static NodePortsConfig following(final int bootstrapPort)
    {
        if (bootstrapPort == 0)
        {
            return new NodePortsConfig(0, DEFAULT_COUNT);
        }
        return new NodePortsConfig(bootstrapPort + 1, Math.min(DEFAULT_COUNT, 65535 - bootstrapPort));
    }

    /**
     * Whether the range uses ephemeral ports.
     *
     * @return true when {@code first} is 0.
     */
    public boolean ephemeral()
    {
        return first == 0;
    }

    boolean contains(final int port)
    {
        return !ephemeral() && port >= first && port < first + count;
    }

    boolean overlaps(final NodePortsConfig other)
    {
        return !ephemeral() && !other.ephemeral() && first < other.first + other.count && other.first < first + count;
    }

    @Override
    public String toString()
    {
        return ephemeral() ? "ephemeral" : first + "-" + (first + count - 1);
    }
}

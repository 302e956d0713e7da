package io.kafkaproxy.proxy.config;

import io.kafkaproxy.mempool.MemoryPoolSettings;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The whole configuration file.
 *
 * @param listener where clients connect.
 * @param upstream the Kafka cluster behind the proxy.
 * @param network  threads and connection limits.
 * @param memory   the off-heap pool frames live in.
 */
public record ProxyConfig(ListenerConfig listener, UpstreamConfig upstream, NetworkConfig network, MemoryConfig memory)
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
        if (memory == null)
        {
            throw new IllegalArgumentException("memory: required");
        }
        // Each event loop holds a read reserve and a chunk in use; below that the pool cannot serve one read each.
        final long minimumPool = network.ioThreads() *
            ((long)MemoryPoolSettings.defaultReadReserveBytes(memory.chunkSizeBytes()) + memory.chunkSizeBytes()) +
            2L * memory.chunkSizeBytes();
        if (memory.poolSizeBytes() < minimumPool)
        {
            throw new IllegalArgumentException("memory.poolSizeBytes: " + Units.formatBytes(memory.poolSizeBytes()) +
                " cannot serve " + network.ioThreads() + " I/O threads with chunks of " +
                Units.formatBytes(memory.chunkSizeBytes()) + "; at least " + Units.formatBytes(minimumPool));
        }
        // The largest frame must fit in the pool with room to spare, so that it can be served once others leave.
        if (network.maxRequestSizeBytes() > memory.poolSizeBytes() / 2)
        {
            throw new IllegalArgumentException("network.maxRequestSizeBytes: " + Units.formatBytes(network.maxRequestSizeBytes()) +
                " is more than half of memory.poolSizeBytes " + Units.formatBytes(memory.poolSizeBytes()));
        }
        if (network.maxResponseSizeBytes() > memory.poolSizeBytes() / 2)
        {
            throw new IllegalArgumentException("network.maxResponseSizeBytes: " + Units.formatBytes(network.maxResponseSizeBytes()) +
                " is more than half of memory.poolSizeBytes " + Units.formatBytes(memory.poolSizeBytes()));
        }
    }

    /**
     * Reads the file, filling in default sections.
     *
     * @param listener the listener section, or null.
     * @param upstream the upstream section (required).
     * @param network  the network section, or null.
     * @param memory   the memory section, or null.
     * @return the configuration.
     */
    @JsonCreator
    public static ProxyConfig of(
        @JsonProperty("listener") final ListenerConfig listener,
        @JsonProperty("upstream") final UpstreamConfig upstream,
        @JsonProperty("network") final NetworkConfig network,
        @JsonProperty("memory") final MemoryConfig memory)
    {
        if (upstream == null)
        {
            throw new IllegalArgumentException("upstream.bootstrapServers: required: at least one host:port");
        }
        return new ProxyConfig(
            listener == null ? ListenerConfig.of(null, null, null) : listener,
            upstream,
            network == null ? NetworkConfig.defaults() : network,
            memory == null ? MemoryConfig.defaults() : memory);
    }

    /**
     * The same configuration with another listener section.
     *
     * @param newListener the section.
     * @return the new configuration.
     */
    public ProxyConfig withListener(final ListenerConfig newListener)
    {
        return new ProxyConfig(newListener, upstream, network, memory);
    }

    /**
     * The same configuration with another upstream section.
     *
     * @param newUpstream the section.
     * @return the new configuration.
     */
    public ProxyConfig withUpstream(final UpstreamConfig newUpstream)
    {
        return new ProxyConfig(listener, newUpstream, network, memory);
    }

    /**
     * The same configuration with another memory section.
     *
     * @param newMemory the section.
     * @return the new configuration.
     */
    public ProxyConfig withMemory(final MemoryConfig newMemory)
    {
        return new ProxyConfig(listener, upstream, network, newMemory);
    }

    /**
     * The same configuration with another network section.
     *
     * @param newNetwork the section.
     * @return the new configuration.
     */
    public ProxyConfig withNetwork(final NetworkConfig newNetwork)
    {
        return new ProxyConfig(listener, upstream, newNetwork, memory);
    }
}

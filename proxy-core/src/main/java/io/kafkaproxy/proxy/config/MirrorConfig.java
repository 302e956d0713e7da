package io.kafkaproxy.proxy.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code mirror} section: produce mirroring to a shadow cluster (docs/clusters.md, "Produce mirroring"). A copy
 * of the record batches of each Produce request naming a matching topic is sent to the shadow, asynchronously, on
 * the proxy's own connections; the client's request is never delayed, changed or failed.
 *
 * @param bootstrapServers the shadow cluster's bootstrap servers, {@code host:port}; at least one. No default.
 * @param tls              TLS to the shadow's brokers (the keys of {@code upstream.tls}); null: plaintext.
 * @param sasl             the proxy's SASL login to the shadow's brokers (the keys of {@code upstream.sasl}); null: none.
 * @param topics           glob patterns ({@code *} matches any run of characters) of the topics mirrored; at least one.
 * @param memoryBytes      the mirror's slice of {@code memory.poolSize} (YAML key {@code memory}): copies waiting
 *                         for the shadow's answer never hold more. Default 32MiB.
 * @param acks             the acks of the Produce requests sent to the shadow: 0, 1 or -1. Default 1.
 * @param requestTimeout   how long the shadow may take to answer before its connection is closed and the copies in
 *                         flight on it are counted as failed. Default 10s.
 */
public record MirrorConfig(
    List<HostPort> bootstrapServers,
    BrokerTlsConfig tls,
    BrokerSaslConfig sasl,
    List<String> topics,
    long memoryBytes,
    short acks,
    Duration requestTimeout)
{
    /** The YAML path of this section (a cluster entry's {@code mirror} once clusters are listed). */
    public static final String PATH = "mirror";
    /** Default slice. */
    public static final long DEFAULT_MEMORY_BYTES = 32L << 20;
    /** Default acks. */
    public static final short DEFAULT_ACKS = 1;
    /** Default request timeout. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    // Kafka's legal topic characters, with '*' for the glob.
    private static final Pattern TOPIC_GLOB = Pattern.compile("[a-zA-Z0-9._*-]+");

    /**
     * Validates the section.
     *
     * @throws IllegalArgumentException naming the YAML path of the first bad value.
     */
    public MirrorConfig
    {
        if (bootstrapServers == null || bootstrapServers.isEmpty())
        {
            throw new IllegalArgumentException(PATH + ".bootstrapServers: at least one host:port is required");
        }
        for (final HostPort server : bootstrapServers)
        {
            if (server.port() == 0)
            {
                throw new IllegalArgumentException(PATH + ".bootstrapServers: port 0 is not a broker address: " + server);
            }
        }
        bootstrapServers = List.copyOf(bootstrapServers);
        if (topics == null || topics.isEmpty())
        {
            throw new IllegalArgumentException(PATH + ".topics: at least one topic pattern is required");
        }
        for (int i = 0; i < topics.size(); i++)
        {
            final String topic = topics.get(i);
            if (topic == null || !TOPIC_GLOB.matcher(topic).matches())
            {
                throw new IllegalArgumentException(PATH + ".topics[" + i + "]: not a topic name or glob " +
                    "(letters, digits, '.', '_', '-', '*'): " + topic);
            }
        }
        topics = List.copyOf(topics);
        if (memoryBytes < 1)
        {
            throw new IllegalArgumentException(PATH + ".memory: must be positive: " + memoryBytes);
        }
        if (acks != 0 && acks != 1 && acks != -1)
        {
            throw new IllegalArgumentException(PATH + ".acks: must be 0, 1 or -1: " + acks);
        }
        if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero() ||
            requestTimeout.toMillis() > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException(PATH + ".requestTimeout: must be positive: " + requestTimeout);
        }
    }

    /**
     * Reads the section, filling in defaults for absent keys.
     *
     * @param bootstrapServers the shadow's bootstrap servers.
     * @param tls              TLS to the shadow, or null.
     * @param sasl             the login to the shadow, or null.
     * @param topics           the topic globs.
     * @param memory           the slice, a size such as {@code 32MiB}, or null.
     * @param acks             0, 1 or -1, or null.
     * @param requestTimeout   the request timeout, or null.
     * @return the section.
     * @throws IllegalArgumentException naming the YAML path of the first bad value.
     */
    @JsonCreator
    public static MirrorConfig of(
        @JsonProperty("bootstrapServers") final List<HostPort> bootstrapServers,
        @JsonProperty("tls") final BrokerTlsConfig tls,
        @JsonProperty("sasl") final BrokerSaslConfig sasl,
        @JsonProperty("topics") final List<String> topics,
        @JsonProperty("memory") final String memory,
        @JsonProperty("acks") final Short acks,
        @JsonProperty("requestTimeout") final Duration requestTimeout)
    {
        return new MirrorConfig(bootstrapServers, tls, sasl, topics,
            memory == null ? DEFAULT_MEMORY_BYTES : MemoryConfig.size(PATH + ".memory", memory),
            acks == null ? DEFAULT_ACKS : acks,
            requestTimeout == null ? DEFAULT_REQUEST_TIMEOUT : requestTimeout);
    }
}

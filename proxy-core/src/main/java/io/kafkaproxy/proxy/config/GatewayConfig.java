package io.kafkaproxy.proxy.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code gateway} section: what the HTTP and MQTT gateways share, the producer that writes their records into
 * Kafka and the feeds their subscribers read. Every key defaults; changing it takes a restart.
 *
 * @param producer      the one producer per upstream cluster.
 * @param subscriptions the shared fan-out of live subscriptions.
 * @param cluster       the name of the cluster the gateways serve; null: the first cluster.
 */
public record GatewayConfig(Producer producer, Subscriptions subscriptions, String cluster)
{
    /**
     * Validates the section.
     *
     * @throws IllegalArgumentException naming the YAML path of a missing part.
     */
    public GatewayConfig
    {
        if (producer == null)
        {
            producer = Producer.of(null, null, null, null, null, null);
        }
        if (subscriptions == null)
        {
            subscriptions = Subscriptions.of(null, null, null, null);
        }
    }

    /**
     * Reads the section.
     *
     * @param producer      the producer settings, or null.
     * @param subscriptions the subscription settings, or null.
     * @param cluster       the cluster served, or null for the first.
     * @return the section.
     */
    @JsonCreator
    public static GatewayConfig of(
        @JsonProperty("producer") final Producer producer,
        @JsonProperty("subscriptions") final Subscriptions subscriptions,
        @JsonProperty("cluster") final String cluster)
    {
        return new GatewayConfig(producer, subscriptions, cluster);
    }

    /**
     * The section serving the first cluster.
     *
     * @param producer      the producer settings, or null.
     * @param subscriptions the subscription settings, or null.
     * @return the section.
     */
    public static GatewayConfig of(final Producer producer, final Subscriptions subscriptions)
    {
        return new GatewayConfig(producer, subscriptions, null);
    }

    /**
     * Every default.
     *
     * @return the section.
     */
    public static GatewayConfig defaults()
    {
        return of(null, null);
    }

    /**
     * {@code gateway.producer}: Kafka's own producer, idempotent with {@code acks=all}, shared by every HTTP and MQTT
     * client of a cluster.
     *
     * @param linger            how long a batch waits for more records ({@code linger.ms}). Default 5ms.
     * @param batchSizeBytes    the largest batch per partition ({@code batch.size}). Default 64KiB.
     * @param compression       {@code none}, {@code gzip}, {@code snappy}, {@code lz4} or {@code zstd}. Default lz4.
     * @param bufferMemoryBytes the records waiting for Kafka's acknowledgement, at most; past it HTTP clients get 429
     *                          and MQTT reads pause. Taken out of {@code memory.poolSize}. Default 32MiB.
     * @param deliveryTimeout   how long a record may wait for its acknowledgement, retries included. Default 30s.
     * @param maxRecordBytes    the largest record ({@code max.request.size}). Default 1MiB.
     */
    public record Producer(
        Duration linger, int batchSizeBytes, String compression, long bufferMemoryBytes, Duration deliveryTimeout,
        int maxRecordBytes)
    {
        private static final Set<String> COMPRESSIONS = Set.of("none", "gzip", "snappy", "lz4", "zstd");

        /**
         * Validates the section.
         *
         * @throws IllegalArgumentException naming the YAML path of the bad value.
         */
        public Producer
        {
            if (linger == null || linger.isNegative())
            {
                throw new IllegalArgumentException("gateway.producer.linger: must not be negative: " + linger);
            }
            if (batchSizeBytes < 1)
            {
                throw new IllegalArgumentException("gateway.producer.batchSize: must be positive: " + batchSizeBytes);
            }
            if (compression == null || !COMPRESSIONS.contains(compression.toLowerCase(Locale.ROOT)))
            {
                throw new IllegalArgumentException("gateway.producer.compression: one of " + COMPRESSIONS + ": " + compression);
            }
            compression = compression.toLowerCase(Locale.ROOT);
            if (bufferMemoryBytes < 1 << 20)
            {
                throw new IllegalArgumentException("gateway.producer.bufferMemory: at least 1MiB: " + bufferMemoryBytes);
            }
            if (deliveryTimeout == null || deliveryTimeout.toMillis() < 1)
            {
                throw new IllegalArgumentException("gateway.producer.deliveryTimeout: must be positive: " + deliveryTimeout);
            }
            if (maxRecordBytes < 1 || maxRecordBytes > bufferMemoryBytes)
            {
                throw new IllegalArgumentException("gateway.producer.maxRecordBytes: between 1B and bufferMemory: " + maxRecordBytes);
            }
        }

        /**
         * Reads the section, filling in defaults for absent keys.
         *
         * @param linger          the linger, or null.
         * @param batchSize       the batch size ({@code 64KiB}), or null.
         * @param compression     the compression, or null.
         * @param bufferMemory    the buffer ({@code 32MiB}), or null.
         * @param deliveryTimeout the delivery timeout, or null.
         * @param maxRecordBytes  the largest record ({@code 1MiB}), or null.
         * @return the section.
         */
        @JsonCreator
        public static Producer of(
            @JsonProperty("linger") final Duration linger,
            @JsonProperty("batchSize") final String batchSize,
            @JsonProperty("compression") final String compression,
            @JsonProperty("bufferMemory") final String bufferMemory,
            @JsonProperty("deliveryTimeout") final Duration deliveryTimeout,
            @JsonProperty("maxRecordBytes") final String maxRecordBytes)
        {
            return new Producer(
                linger == null ? Duration.ofMillis(5) : linger,
                (int)Math.min(Integer.MAX_VALUE, HttpConfig.size("gateway.producer.batchSize", batchSize, 64 << 10)),
                compression == null ? "lz4" : compression,
                HttpConfig.size("gateway.producer.bufferMemory", bufferMemory, 32L << 20),
                deliveryTimeout == null ? Duration.ofSeconds(30) : deliveryTimeout,
                (int)Math.min(Integer.MAX_VALUE, HttpConfig.size("gateway.producer.maxRecordBytes", maxRecordBytes, 1 << 20)));
        }
    }

    /**
     * {@code gateway.subscriptions}: the shared feeds behind SSE, WebSocket and MQTT subscribers.
     *
     * @param replayRecordsPerPartition the records each feed keeps per partition for subscribers that resume.
     *                                  Default 1000.
     * @param subscriberBufferBytes     the bytes that may wait for one subscriber; past them it is disconnected.
     *                                  Default 1MiB.
     * @param heartbeatInterval         how often an idle stream is pinged. Default 15s.
     * @param maxSubscribers            the most subscribers at once, all protocols. Default 10000.
     */
    public record Subscriptions(int replayRecordsPerPartition, long subscriberBufferBytes, Duration heartbeatInterval, int maxSubscribers)
    {
        /**
         * Validates the section.
         *
         * @throws IllegalArgumentException naming the YAML path of the bad value.
         */
        public Subscriptions
        {
            if (replayRecordsPerPartition < 0)
            {
                throw new IllegalArgumentException("gateway.subscriptions.replayRecordsPerPartition: must not be negative: " +
                    replayRecordsPerPartition);
            }
            if (subscriberBufferBytes < 1024)
            {
                throw new IllegalArgumentException("gateway.subscriptions.subscriberBufferBytes: at least 1KiB: " +
                    subscriberBufferBytes);
            }
            if (heartbeatInterval == null || heartbeatInterval.toMillis() < 1)
            {
                throw new IllegalArgumentException("gateway.subscriptions.heartbeatInterval: must be positive: " + heartbeatInterval);
            }
            if (maxSubscribers < 1)
            {
                throw new IllegalArgumentException("gateway.subscriptions.maxSubscribers: must be positive: " + maxSubscribers);
            }
        }

        /**
         * Reads the section, filling in defaults for absent keys.
         *
         * @param replayRecordsPerPartition the replay window, or null.
         * @param subscriberBufferBytes     the per-subscriber limit ({@code 1MiB}), or null.
         * @param heartbeatInterval         the heartbeat interval, or null.
         * @param maxSubscribers            the most subscribers, or null.
         * @return the section.
         */
        @JsonCreator
        public static Subscriptions of(
            @JsonProperty("replayRecordsPerPartition") final Integer replayRecordsPerPartition,
            @JsonProperty("subscriberBufferBytes") final String subscriberBufferBytes,
            @JsonProperty("heartbeatInterval") final Duration heartbeatInterval,
            @JsonProperty("maxSubscribers") final Integer maxSubscribers)
        {
            return new Subscriptions(
                replayRecordsPerPartition == null ? 1000 : replayRecordsPerPartition,
                HttpConfig.size("gateway.subscriptions.subscriberBufferBytes", subscriberBufferBytes, 1L << 20),
                heartbeatInterval == null ? Duration.ofSeconds(15) : heartbeatInterval,
                maxSubscribers == null ? 10_000 : maxSubscribers);
        }
    }
}

package io.kafkaproxy.proxy.gateway.stream;

import io.kafkaproxy.proxy.config.GatewayConfig;

import java.time.Duration;
import java.util.Objects;

/**
 * The fan-out's settings: the {@code gateway.subscriptions} section plus two internal timings.
 *
 * @param replayRecordsPerPartition records each feed keeps per partition for subscribers that resume; default 1000.
 * @param subscriberBufferBytes     bytes that may wait for one subscriber before it is dropped as slow; default 1 MiB.
 * @param maxSubscribers            open subscriptions per cluster; default 10000.
 * @param idleGrace                 how long a feed without subscribers keeps reading before it stops; default 30 s.
 * @param partitionRefresh          how often a feed looks for new partitions; default 30 s.
 */
public record FeedSettings(
    int replayRecordsPerPartition,
    long subscriberBufferBytes,
    int maxSubscribers,
    Duration idleGrace,
    Duration partitionRefresh)
{
    /** The defaults. */
    public static final FeedSettings DEFAULTS =
        new FeedSettings(1000, 1024 * 1024, 10_000, Duration.ofSeconds(30), Duration.ofSeconds(30));

    /**
     * Checks the settings.
     *
     * @throws IllegalArgumentException naming the YAML path of a value out of range.
     */
    public FeedSettings
    {
        Objects.requireNonNull(idleGrace, "idleGrace");
        Objects.requireNonNull(partitionRefresh, "partitionRefresh");
        if (replayRecordsPerPartition < 0)
        {
            throw new IllegalArgumentException("gateway.subscriptions.replayRecordsPerPartition: must be >= 0, was "
                + replayRecordsPerPartition);
        }
        if (subscriberBufferBytes <= 0)
        {
            throw new IllegalArgumentException("gateway.subscriptions.subscriberBufferBytes: must be > 0, was "
                + subscriberBufferBytes);
        }
        if (maxSubscribers <= 0)
        {
            throw new IllegalArgumentException("gateway.subscriptions.maxSubscribers: must be > 0, was " + maxSubscribers);
        }
        if (idleGrace.isNegative() || partitionRefresh.isNegative() || partitionRefresh.isZero())
        {
            throw new IllegalArgumentException("feed timings must be positive: idleGrace=" + idleGrace
                + ", partitionRefresh=" + partitionRefresh);
        }
    }

    /**
     * The settings of a {@code gateway.subscriptions} section, with the default internal timings.
     *
     * @param subscriptions the section.
     * @return the settings.
     */
    public static FeedSettings of(final GatewayConfig.Subscriptions subscriptions)
    {
        return new FeedSettings(subscriptions.replayRecordsPerPartition(), subscriptions.subscriberBufferBytes(),
            subscriptions.maxSubscribers(), DEFAULTS.idleGrace(), DEFAULTS.partitionRefresh());
    }

    /**
     * These settings with another idle grace (tests stop feeds sooner).
     *
     * @param grace the idle grace.
     * @return the settings.
     */
    public FeedSettings withIdleGrace(final Duration grace)
    {
        return new FeedSettings(replayRecordsPerPartition, subscriberBufferBytes, maxSubscribers, grace, partitionRefresh);
    }

    /**
     * These settings with another partition refresh interval (tests add partitions and wait less).
     *
     * @param refresh the interval.
     * @return the settings.
     */
    public FeedSettings withPartitionRefresh(final Duration refresh)
    {
        return new FeedSettings(replayRecordsPerPartition, subscriberBufferBytes, maxSubscribers, idleGrace, refresh);
    }
}

package io.kafkaproxy.proxy.metrics;

import io.kafkaproxy.proxy.config.AclResourceType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.common.protocol.ApiKeys;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The meters of the policy: authorization denials by api and resource type, throttle time by quota, partitions
 * dropped from acks=0 requests, connections refused by a limit.
 *
 * <p>Recorded from every event loop. Denial counters are registered the first time an (api, resource type) pair
 * denies something and kept in an array, so a denial looks nothing up and allocates nothing after the first.
 */
public final class PolicyMetrics
{
    /** Resources denied by an ACL rule, by api and resource type. */
    public static final String DENIALS = "kafka.proxy.authorization.denials";
    /** Partitions of acks=0 Produce requests dropped because their topic was denied. */
    public static final String DROPPED_PARTITIONS = "kafka.proxy.authorization.dropped.partitions";
    /** Throttle time the proxy imposed, by quota. */
    public static final String THROTTLE_TIME = "kafka.proxy.throttle.time";
    /** Client connections refused by a connection limit, by reason. */
    public static final String CONNECTIONS_REJECTED = "kafka.proxy.connections.rejected";
    /** Label: the resource type, {@code topic}, {@code group}, {@code transactionalId}, {@code cluster}. */
    public static final String RESOURCE_TYPE = "resource_type";
    /** Label: the quota, {@code produce}, {@code fetch} or {@code request}. */
    public static final String QUOTA = "quota";

    private static final int API_KEY_SLOTS = 256;
    private static final int UNKNOWN_API_SLOT = API_KEY_SLOTS - 1;
    private static final int TYPES = AclResourceType.values().length;

    /**
     * The quotas a client can be throttled by.
     */
    public enum Quota
    {
        /** Produce bytes per second. */
        PRODUCE("produce"),
        /** Fetch bytes per second. */
        FETCH("fetch"),
        /** Requests per second. */
        REQUEST("request");

        private final String label;

        Quota(final String label)
        {
            this.label = label;
        }

        /**
         * The metric label value and audit name.
         *
         * @return {@code produce}, {@code fetch} or {@code request}.
         */
        public String label()
        {
            return label;
        }
    }

    private final MeterRegistry registry;
    private final Tags tags;
    private final AtomicReferenceArray<Counter> denials = new AtomicReferenceArray<>(API_KEY_SLOTS * TYPES);
    private final Timer[] throttleTime = new Timer[Quota.values().length];
    private final Counter droppedPartitions;

    /**
     * Registers the meters, without a cluster label.
     *
     * @param registry where the meters live.
     */
    public PolicyMetrics(final MeterRegistry registry)
    {
        this(registry, Tags.empty());
    }

    /**
     * Registers the meters of one virtual cluster, each labelled {@code cluster=<name>}.
     *
     * @param registry where the meters live.
     * @param cluster  the cluster's name.
     */
    public PolicyMetrics(final MeterRegistry registry, final String cluster)
    {
        this(registry, Tags.of(ProxyMetrics.CLUSTER, cluster));
    }

    private PolicyMetrics(final MeterRegistry registry, final Tags tags)
    {
        this.registry = registry;
        this.tags = tags;
        for (final Quota quota : Quota.values())
        {
            throttleTime[quota.ordinal()] = Timer.builder(THROTTLE_TIME)
                .tag(QUOTA, quota.label())
                .tags(tags)
                .description("Throttle time the proxy imposed on clients over a quota")
                .register(registry);
        }
        droppedPartitions = Counter.builder(DROPPED_PARTITIONS)
            .tags(tags)
            .description("Partitions of acks=0 Produce requests dropped because their topic was denied")
            .register(registry);
    }

    /**
     * Counts a denied resource.
     *
     * @param apiKey the request's api key.
     * @param type   the resource's type.
     */
    public void onDenied(final short apiKey, final AclResourceType type)
    {
        final int slot = slot(apiKey) * TYPES + type.ordinal();
        Counter counter = denials.get(slot);
        if (counter == null)
        {
            counter = Counter.builder(DENIALS)
                .tag(ApiMeters.API, apiName(apiKey))
                .tag(RESOURCE_TYPE, type.yamlName())
                .tags(tags)
                .description("Resources denied by an ACL rule")
                .register(registry);
            denials.set(slot, counter);
        }
        counter.increment();
    }

    /**
     * The denials counted for an api and resource type.
     *
     * @param apiKey the api key.
     * @param type   the resource type.
     * @return the count so far.
     */
    public double denied(final short apiKey, final AclResourceType type)
    {
        final Counter counter = denials.get(slot(apiKey) * TYPES + type.ordinal());
        return counter == null ? 0 : counter.count();
    }

    /**
     * Counts partitions dropped from an acks=0 request.
     *
     * @param partitions how many.
     */
    public void onDroppedPartitions(final int partitions)
    {
        droppedPartitions.increment(partitions);
    }

    /**
     * Records a throttle imposed on a client.
     *
     * @param quota      the quota it exceeded.
     * @param throttleNanos how long its reads pause.
     */
    public void onThrottled(final Quota quota, final long throttleNanos)
    {
        throttleTime[quota.ordinal()].record(throttleNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * The total throttle time imposed for a quota.
     *
     * @param quota the quota.
     * @return seconds.
     */
    public double throttledSeconds(final Quota quota)
    {
        return throttleTime[quota.ordinal()].totalTime(TimeUnit.SECONDS);
    }

    /**
     * Counts a client connection refused by a limit.
     *
     * @param reason the limit, as a label value.
     */
    public void onConnectionRejected(final String reason)
    {
        // Rare (a refused connection), so the lookup by tag is fine here.
        Counter.builder(CONNECTIONS_REJECTED).tag(ProxyMetrics.REASON, reason).tags(tags)
            .description("Client connections refused by a connection limit").register(registry).increment();
    }

    private static int slot(final short apiKey)
    {
        return apiKey >= 0 && apiKey < UNKNOWN_API_SLOT && ApiKeys.hasId(apiKey) ? apiKey : UNKNOWN_API_SLOT;
    }

    private static String apiName(final short apiKey)
    {
        return slot(apiKey) == UNKNOWN_API_SLOT ? "unknown" : ApiKeys.forId(apiKey).name;
    }
}

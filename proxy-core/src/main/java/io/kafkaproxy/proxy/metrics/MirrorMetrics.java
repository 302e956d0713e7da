package io.kafkaproxy.proxy.metrics;

import io.kafkaproxy.mempool.MemoryPool;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The meters of one cluster's produce mirror (docs/clusters.md, "Produce mirroring"):
 * {@code kafka_proxy_mirror_records_total{cluster,outcome=mirrored|dropped|failed}},
 * {@code kafka_proxy_mirror_bytes_in_flight{cluster}}, {@code kafka_proxy_mirror_lag_seconds{cluster}} (client
 * request read → shadow acknowledged) and the mirror's memory slice.
 *
 * <p>Written by the client event loops (dropped) and the mirror's loop (the rest); Micrometer's counters and the
 * one {@link AtomicLong} are safe for that, and none is touched more than once per request.
 */
public final class MirrorMetrics
{
    /** Records of mirrored topics, by what became of their copy. */
    public static final String RECORDS = "kafka.proxy.mirror.records";
    /** Record bytes copied for the shadow and not yet answered (or dropped). */
    public static final String BYTES_IN_FLIGHT = "kafka.proxy.mirror.bytes.in.flight";
    /** From the client's request read to the shadow's acknowledgement. */
    public static final String LAG = "kafka.proxy.mirror.lag";
    /** The prefix of the mirror slice's memory meters. */
    public static final String MEMORY_PREFIX = "kafka.proxy.mirror.memory.";
    /** The label naming the virtual cluster. */
    public static final String CLUSTER = "cluster";
    /** The label naming a record's outcome. */
    public static final String OUTCOME = "outcome";

    private final Counter mirrored;
    private final Counter dropped;
    private final Counter failed;
    private final AtomicLong bytesInFlight = new AtomicLong();
    private final Timer lag;

    /**
     * Registers the meters of one cluster's mirror.
     *
     * @param registry where they live.
     * @param cluster  the cluster's name.
     * @param slice    the mirror's memory slice.
     */
    public MirrorMetrics(final MeterRegistry registry, final String cluster, final MemoryPool slice)
    {
        mirrored = Counter.builder(RECORDS).tag(CLUSTER, cluster).tag(OUTCOME, "mirrored")
            .description("Records the shadow cluster acknowledged (or that were written to it, with acks 0)").register(registry);
        dropped = Counter.builder(RECORDS).tag(CLUSTER, cluster).tag(OUTCOME, "dropped")
            .description("Records of mirrored topics not sent to the shadow: slice full, shadow unreachable or slow, " +
                "topic id or leader unknown, or a batch older than magic v2").register(registry);
        failed = Counter.builder(RECORDS).tag(CLUSTER, cluster).tag(OUTCOME, "failed")
            .description("Records sent to the shadow that it refused or never answered").register(registry);
        Gauge.builder(BYTES_IN_FLIGHT, bytesInFlight, AtomicLong::get).tag(CLUSTER, cluster)
            .description("Record bytes copied for the shadow and not yet answered").register(registry);
        lag = Timer.builder(LAG).tag(CLUSTER, cluster)
            .description("From the client's Produce request read to the shadow's acknowledgement").register(registry);
        Gauge.builder(MEMORY_PREFIX + "capacity", slice, p -> p.stats().capacityBytes()).baseUnit("bytes").tag(CLUSTER, cluster)
            .description("The mirror's slice of the memory budget").register(registry);
        Gauge.builder(MEMORY_PREFIX + "used", slice, p -> p.stats().inUseBytes()).baseUnit("bytes").tag(CLUSTER, cluster)
            .description("Memory of the mirror's slice held by copies").register(registry);
    }

    /**
     * Counts records the shadow acknowledged.
     *
     * @param records the record count.
     */
    public void onMirrored(final long records)
    {
        mirrored.increment(records);
    }

    /**
     * Counts records not sent to the shadow.
     *
     * @param records the record count.
     */
    public void onDropped(final long records)
    {
        if (records > 0)
        {
            dropped.increment(records);
        }
    }

    /**
     * Counts records the shadow refused or never answered.
     *
     * @param records the record count.
     */
    public void onFailed(final long records)
    {
        if (records > 0)
        {
            failed.increment(records);
        }
    }

    /**
     * Adds to (or, negative, takes from) the bytes in flight.
     *
     * @param bytes the change.
     */
    public void addBytesInFlight(final long bytes)
    {
        bytesInFlight.addAndGet(bytes);
    }

    /**
     * Records one request's lag.
     *
     * @param nanos from the client's request read to the shadow's answer.
     */
    public void onAcknowledged(final long nanos)
    {
        lag.record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * The records mirrored so far (tests, bench).
     *
     * @return the count.
     */
    public double mirrored()
    {
        return mirrored.count();
    }

    /**
     * The records dropped so far (tests, bench).
     *
     * @return the count.
     */
    public double dropped()
    {
        return dropped.count();
    }

    /**
     * The records failed so far (tests, bench).
     *
     * @return the count.
     */
    public double failed()
    {
        return failed.count();
    }

    /**
     * The bytes in flight now.
     *
     * @return the bytes.
     */
    public long bytesInFlight()
    {
        return bytesInFlight.get();
    }
}

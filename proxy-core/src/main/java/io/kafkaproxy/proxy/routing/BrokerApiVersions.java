package io.kafkaproxy.proxy.routing;

import org.apache.kafka.common.message.ApiVersionsResponseData;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The api versions one cluster's brokers advertise, as its node discovery last heard them (at start, after a
 * failover switch, or on demand): what a routing listener that answers ApiVersions itself, before it knows a
 * connection's cluster, must not promise beyond.
 *
 * <p>Written by the discovery's event loop, read by the routing listener's: the answer is published whole through a
 * volatile reference and never changed after.
 */
public final class BrokerApiVersions
{
    /** How often a cluster whose versions are unknown may be asked again on demand. */
    private static final long DEMAND_INTERVAL_NANOS = 30_000_000_000L;

    private final AtomicLong lastDemandNanos = new AtomicLong(System.nanoTime() - DEMAND_INTERVAL_NANOS);
    private volatile ApiVersionsResponseData latest;

    /**
     * The brokers answered ApiVersions.
     *
     * @param response their answer, not changed after.
     */
    public void onLearnt(final ApiVersionsResponseData response)
    {
        latest = response;
    }

    /**
     * The brokers' last answer.
     *
     * @return the answer, or null before the first.
     */
    public ApiVersionsResponseData latest()
    {
        return latest;
    }

    /**
     * Whether the caller should ask the brokers now: the versions are unknown and nobody asked them in the last
     * 30 seconds (the discovery retries by itself in between).
     *
     * @param nowNanos the time now.
     * @return true for one caller per interval.
     */
    public boolean tryDemand(final long nowNanos)
    {
        final long last = lastDemandNanos.get();
        return latest == null && nowNanos - last >= DEMAND_INTERVAL_NANOS && lastDemandNanos.compareAndSet(last, nowNanos);
    }
}

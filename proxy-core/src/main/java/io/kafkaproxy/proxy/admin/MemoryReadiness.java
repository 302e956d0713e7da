package io.kafkaproxy.proxy.admin;

import io.kafkaproxy.mempool.MemoryPool;
import io.kafkaproxy.mempool.MemoryPoolStats;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The memory half of {@code /readyz}: not ready while the pool has been under pressure for longer than a grace
 * period, because then no client channel is read (brokers still are, so that responses free memory). A pressure
 * shorter than the grace period is a burst being absorbed, not a proxy that cannot serve.
 *
 * <p>Thread-safe: it reads the pool's atomics.
 */
public final class MemoryReadiness
{
    /** How long the pool may stay under pressure before the proxy stops calling itself ready. */
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(5);

    private final MemoryPool pool;
    private final long graceNanos;

    /**
     * Creates the check.
     *
     * @param pool  the memory pool.
     * @param grace how long the pool may stay under pressure and the proxy still be ready.
     */
    public MemoryReadiness(final MemoryPool pool, final Duration grace)
    {
        this.pool = pool;
        this.graceNanos = grace.toNanos();
    }

    /**
     * Checks the pool.
     *
     * @return null when ready, else the reason.
     */
    public String check()
    {
        final long pressureNanos = pool.pressureNanos();
        if (pressureNanos == 0 || pressureNanos < graceNanos)
        {
            return null;
        }
        final MemoryPoolStats stats = pool.stats();
        return "memory pool exhausted for " + TimeUnit.NANOSECONDS.toMillis(pressureNanos) + " ms, client reads paused: " +
            "usedBytes=" + stats.inUseBytes() + ", capacityBytes=" + stats.capacityBytes();
    }
}

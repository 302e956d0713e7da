package io.kafkaproxy.proxy.ratelimit;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A rate limiter shared by threads: the generic cell rate algorithm, a virtual clock on one {@link AtomicLong}.
 *
 * <pre>
 *   cost(amount) = amount / rate                     (in nanoseconds)
 *   tat          = max(tat, now) + cost(amount)      (the theoretical arrival time: when the traffic so far
 *                                                      would have finished at exactly the rate)
 *   throttle     = max(0, tat - now - BURST)
 * </pre>
 *
 * <p>A caller within the rate never gets ahead of {@code now + BURST}; one second's worth of the rate
 * ({@link #BURST_SECONDS}) passes at once before anything is throttled. {@link #record} charges every amount
 * and returns how long the caller must hold the client back (Kafka's quotas: the request is served, the response
 * carries the throttle time and the connection is paused for it), so a client that keeps offering more than the
 * rate, and waits as told, gets the rate. {@link #tryAcquire} charges only an amount that fits, for admission
 * control (new connections).
 *
 * <p>Thread-safe and lock-free: each call is one compare-and-set loop on the virtual clock, and allocates nothing.
 * Times are {@link System#nanoTime()} readings, passed in so that tests can drive the clock.
 */
public final class RateBucket
{
    /** How much traffic may pass at once: this many seconds' worth of the rate. */
    public static final long BURST_SECONDS = 1;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** {@link #BURST_SECONDS} in nanoseconds. */
    static final long BURST_NANOS = BURST_SECONDS * NANOS_PER_SECOND;
    // Beyond this an amount's cost is worked out in floating point; a cost is capped far from overflowing the clock.
    private static final long EXACT_AMOUNT_LIMIT = Long.MAX_VALUE / NANOS_PER_SECOND;
    private static final long MAX_COST_NANOS = Long.MAX_VALUE >> 2;

    private final long ratePerSecond;
    // Long.MIN_VALUE: never used, so the first call starts from its own now.
    private final AtomicLong theoreticalArrivalNanos = new AtomicLong(Long.MIN_VALUE);

    /**
     * Creates a bucket.
     *
     * @param ratePerSecond the rate, units (bytes, requests, connections) per second.
     * @throws IllegalArgumentException if the rate is not positive.
     */
    public RateBucket(final long ratePerSecond)
    {
        if (ratePerSecond <= 0)
        {
            throw new IllegalArgumentException("rate must be positive: ratePerSecond=" + ratePerSecond);
        }
        this.ratePerSecond = ratePerSecond;
    }

    /**
     * Charges an amount, whether or not it fits the rate, and says how long the caller must wait for the traffic so
     * far to be back within it.
     *
     * @param amount    the units used (bytes, requests); 0 or less charges nothing.
     * @param nowNanos  the time, a {@link System#nanoTime()} reading.
     * @return the throttle time in nanoseconds, 0 when within the rate and its burst.
     */
    public long record(final long amount, final long nowNanos)
    {
        final long cost = costNanos(amount, ratePerSecond);
        long arrival;
        long next;
        do
        {
            arrival = theoreticalArrivalNanos.get();
            next = Math.max(arrival, nowNanos) + cost;
        }
        while (!theoreticalArrivalNanos.compareAndSet(arrival, next));
        final long throttle = next - nowNanos - BURST_NANOS;
        return throttle > 0 ? throttle : 0;
    }

    /**
     * Charges an amount only if it fits the rate and its burst now.
     *
     * @param amount   the units wanted (one connection); 0 or less always fits.
     * @param nowNanos the time, a {@link System#nanoTime()} reading.
     * @return true if the amount was charged, false if it would exceed the rate (nothing is charged).
     */
    public boolean tryAcquire(final long amount, final long nowNanos)
    {
        final long cost = costNanos(amount, ratePerSecond);
        long arrival;
        long next;
        do
        {
            arrival = theoreticalArrivalNanos.get();
            next = Math.max(arrival, nowNanos) + cost;
            if (next - nowNanos > BURST_NANOS)
            {
                return false;
            }
        }
        while (!theoreticalArrivalNanos.compareAndSet(arrival, next));
        return true;
    }

    /**
     * The rate.
     *
     * @return units per second.
     */
    public long ratePerSecond()
    {
        return ratePerSecond;
    }

    /**
     * Whether the bucket holds no debt: everything charged so far is within the rate at this time.
     *
     * @param nowNanos the time, a {@link System#nanoTime()} reading.
     * @return true if a caller arriving now starts afresh.
     */
    public boolean isIdle(final long nowNanos)
    {
        return theoreticalArrivalNanos.get() <= nowNanos;
    }

    /**
     * The time an amount takes at a rate, rounded to the nearest nanosecond.
     *
     * @param amount        the units.
     * @param ratePerSecond the rate, units per second, positive.
     * @return nanoseconds, 0 for an amount of 0 or less.
     */
    static long costNanos(final long amount, final long ratePerSecond)
    {
        if (amount <= 0)
        {
            return 0;
        }
        if (amount <= EXACT_AMOUNT_LIMIT)
        {
            final long nanos = amount * NANOS_PER_SECOND;
            final long remainder = nanos % ratePerSecond;
            final long rounded = nanos / ratePerSecond + (remainder >= ratePerSecond - remainder ? 1 : 0);
            return Math.min(MAX_COST_NANOS, rounded);
        }
        return (long)Math.min((double)MAX_COST_NANOS, (double)amount * NANOS_PER_SECOND / ratePerSecond);
    }
}

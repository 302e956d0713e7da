package io.kafkaproxy.proxy.logging;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets through at most {@code linesPerInterval} log lines of one kind of event per interval, and counts the lines it
 * holds back so that the next line let through can say how many there were.
 *
 * <pre>
 *   interval:   |-- n lines, then held back (counted) --|-- first line carries suppressed=K, ... --|
 * </pre>
 *
 * <p>Shared by every event loop of a proxy: one flood is one budget whichever loops its connections landed on. So the
 * state is three atomics, lock-free, and {@link #tryAcquire} allocates nothing. At an interval's edge the count may
 * be off by the few calls that race the reset (at most one line per concurrent caller), never in the suppressed count:
 * every line held back is reported once, by the next line let through.
 */
public final class LogRateLimiter
{
    /** {@link #tryAcquire} says: drop this line, it was counted. */
    public static final long SUPPRESSED = -1;

    private final int linesPerInterval;
    private final long intervalNanos;
    private final AtomicLong intervalStartNanos;
    private final AtomicInteger linesInInterval = new AtomicInteger();
    private final AtomicLong suppressed = new AtomicLong();

    /**
     * Creates a limiter whose first interval starts now.
     *
     * @param linesPerInterval the lines let through per interval, at least 1.
     * @param interval         the interval, positive.
     * @param nowNanos         the time, a {@link System#nanoTime()} reading.
     * @throws IllegalArgumentException if the line count or the interval is not positive.
     */
    public LogRateLimiter(final int linesPerInterval, final Duration interval, final long nowNanos)
    {
        if (linesPerInterval < 1 || interval.isZero() || interval.isNegative())
        {
            throw new IllegalArgumentException("log rate limit must be positive: linesPerInterval=" + linesPerInterval +
                ", interval=" + interval);
        }
        this.linesPerInterval = linesPerInterval;
        this.intervalNanos = interval.toNanos();
        this.intervalStartNanos = new AtomicLong(nowNanos);
    }

    /**
     * Asks whether a line of this kind may be logged now. Any thread.
     *
     * @param nowNanos the time, a {@link System#nanoTime()} reading.
     * @return {@link #SUPPRESSED} if not (the line is counted); otherwise the number of lines held back since the
     *         last one let through, zero or more, which the caller logs with the line.
     */
    public long tryAcquire(final long nowNanos)
    {
        final long start = intervalStartNanos.get();
        if (nowNanos - start >= intervalNanos && intervalStartNanos.compareAndSet(start, nowNanos))
        {
            linesInInterval.set(0);
        }
        if (linesInInterval.incrementAndGet() > linesPerInterval)
        {
            suppressed.incrementAndGet();
            return SUPPRESSED;
        }
        return suppressed.getAndSet(0);
    }

    /**
     * The lines held back and not yet reported by a line let through.
     *
     * @return the count.
     */
    public long pendingSuppressed()
    {
        return suppressed.get();
    }
}

package io.kafkaproxy.proxy.ratelimit;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Open connections and the connection rate per key (a client address, a principal), shared by every event loop.
 *
 * <p>Every key with an open connection has a slot, whether or not a limit applies to it now, so the counts stay
 * right when a reload adds or changes limits. A slot goes once it has no connection open and no rate debt left.
 * Slots are changed only inside {@link ConcurrentHashMap#compute}, under the map's lock for their bin: a check and
 * its increment are one step, and a slot is never removed while another thread counts on it. This is map work
 * once per connection open and close, never per request.
 *
 * @param <K> the key type.
 */
final class ConnectionCounts<K>
{
    /** {@link #tryAcquire} let the connection in. */
    static final int ADMITTED = 0;
    /** {@link #tryAcquire} refused: the key has its maximum open. */
    static final int OVER_MAX_CONNECTIONS = 1;
    /** {@link #tryAcquire} refused: the key opened connections too fast. */
    static final int OVER_CONNECTION_RATE = 2;

    // Slots whose rate debt outlived their last connection are swept this often, counted in releases.
    private static final int SWEEP_INTERVAL = 1024;

    private final ConcurrentHashMap<K, Slot> slots = new ConcurrentHashMap<>();
    private final AtomicInteger releases = new AtomicInteger();

    private static final class Slot
    {
        // Plain fields: only read and written inside compute, under the bin's lock.
        int open;
        long theoreticalArrivalNanos = Long.MIN_VALUE;
    }

    /**
     * Counts a new connection if the limits allow it.
     *
     * @param key                  the key.
     * @param maxConnections       the most open connections; 0 for no limit.
     * @param connectionsPerSecond the most new connections per second, with a burst of one second's worth; 0 for
     *                             no limit.
     * @param nowNanos             the time, a {@link System#nanoTime()} reading.
     * @return {@link #ADMITTED}, {@link #OVER_MAX_CONNECTIONS} or {@link #OVER_CONNECTION_RATE}.
     */
    int tryAcquire(final K key, final int maxConnections, final long connectionsPerSecond, final long nowNanos)
    {
        final int[] outcome = {ADMITTED};
        slots.compute(key, (k, existing) ->
        {
            final Slot slot = existing == null ? new Slot() : existing;
            if (maxConnections > 0 && slot.open >= maxConnections)
            {
                outcome[0] = OVER_MAX_CONNECTIONS;
                return existing;
            }
            if (connectionsPerSecond > 0)
            {
                final long next = Math.max(slot.theoreticalArrivalNanos, nowNanos) + RateBucket.costNanos(1, connectionsPerSecond);
                if (next - nowNanos > RateBucket.BURST_NANOS)
                {
                    outcome[0] = OVER_CONNECTION_RATE;
                    return existing;
                }
                slot.theoreticalArrivalNanos = next;
            }
            slot.open++;
            return slot;
        });
        return outcome[0];
    }

    /**
     * Counts a connection admitted by {@link #tryAcquire} closing.
     *
     * @param key      the key.
     * @param nowNanos the time, a {@link System#nanoTime()} reading.
     */
    void release(final K key, final long nowNanos)
    {
        slots.computeIfPresent(key, (k, slot) ->
        {
            slot.open--;
            return isSpent(slot, nowNanos) ? null : slot;
        });
        if (releases.incrementAndGet() % SWEEP_INTERVAL == 0)
        {
            sweep(nowNanos);
        }
    }

    private void sweep(final long nowNanos)
    {
        for (final K key : slots.keySet())
        {
            slots.computeIfPresent(key, (k, slot) -> isSpent(slot, nowNanos) ? null : slot);
        }
    }

    private static boolean isSpent(final Slot slot, final long nowNanos)
    {
        return slot.open <= 0 && slot.theoreticalArrivalNanos <= nowNanos;
    }

    /**
     * The connections open for a key.
     *
     * @param key the key.
     * @return the count.
     */
    int open(final K key)
    {
        final int[] open = {0};
        slots.computeIfPresent(key, (k, slot) ->
        {
            open[0] = slot.open;
            return slot;
        });
        return open[0];
    }

    /**
     * The keys with a slot: an open connection or rate debt.
     *
     * @return the count.
     */
    int size()
    {
        return slots.size();
    }
}

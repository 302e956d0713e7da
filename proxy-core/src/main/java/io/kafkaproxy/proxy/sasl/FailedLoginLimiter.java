package io.kafkaproxy.proxy.sasl;

import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts failed SASL logins per client address in fixed one-minute windows, so that an address past its allowance
 * has its further logins refused unchecked until the window ends: a password guesser gets a handful of guesses a
 * minute, and costs the proxy no hashing beyond them.
 *
 * <p>One per cluster, shared by every event loop: a guesser's connections land on all of them. Lock-free: each
 * address has one {@link AtomicLong} packing the window's index (high 32 bits) and its failures (low 32 bits),
 * updated by compare-and-set; the map itself is a {@link ConcurrentHashMap}, touched only on failures and on the
 * first step of a login. Past {@value #MAX_TRACKED_ADDRESSES} addresses, windows that have ended are dropped.
 */
public final class FailedLoginLimiter
{
    /** The window failures are counted in. */
    public static final long WINDOW_NANOS = 60_000_000_000L;
    /** How many addresses are tracked before ended windows are swept. */
    static final int MAX_TRACKED_ADDRESSES = 100_000;

    private final Map<InetAddress, AtomicLong> windows = new ConcurrentHashMap<>();

    /**
     * Whether an address has used up its failed logins in the current window.
     *
     * @param address   the client's address.
     * @param allowance the failed logins allowed per window.
     * @param nowNanos  the time now.
     * @return true if its logins are to be refused unchecked.
     */
    public boolean isBlocked(final InetAddress address, final int allowance, final long nowNanos)
    {
        final AtomicLong window = windows.get(address);
        if (window == null)
        {
            return false;
        }
        final long packed = window.get();
        return windowOf(packed) == windowIndex(nowNanos) && failuresOf(packed) >= allowance;
    }

    /**
     * Counts a failed login.
     *
     * @param address  the client's address.
     * @param nowNanos the time now.
     * @return the address's failures in the current window, this one included.
     */
    public int onFailure(final InetAddress address, final long nowNanos)
    {
        if (windows.size() >= MAX_TRACKED_ADDRESSES)
        {
            sweep(nowNanos);
        }
        AtomicLong window = windows.get(address);
        if (window == null)
        {
            final AtomicLong fresh = new AtomicLong(pack(windowIndex(nowNanos), 0));
            window = windows.putIfAbsent(address, fresh);
            if (window == null)
            {
                window = fresh;
            }
        }
        final int index = windowIndex(nowNanos);
        while (true)
        {
            final long packed = window.get();
            final int failures = windowOf(packed) == index ? failuresOf(packed) + 1 : 1;
            if (window.compareAndSet(packed, pack(index, failures)))
            {
                return failures;
            }
        }
    }

    private void sweep(final long nowNanos)
    {
        final int index = windowIndex(nowNanos);
        windows.values().removeIf(window -> windowOf(window.get()) != index);
    }

    private static int windowIndex(final long nowNanos)
    {
        return (int)Math.floorDiv(nowNanos, WINDOW_NANOS);
    }

    private static long pack(final int window, final int failures)
    {
        return ((long)window << 32) | (failures & 0xFFFF_FFFFL);
    }

    private static int windowOf(final long packed)
    {
        return (int)(packed >>> 32);
    }

    private static int failuresOf(final long packed)
    {
        return (int)packed;
    }
}

package io.kafkaproxy.proxy.memory;

import io.kafkaproxy.mempool.MemoryPool;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds the pool memory that clients' frames hold before their bytes arrive, a frame's "promise": in bytes, with
 * one budget for the whole pool, and in time, with a deadline for every frame.
 *
 * <pre>
 *   a client frame of L bytes, A of them at hand when it starts, holds L bytes of pool memory until it is whole;
 *   its promise is L - A.
 *   L &lt;= largeFrameBytes : starts whenever the pool has L bytes (a client's usual requests never wait here)
 *   L &gt;  largeFrameBytes : also needs L - A of the promise budget, or nothing else promised; else it waits,
 *                            holding only the bytes it read, until a promise is settled
 *   every started frame    : must be whole within frameTimeout + L / minBytesPerSecond, or its connection closes
 * </pre>
 *
 * Without this, a peer could announce a 100 MiB frame with four bytes and hold 100 MiB for as long as it kept its
 * connection open (issue 16). Now what all large frames hold beyond their bytes is at most the budget or one frame,
 * and only until their deadlines. Small frames are bounded per connection (one frame at a time, at most
 * {@code largeFrameBytes}) and by the same deadline.
 *
 * <p>A promise is settled when its frame is whole, dropped or cut, or at once when the pool cannot serve the frame
 * it was taken for (that frame then waits for pool memory, not for the budget). Every settlement wakes the frames
 * waiting for the budget ({@link #whenSettled}). This cannot deadlock: a frame waiting for the budget or for the
 * pool holds no promise and no frame memory, and every promise belongs to a started frame, whose memory is whole,
 * so it ends (whole, or cut at its deadline) without asking for more.
 *
 * <p>Shared by every client channel of a pool, on every event loop: the promised total is one atomic, touched once
 * per large frame, never per read.
 */
public final class FramePromises
{
    /** Frames up to this size (above Kafka producers' 1 MiB default {@code max.request.size}) need no budget. */
    public static final int DEFAULT_LARGE_FRAME_BYTES = 4 << 20;
    /** Share of the pool that large frames may hold ahead of their bytes. */
    public static final double DEFAULT_BUDGET_SHARE = 0.25;
    /** Time every frame gets, whatever its size. */
    public static final Duration DEFAULT_FRAME_TIMEOUT = Duration.ofSeconds(30);
    /** The slowest sending rate a large frame is allowed time for, in bytes per second. */
    public static final long DEFAULT_MIN_BYTES_PER_SECOND = 256 * 1024;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final int largeFrameBytes;
    private final long budgetBytes;
    private final long frameTimeoutNanos;
    private final long minBytesPerSecond;
    private final AtomicLong promisedBytes = new AtomicLong();
    private final AtomicLong settlements = new AtomicLong();
    private final AtomicLong timedOutFrames = new AtomicLong();
    private final Queue<Runnable> waiters = new ConcurrentLinkedQueue<>();

    /**
     * Creates the bounds.
     *
     * @param largeFrameBytes   frames above this size need the promise budget.
     * @param budgetBytes       what large frames may hold, together, ahead of their bytes.
     * @param frameTimeout      time every started frame gets to be whole; zero for no deadline.
     * @param minBytesPerSecond the slowest rate a frame gets time for, on top of {@code frameTimeout}.
     */
    public FramePromises(final int largeFrameBytes, final long budgetBytes, final Duration frameTimeout, final long minBytesPerSecond)
    {
        if (largeFrameBytes < 0 || budgetBytes < 0 || frameTimeout.isNegative() || minBytesPerSecond < 1)
        {
            throw new IllegalArgumentException("frame promise bounds out of range: largeFrameBytes=" + largeFrameBytes +
                ", budgetBytes=" + budgetBytes + ", frameTimeout=" + frameTimeout + ", minBytesPerSecond=" + minBytesPerSecond);
        }
        this.largeFrameBytes = largeFrameBytes;
        this.budgetBytes = budgetBytes;
        this.frameTimeoutNanos = frameTimeout.toNanos();
        this.minBytesPerSecond = minBytesPerSecond;
    }

    /**
     * The default bounds for a pool, with a deadline of its own.
     *
     * @param pool              the pool.
     * @param frameTimeout      time every started frame gets to be whole; zero for no deadline.
     * @param minBytesPerSecond the slowest rate a frame gets time for, on top of {@code frameTimeout}.
     * @return the bounds: frames above {@link #DEFAULT_LARGE_FRAME_BYTES} share a quarter of the pool.
     */
    public static FramePromises forPool(final MemoryPool pool, final Duration frameTimeout, final long minBytesPerSecond)
    {
        return new FramePromises(DEFAULT_LARGE_FRAME_BYTES, (long)(pool.settings().budgetBytes() * DEFAULT_BUDGET_SHARE),
            frameTimeout, minBytesPerSecond);
    }

    /**
     * The default bounds for a pool.
     *
     * @param pool the pool.
     * @return the bounds.
     */
    public static FramePromises forPool(final MemoryPool pool)
    {
        return forPool(pool, DEFAULT_FRAME_TIMEOUT, DEFAULT_MIN_BYTES_PER_SECOND);
    }

    /**
     * Whether a frame of this size needs the promise budget.
     *
     * @param frameLength the frame's length, size field included.
     * @return true for a large frame.
     */
    boolean needsBudget(final int frameLength)
    {
        return frameLength > largeFrameBytes;
    }

    /**
     * Takes a promise from the budget if it fits, or if nothing else is promised: a frame larger than the whole
     * budget still gets its turn, alone.
     *
     * @param bytes the frame's bytes not yet at hand.
     * @return false if the frame must wait for a settlement.
     */
    boolean tryPromise(final long bytes)
    {
        while (true)
        {
            final long promised = promisedBytes.get();
            if (promised != 0 && promised + bytes > budgetBytes)
            {
                return false;
            }
            if (promisedBytes.compareAndSet(promised, promised + bytes))
            {
                return true;
            }
        }
    }

    /**
     * Settles a promise: its frame is whole, dropped or cut, or the pool could not serve it. Wakes the frames
     * waiting for the budget.
     *
     * @param bytes what {@link #tryPromise} took.
     */
    void settle(final long bytes)
    {
        promisedBytes.addAndGet(-bytes);
        settlements.incrementAndGet();
        Runnable waiter;
        while ((waiter = waiters.poll()) != null)
        {
            waiter.run();
        }
    }

    /**
     * How many promises were settled; read it before {@link #tryPromise}, to pass to {@link #whenSettled}.
     *
     * @return a counter that only grows.
     */
    long settlements()
    {
        return settlements.get();
    }

    /**
     * Asks to be called once, at the next settlement; at once if one happened since {@code observedSettlements}
     * was read, so that it cannot be missed.
     *
     * @param observedSettlements {@link #settlements()} as read before the refused promise.
     * @param callback            run on the settling thread; it should hand off to its own.
     */
    void whenSettled(final long observedSettlements, final Runnable callback)
    {
        waiters.add(callback);
        if (settlements.get() != observedSettlements)
        {
            Runnable waiter;
            while ((waiter = waiters.poll()) != null)
            {
                waiter.run();
            }
        }
    }

    /**
     * How long a frame gets to be whole once started.
     *
     * @param frameLength the frame's length, size field included.
     * @return its time in nanoseconds, or 0 when frames have no deadline.
     */
    long deadlineNanos(final int frameLength)
    {
        return frameTimeoutNanos == 0 ? 0 : frameTimeoutNanos + frameLength * NANOS_PER_SECOND / minBytesPerSecond;
    }

    /**
     * Counts a frame that was not whole by its deadline; its connection is being closed.
     */
    void onFrameTimedOut()
    {
        timedOutFrames.incrementAndGet();
    }

    /**
     * What large frames hold now beyond the bytes they had when they started.
     *
     * @return promised bytes.
     */
    public long promisedBytes()
    {
        return promisedBytes.get();
    }

    /**
     * How many frames were not whole by their deadline, each closing its connection.
     *
     * @return a counter that only grows.
     */
    public long timedOutFrames()
    {
        return timedOutFrames.get();
    }
}

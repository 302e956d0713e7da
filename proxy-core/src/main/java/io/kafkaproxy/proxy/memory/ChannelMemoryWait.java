package io.kafkaproxy.proxy.memory;

import io.kafkaproxy.mempool.MemoryPool;
import io.netty.buffer.ByteBuf;

import java.util.function.Consumer;

/**
 * Decides when one channel's reads pause for memory, and resumes them.
 *
 * <pre>
 *   pause = a frame of this channel waits for memory
 *        or (not in the middle of a frame and (this loop's pool memory is spent
 *                                              or (a client channel and the pool is under pressure)))
 * </pre>
 *
 * A channel in the middle of a frame keeps reading: the frame's memory is already held and its bytes land in
 * it, so reading costs nothing new, and stopping would hold that memory until the channel resumed, which under
 * pressure could be never. A frame whose memory the pool refused is retried, on the event loop, when memory may
 * be back. A client's large frame also needs its promise ({@link FramePromises}), and waits the same way for one
 * to be settled.
 *
 * <p>Per channel; created on the channel's event loop ({@link PoolByteBufAllocator#newChannelMemoryWait}) and
 * confined to it.
 */
public final class ChannelMemoryWait
{
    private final MemoryPool pool;
    private final PoolByteBufAllocator allocator;
    private final FramePromises promises;
    private final LoopMemory loop;
    private final Consumer<Boolean> readPause;
    private final boolean client;
    private long promisedBytes;
    private long observedBlockReturns;
    private long observedSettlements;
    private boolean refusedPromise;
    private boolean frameWaiting;
    private boolean midFrame;
    private boolean loopExhausted;
    private boolean underPressure;
    private boolean readsPaused;
    private boolean closed;
    private Runnable frameRetry;

    ChannelMemoryWait(
        final PoolByteBufAllocator allocator, final FramePromises promises, final LoopMemory loop, final Consumer<Boolean> readPause,
        final boolean client)
    {
        this.pool = allocator.pool();
        this.allocator = allocator;
        this.promises = promises;
        this.loop = loop;
        this.readPause = readPause;
        this.client = client;
        if (loop != null)
        {
            loop.register(this);
        }
    }

    /**
     * The buffer a frame is assembled in, holding all of it; null if it must wait, then call
     * {@link #awaitFrameMemory}. A client's large frame takes its promise here, settled when the frame ends.
     *
     * @param frameLength  the frame's length, size field included.
     * @param arrivedBytes how many of its bytes are at hand.
     * @return the buffer, or null.
     */
    public ByteBuf tryFrameBuffer(final int frameLength, final int arrivedBytes)
    {
        observedBlockReturns = pool.blockReturns();
        refusedPromise = false;
        // Outside an event loop (tests, start-up) frames are not in the pool, and promise nothing.
        if (promises != null && loop != null && promises.needsBudget(frameLength))
        {
            observedSettlements = promises.settlements();
            final long promise = Math.max(0, frameLength - arrivedBytes);
            if (!promises.tryPromise(promise))
            {
                refusedPromise = true;
                return null;
            }
            promisedBytes = promise;
        }
        final ByteBuf frame = allocator.tryDirectBuffer(frameLength);
        if (frame == null)
        {
            // Waiting for pool memory, this frame must not keep others from theirs.
            settlePromise();
        }
        return frame;
    }

    /**
     * The frame {@link #tryFrameBuffer} refused must wait: pause this channel's reads until {@code retry}, run on
     * the event loop when memory or a promise may be back, gets it.
     *
     * @param retry tries {@link #tryFrameBuffer} again, calling this method again if refused again.
     */
    public void awaitFrameMemory(final Runnable retry)
    {
        if (closed || loop == null)
        {
            return;
        }
        frameRetry = retry;
        if (!frameWaiting)
        {
            frameWaiting = true;
            pool.onReadsPaused();
            update();
        }
        if (refusedPromise)
        {
            loop.awaitSettlement(this, promises, observedSettlements);
        }
        else
        {
            loop.awaitFrameMemory(this, observedBlockReturns);
        }
    }

    /**
     * How long a frame that starts now has to be whole.
     *
     * @param frameLength the frame's length, size field included.
     * @return nanoseconds, or 0 if this channel's frames have no deadline (a broker's).
     */
    public long frameDeadlineNanos(final int frameLength)
    {
        return promises == null ? 0 : promises.deadlineNanos(frameLength);
    }

    /**
     * The frame being assembled was not whole by its deadline; the decoder drops it and closes the connection.
     */
    public void onFrameTimedOut()
    {
        if (promises != null)
        {
            promises.onFrameTimedOut();
        }
        frameEnded();
    }

    /**
     * The decoder started assembling a frame in memory it holds.
     */
    public void frameStarted()
    {
        midFrame = true;
        update();
    }

    /**
     * The decoder passed its frame on (or dropped it): the next read needs new memory.
     */
    public void frameEnded()
    {
        midFrame = false;
        settlePromise();
        update();
    }

    private void settlePromise()
    {
        if (promisedBytes != 0)
        {
            final long settled = promisedBytes;
            promisedBytes = 0;
            promises.settle(settled);
        }
    }

    /**
     * Whether this channel should read no more for now.
     *
     * @return true while its reads are paused for memory.
     */
    public boolean waiting()
    {
        return shouldPause();
    }

    boolean isClient()
    {
        return client;
    }

    void readFromReserve(final long observedBlockReturns)
    {
        if (loop != null)
        {
            loop.onReadFromReserve(observedBlockReturns);
        }
    }

    void onLoopExhausted(final boolean exhausted)
    {
        loopExhausted = exhausted;
        update();
    }

    void onPressure(final boolean pressure)
    {
        underPressure = pressure;
        update();
    }

    void retryFrame()
    {
        final Runnable retry = frameRetry;
        frameRetry = null;
        try
        {
            if (!closed && retry != null)
            {
                // Still waiting while it runs: a retry refused again calls awaitFrameMemory, which then neither
                // counts a new pause nor flips the reads, however often a waiting frame is retried.
                retry.run();
            }
        }
        finally
        {
            // A retry that failed waits no more: its channel must not stay paused for a frame nobody retries.
            if (frameRetry == null)
            {
                frameWaiting = false;
            }
            update();
        }
    }

    private boolean shouldPause()
    {
        return !closed && (frameWaiting || !midFrame && (loopExhausted || client && underPressure));
    }

    private void update()
    {
        final boolean pause = shouldPause();
        if (pause != readsPaused)
        {
            readsPaused = pause;
            readPause.accept(pause);
        }
    }

    /**
     * The channel closed: nothing is retried any more.
     */
    public void close()
    {
        closed = true;
        frameRetry = null;
        settlePromise();
        if (loop != null)
        {
            loop.unregister(this);
        }
    }
}

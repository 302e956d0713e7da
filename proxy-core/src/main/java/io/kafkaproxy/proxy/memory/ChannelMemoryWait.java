package io.kafkaproxy.proxy.memory;

import io.kafkaproxy.mempool.MemoryPool;

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
 * be back.
 *
 * <p>Per channel; created on the channel's event loop ({@link PoolByteBufAllocator#newChannelMemoryWait}) and
 * confined to it.
 */
public final class ChannelMemoryWait
{
    private final MemoryPool pool;
    private final LoopMemory loop;
    private final Consumer<Boolean> readPause;
    private final boolean client;
    private boolean frameWaiting;
    private boolean midFrame;
    private boolean loopExhausted;
    private boolean underPressure;
    private boolean readsPaused;
    private boolean closed;
    private Runnable frameRetry;

    ChannelMemoryWait(final MemoryPool pool, final LoopMemory loop, final Consumer<Boolean> readPause, final boolean client)
    {
        this.pool = pool;
        this.loop = loop;
        this.readPause = readPause;
        this.client = client;
        if (loop != null)
        {
            loop.register(this);
        }
    }

    /**
     * The pool's count of returned blocks, to read before an allocation that may be refused.
     *
     * @return the count.
     */
    public long blockReturns()
    {
        return pool.blockReturns();
    }

    /**
     * A frame's memory was refused: pause this channel's reads until {@code retry}, run on the event loop when
     * memory may be back, gets it.
     *
     * @param observedBlockReturns {@link #blockReturns()} as read before the refused allocation.
     * @param retry                tries the allocation again, calling this method again if refused again.
     */
    public void awaitFrameMemory(final long observedBlockReturns, final Runnable retry)
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
        loop.awaitFrameMemory(this, observedBlockReturns);
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
        update();
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
        frameWaiting = false;
        if (!closed && retry != null)
        {
            retry.run();
        }
        update();
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
        if (loop != null)
        {
            loop.unregister(this);
        }
    }
}

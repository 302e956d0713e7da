package io.kafkaproxy.proxy.memory;

import io.kafkaproxy.mempool.MemoryPool;
import io.netty.channel.EventLoop;

import java.util.function.Consumer;

/**
 * One channel waiting for pool memory: its reads are paused from the refused allocation until a block comes
 * back to the pool, then the waiting work is retried on the channel's event loop.
 *
 * <p>Per channel. Confined to the channel's event loop, except the pool's callback, which only schedules onto it.
 */
public final class ChannelMemoryWait
{
    private final MemoryPool pool;
    private final EventLoop eventLoop;
    private final Consumer<Boolean> readPause;
    private final Runnable onMemoryReturned = this::scheduleRetry;
    private final Runnable retryOnLoop = this::retry;
    private boolean waiting;
    private boolean closed;
    private Runnable retry;

    /**
     * Creates the wait of one channel.
     *
     * @param pool      the pool.
     * @param eventLoop the channel's event loop.
     * @param readPause pauses (true) or resumes (false) the channel's reads.
     */
    public ChannelMemoryWait(final MemoryPool pool, final EventLoop eventLoop, final Consumer<Boolean> readPause)
    {
        this.pool = pool;
        this.eventLoop = eventLoop;
        this.readPause = readPause;
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
     * Pauses the channel's reads until memory comes back, then runs {@code work} (if any) on the event loop.
     *
     * @param observedBlockReturns {@link #blockReturns()} as read before the refused allocation.
     * @param work                 what to retry, or null just to resume reading.
     */
    public void await(final long observedBlockReturns, final Runnable work)
    {
        if (work != null)
        {
            retry = work;
        }
        if (waiting || closed)
        {
            return;
        }
        waiting = true;
        pool.onReadsPaused();
        readPause.accept(Boolean.TRUE);
        pool.whenMemoryReturns(observedBlockReturns, onMemoryReturned);
    }

    /**
     * Whether the channel is waiting for memory.
     *
     * @return true while its reads are paused for memory.
     */
    public boolean waiting()
    {
        return waiting;
    }

    /**
     * The channel closed: nothing is retried any more.
     */
    public void close()
    {
        closed = true;
        retry = null;
    }

    private void scheduleRetry()
    {
        eventLoop.execute(retryOnLoop);
    }

    private void retry()
    {
        waiting = false;
        if (closed)
        {
            return;
        }
        final Runnable work = retry;
        retry = null;
        if (work != null)
        {
            work.run();
        }
        if (!waiting)
        {
            readPause.accept(Boolean.FALSE);
        }
    }
}

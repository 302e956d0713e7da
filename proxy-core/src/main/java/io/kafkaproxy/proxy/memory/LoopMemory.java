package io.kafkaproxy.proxy.memory;

import io.kafkaproxy.mempool.MemoryPool;
import io.kafkaproxy.mempool.RegionAllocator;
import io.netty.util.concurrent.EventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;

/**
 * The pool memory of one event loop: its region allocator, its channels, and what they wait for.
 *
 * <ul>
 *   <li>Under pool pressure (above the high watermark) the loop's client channels stop reading at their next frame
 *       boundary; broker channels go on, so that responses keep flowing and freeing memory.</li>
 *   <li>A channel whose frame the pool refused stops reading until a retry succeeds.</li>
 *   <li>When a socket read had to be served from the reserve, the pool is spent for this loop: every channel of the
 *       loop stops reading at its next frame boundary, until the allocator can serve reads again.</li>
 * </ul>
 * Memory may come back two ways, and either wakes the loop: a chunk of this loop's allocator empties, or a block
 * comes back to the pool from any loop. A client's large frame waiting for a promise ({@link FramePromises}) wakes
 * the loop a third way: a promise is settled, on any loop. See {@link ChannelMemoryWait} for why channels finish
 * their frame first.
 *
 * <p>Confined to its event loop, except {@link #onPoolPressure}, which any thread may call and which hands the
 * news to the loop.
 */
final class LoopMemory
{
    private static final Logger LOGGER = LoggerFactory.getLogger(LoopMemory.class);
    private static final int READ_SPACE_BYTES = 64 * 1024;

    private final MemoryPool pool;
    private final RegionAllocator allocator;
    private final EventExecutor executor;
    private final Set<ChannelMemoryWait> channels = new HashSet<>();
    private final ArrayDeque<ChannelMemoryWait> waitingFrames = new ArrayDeque<>();
    private final Runnable retryPass = this::retryPass;
    private final Runnable memoryMayBeAvailable = this::memoryMayBeAvailable;
    private final Runnable onPoolBlockReturned = this::onPoolBlockReturned;
    private final Runnable applyPressure = this::applyPressure;
    private final Runnable onPromiseSettled = this::onPromiseSettled;
    private final Runnable promiseMayBeAvailable = this::promiseMayBeAvailable;
    private boolean underPressure;
    private boolean exhausted;
    private boolean retryScheduled;
    private boolean poolWaiterRegistered;
    private boolean settlementWaiterRegistered;

    LoopMemory(final MemoryPool pool, final RegionAllocator allocator, final EventExecutor executor)
    {
        this.pool = pool;
        this.allocator = allocator;
        this.executor = executor;
        this.underPressure = pool.underPressure();
        allocator.onChunkEmptied(memoryMayBeAvailable);
    }

    RegionAllocator allocator()
    {
        return allocator;
    }

    void register(final ChannelMemoryWait channel)
    {
        channels.add(channel);
        if (exhausted)
        {
            channel.onLoopExhausted(true);
        }
        if (underPressure && channel.isClient())
        {
            channel.onPressure(true);
        }
    }

    void unregister(final ChannelMemoryWait channel)
    {
        channels.remove(channel);
        waitingFrames.remove(channel);
    }

    void awaitFrameMemory(final ChannelMemoryWait channel, final long observedBlockReturns)
    {
        if (!waitingFrames.contains(channel))
        {
            waitingFrames.add(channel);
        }
        waitForPool(observedBlockReturns);
    }

    void awaitSettlement(final ChannelMemoryWait channel, final FramePromises promises, final long observedSettlements)
    {
        if (!waitingFrames.contains(channel))
        {
            waitingFrames.add(channel);
        }
        if (!settlementWaiterRegistered)
        {
            // One registration per loop, whichever of its channels asks; the flag is cleared only when it fires, so
            // registrations never pile up in the shared queue.
            settlementWaiterRegistered = true;
            promises.whenSettled(observedSettlements, onPromiseSettled);
        }
    }

    private void onPromiseSettled()
    {
        executor.execute(promiseMayBeAvailable);
    }

    private void promiseMayBeAvailable()
    {
        settlementWaiterRegistered = false;
        memoryMayBeAvailable();
    }

    void onReadFromReserve(final long observedBlockReturns)
    {
        if (!exhausted)
        {
            exhausted = true;
            pool.onReadsPaused();
            for (final ChannelMemoryWait channel : channels)
            {
                channel.onLoopExhausted(true);
            }
        }
        waitForPool(observedBlockReturns);
    }

    private void waitForPool(final long observedBlockReturns)
    {
        if (!poolWaiterRegistered)
        {
            poolWaiterRegistered = true;
            pool.whenMemoryReturns(observedBlockReturns, onPoolBlockReturned);
        }
    }

    private void onPoolBlockReturned()
    {
        executor.execute(memoryMayBeAvailable);
    }

    private void memoryMayBeAvailable()
    {
        if ((exhausted || !waitingFrames.isEmpty()) && !retryScheduled)
        {
            // Not inline: this runs inside a region's release, in the middle of someone else's work.
            retryScheduled = true;
            executor.execute(retryPass);
        }
    }

    private void retryPass()
    {
        retryScheduled = false;
        poolWaiterRegistered = false;
        final long blockReturns = pool.blockReturns();
        for (int waiting = waitingFrames.size(); waiting > 0; waiting--)
        {
            try
            {
                // A retry that is refused again puts its channel back at the end.
                waitingFrames.poll().retryFrame();
            }
            catch (final RuntimeException e)
            {
                // One channel's failure is its own: the others still queued get their retry, and the pass its end.
                // Not rethrown: not every event loop survives a task that throws. The decoder's retry routes its own
                // failures to its pipeline, so this is a last resort.
                final LoggingEventBuilder line = LOGGER.atWarn();
                (LOGGER.isDebugEnabled() ? line.setCause(e) : line)
                    .addKeyValue("error", String.valueOf(e))
                    .log("retry of a frame waiting for memory failed; its channel waits no more");
            }
        }
        if (exhausted && allocator.prepareReadSpace(READ_SPACE_BYTES))
        {
            exhausted = false;
            for (final ChannelMemoryWait channel : channels)
            {
                channel.onLoopExhausted(false);
            }
        }
        if (exhausted || !waitingFrames.isEmpty())
        {
            waitForPool(blockReturns);
        }
    }

    void onPoolPressure()
    {
        executor.execute(applyPressure);
    }

    private void applyPressure()
    {
        // Pressure can flip twice before this runs; the pool's state now is what counts.
        final boolean now = pool.underPressure();
        if (now == underPressure)
        {
            return;
        }
        underPressure = now;
        if (now)
        {
            // Empty chunks this loop keeps for itself are better used by whoever is short.
            allocator.trim();
            pool.onReadsPaused();
        }
        for (final ChannelMemoryWait channel : channels)
        {
            if (channel.isClient())
            {
                channel.onPressure(now);
            }
        }
    }
}

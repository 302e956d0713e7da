package io.kafkaproxy.mempool;

import org.jctools.queues.MpscArrayQueue;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands out regions of pool memory to one thread by bumping a pointer through its current chunk.
 *
 * <pre>
 *   current chunk: | live | freed | live | ... | position -> free space |
 *   spare chunk:   an empty chunk kept to swap in, so a steady stream of frames uses two chunks in turn
 *   retired:       full chunks with live regions; each goes back to the pool when its last region is released
 * </pre>
 *
 * Most frames are freed in the order they were made, so a chunk whose regions are all released is reused from its
 * start at once. A region released late keeps only its own chunk out of use, never the whole allocator: that is
 * the bound on hold-back. A region larger than a chunk gets a block of its own, rounded up to whole chunks.
 *
 * <p>A read reserve of {@link MemoryPoolSettings#readReserveBytes()}, taken from the budget when the allocator is
 * made, serves {@link #allocateReadBuffer} when the pool refuses: a socket read in progress must get memory, and the caller pauses its reads right after.
 *
 * <p>{@link #allocate} and {@link #allocateReadBuffer} are for the owner thread only. {@link Region#release()}
 * may be called from any thread: from another one the region goes back through a JCTools MPSC queue, drained by a
 * task on the owner's executor (or by the next allocation), without locks.
 *
 * <p>Just over 400 lines: the chunk ring, the block path and the cross-thread release share the owner-thread state
 * they protect, so they stay in the class that owns it.
 */
public final class RegionAllocator implements AutoCloseable
{
    /** Regions start at multiples of this, a cache line, so neighbours never share one. */
    static final int ALIGNMENT = 64;
    private static final int REMOTE_RELEASE_QUEUE_CAPACITY = 64 * 1024;

    private final MemoryPool pool;
    private final Thread owner;
    private final Executor ownerExecutor;
    private final int chunkSize;
    private final MpscArrayQueue<Region> remoteReleases = new MpscArrayQueue<>(REMOTE_RELEASE_QUEUE_CAPACITY);
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drainTask = this::runDrainTask;
    private final ArrayDeque<Region> freeHandles = new ArrayDeque<>();
    private final AtomicLong outstandingRegions = new AtomicLong();
    private Block current;
    private int position;
    private Block spare;
    private Block reserve;
    private int reservePosition;
    private boolean reserveInUse;
    private Runnable chunkEmptiedListener = () -> { };

    RegionAllocator(final MemoryPool pool, final Thread owner, final Executor ownerExecutor)
    {
        this.pool = pool;
        this.owner = owner;
        this.ownerExecutor = ownerExecutor;
        this.chunkSize = pool.chunkSizeBytes();
        this.reserve = pool.acquire(pool.settings().readReserveBytes() / chunkSize);
        if (reserve == null)
        {
            throw new IllegalStateException("memory budget too small: no room left for a new allocator's read reserve: " +
                "budgetBytes=" + pool.settings().budgetBytes() + ", readReserveBytes=" + pool.settings().readReserveBytes());
        }
    }

    /**
     * Allocates a region of exactly {@code length} bytes.
     *
     * @param length the size wanted, at least 1.
     * @return the region, or null when the pool's budget is spent (pause, and retry when memory returns).
     */
    public Region allocate(final int length)
    {
        assert Thread.currentThread() == owner : "allocate from the owner thread only";
        drainRemoteReleases();
        if (length > chunkSize)
        {
            return allocateDedicated(length);
        }
        final int aligned = align(length);
        if (current == null || position + aligned > chunkSize)
        {
            if (!nextChunk())
            {
                return null;
            }
        }
        return carve(current, length, aligned);
    }

    /**
     * Allocates a region for a socket read: {@code length} bytes if the pool can, else a piece of the read reserve.
     *
     * <p>Pieces of the reserve are small and shrink as it fills (each at most 1/1024 of what is left, never less
     * than one aligned slot): an edge-triggered event loop reads every channel that was ready once more, paused or
     * not, and a 1 MiB reserve serves about 3,800 such reads. The reads are an emergency; the caller stops reading
     * after them.
     *
     * @param length the size wanted, at most one chunk.
     * @return a region, never null; it may be smaller than asked but is never empty.
     * @throws IllegalStateException if the reserve has no aligned slot left: thousands of reads without a release.
     */
    public Region allocateReadBuffer(final int length)
    {
        final Region region = allocate(length);
        if (region != null)
        {
            return region;
        }
        if (!reserveInUse)
        {
            // The reserve is used from its start each time it is taken up; it is free again once all its regions are.
            reserveInUse = true;
            reservePosition = 0;
        }
        final int available = reserve.capacity() - reservePosition;
        if (available < ALIGNMENT)
        {
            throw new IllegalStateException("read reserve exhausted: readReserveBytes=" + reserve.capacity() + ", reads=" +
                reserve.liveRegions);
        }
        return carveReserve(Math.min(length, Math.max(ALIGNMENT, available / 1024)));
    }

    /**
     * Allocates exactly {@code length} bytes from the read reserve, for small buffers that cannot wait (a rewritten
     * response's new header); the pool is not asked.
     *
     * @param length the size wanted.
     * @return the region, or null if the reserve has not that much left.
     */
    public Region allocateFromReserve(final int length)
    {
        if (!reserveInUse)
        {
            reserveInUse = true;
            reservePosition = 0;
        }
        return reserve.capacity() - reservePosition < length ? null : carveReserve(length);
    }

    private Region carveReserve(final int length)
    {
        final Region region = handle().set(reserve, reservePosition, length);
        reservePosition += align(length);
        reserve.liveRegions++;
        outstandingRegions.lazySet(outstandingRegions.get() + 1);
        return region;
    }

    /**
     * Makes sure the next read can be served without the reserve: the current chunk has room, or a chunk can be
     * had. Owner thread only.
     *
     * @param length the read size to make room for, at most one chunk.
     * @return false if the pool has no memory for it.
     */
    public boolean prepareReadSpace(final int length)
    {
        drainRemoteReleases();
        return current != null && position + align(length) <= chunkSize || nextChunk();
    }

    /**
     * Sets what to call when a chunk of this allocator empties, which is when memory it could not give out before
     * may be available again. Called on the owner thread, from inside a release: hand the work off.
     *
     * @param listener the callback.
     */
    public void onChunkEmptied(final Runnable listener)
    {
        this.chunkEmptiedListener = listener;
    }

    private Region allocateDedicated(final int length)
    {
        final int chunks = (length + chunkSize - 1) / chunkSize;
        Block block = pool.acquire(chunks);
        if (block == null && trim())
        {
            block = pool.acquire(chunks);
        }
        if (block == null)
        {
            return null;
        }
        pool.onFallbackAllocation();
        return carve(block, length, length);
    }

    /**
     * Gives the pool back the chunks this allocator holds empty (its spare, and its current chunk if nothing lives
     * in it), so that another allocation, here or on another thread, can use the memory. Owner thread only.
     *
     * @return true if anything was given back.
     */
    public boolean trim()
    {
        boolean trimmed = false;
        if (spare != null)
        {
            pool.giveBack(spare);
            spare = null;
            trimmed = true;
        }
        if (current != null && current.liveRegions == 0)
        {
            pool.giveBack(current);
            current = null;
            position = 0;
            trimmed = true;
        }
        return trimmed;
    }

    private Region carve(final Block block, final int length, final int aligned)
    {
        final Region region = handle().set(block, block == current ? position : 0, length);
        if (block == current)
        {
            position += aligned;
        }
        block.liveRegions++;
        outstandingRegions.lazySet(outstandingRegions.get() + 1);
        return region;
    }

    private boolean nextChunk()
    {
        if (current != null && current.liveRegions == 0)
        {
            position = 0;
            return true;
        }
        final Block next;
        if (spare != null)
        {
            next = spare;
            spare = null;
        }
        else
        {
            next = pool.acquire(1);
            if (next == null)
            {
                return false;
            }
        }
        // The old current chunk, if any regions live in it, goes back to the pool when the last one is released.
        current = next;
        position = 0;
        return true;
    }

    private Region handle()
    {
        final Region handle = freeHandles.poll();
        return handle != null ? handle : new Region(this);
    }

    void release(final Region region)
    {
        if (Thread.currentThread() == owner)
        {
            releaseOnOwner(region);
            return;
        }
        while (!remoteReleases.offer(region))
        {
            scheduleDrain();
            Thread.yield();
        }
        scheduleDrain();
    }

    private void scheduleDrain()
    {
        if (drainScheduled.compareAndSet(false, true))
        {
            try
            {
                ownerExecutor.execute(drainTask);
            }
            catch (final RejectedExecutionException shuttingDown)
            {
                // The owner has stopped: its memory goes with the pool's close.
                drainScheduled.set(false);
            }
        }
    }

    private void runDrainTask()
    {
        // Cleared before draining: a release queued after this point schedules a task of its own.
        drainScheduled.set(false);
        drainRemoteReleases();
    }

    /**
     * Takes in regions released on other threads. Allocations call this too, without touching the scheduling
     * flag: a plain read when the queue is empty, so the hot path pays no fenced write, and the task already
     * scheduled, if any, still runs and clears the flag.
     */
    private void drainRemoteReleases()
    {
        Region region;
        while ((region = remoteReleases.relaxedPoll()) != null)
        {
            releaseOnOwner(region);
        }
    }

    private void releaseOnOwner(final Region region)
    {
        final Block block = region.block();
        region.set(null, 0, 0);
        freeHandles.push(region);
        outstandingRegions.lazySet(outstandingRegions.get() - 1);
        if (--block.liveRegions > 0)
        {
            return;
        }
        chunkEmptiedListener.run();
        if (block == reserve)
        {
            reserveInUse = false;
        }
        else if (block == current)
        {
            position = 0;
        }
        else if (block.chunks() == 1 && spare == null)
        {
            spare = block;
        }
        else
        {
            pool.giveBack(block);
        }
    }

    /**
     * Regions this allocator handed out and not yet released; written by the owner, readable anywhere.
     *
     * @return the count.
     */
    public long outstandingRegions()
    {
        return outstandingRegions.get();
    }

    /**
     * Whether a region was served from the read reserve, because the pool refused.
     *
     * @param region a region of this allocator, not yet released.
     * @return true if it lives in the reserve.
     */
    public boolean isReserve(final Region region)
    {
        return region.block() == reserve;
    }

    /**
     * What the read reserve has left.
     *
     * @return free bytes in the reserve.
     */
    public int reserveRemaining()
    {
        return reserveInUse ? reserve.capacity() - reservePosition : reserve.capacity();
    }

    /**
     * Whether the read reserve is serving reads the pool refused.
     *
     * @return true while reads live in the reserve.
     */
    public boolean reserveInUse()
    {
        return reserveInUse;
    }

    private static int align(final int length)
    {
        return (length + ALIGNMENT - 1) & -ALIGNMENT;
    }

    /**
     * Gives the empty chunks back to the pool; owner thread only, once its regions are all released.
     */
    @Override
    public void close()
    {
        drainRemoteReleases();
        pool.removeAllocator(this);
        for (final Block block : new Block[] {current, spare, reserve})
        {
            if (block != null && block.liveRegions == 0)
            {
                pool.giveBack(block);
            }
        }
        current = null;
        spare = null;
        reserve = null;
    }
}

package io.kafkaproxy.mempool;

import org.jctools.queues.MpmcArrayQueue;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongSupplier;

/**
 * Off-heap memory under a hard budget, handed to one {@link RegionAllocator} per thread in blocks of whole
 * chunks.
 *
 * <p>Blocks are reserved from the operating system lazily, as allocators need them, and never beyond the budget.
 * A block an allocator gives back is cached for reuse by any allocator; cached blocks are freed to make room for a
 * block of another size, and when a burst is over ({@link #releaseIdleMemory}): what was not in use at any time
 * during a whole {@link #IDLE_PERIOD_NANOS idle period}, above {@link #RETAINED_WHEN_IDLE} of the budget, goes back
 * to the operating system. When the budget is spent a request is refused ({@code null}), not failed: the caller
 * pauses and asks to be told when memory comes back ({@link #whenMemoryReturns}).
 *
 * <p>Memory in use (blocks held by allocators) is watched against two marks: crossing the high one tells the
 * pressure listeners to stop taking new work, falling under the low one tells them to resume. How long the pool has
 * been under pressure ({@link #pressureNanos}) is how long it has been unable to serve new work.
 *
 * <p>Thread safe. Blocks move through lock-free queues; the counters are atomics touched once per block, never per
 * region.
 */
public final class MemoryPool implements AutoCloseable
{
    /** Share of the budget in use above which the pool reports pressure. */
    static final double HIGH_WATERMARK = 0.80;
    /** Share of the budget in use below which the pressure ends. */
    static final double LOW_WATERMARK = 0.60;
    /** Share of the budget kept reserved, cached for the next burst, however long the pool is idle. */
    static final double RETAINED_WHEN_IDLE = 0.125;
    /** How long cached memory must go unneeded before {@link #releaseIdleMemory} frees it. */
    static final long IDLE_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final long NO_PRESSURE = Long.MIN_VALUE;

    private final MemoryPoolSettings settings;
    private final BlockBacking backing;
    private final MpmcArrayQueue<Block> cachedChunks;
    /** Cached blocks of more than one chunk, by their chunk count; a queue is made the first time a size is seen. */
    private final AtomicReferenceArray<MpmcArrayQueue<Block>> cachedLargeBlocks;
    private final AtomicLong reservedBytes = new AtomicLong();
    private final AtomicLong inUseBytes = new AtomicLong();
    private final AtomicLong highWaterMarkBytes = new AtomicLong();
    private final AtomicLong fallbackAllocations = new AtomicLong();
    private final AtomicLong allocationFailures = new AtomicLong();
    private final AtomicLong pausedReadEvents = new AtomicLong();
    private final AtomicLong blockReturns = new AtomicLong();
    private final AtomicLong pressureSinceNanos = new AtomicLong(NO_PRESSURE);
    private final AtomicLong recentPeakInUseBytes = new AtomicLong();
    private final List<MemoryPressureListener> pressureListeners = new CopyOnWriteArrayList<>();
    private final Queue<Runnable> memoryWaiters = new ConcurrentLinkedQueue<>();
    private final List<RegionAllocator> allocators = new CopyOnWriteArrayList<>();
    private final long highWatermarkBytes;
    private final long lowWatermarkBytes;
    private final long retainedWhenIdleBytes;
    private final LongSupplier nanoClock;
    private long idlePeriodStartNanos;
    private long idlePeriodPeakInUseBytes;

    /**
     * Creates an empty pool; no memory is reserved until an allocator asks.
     *
     * @param settings budget, chunk size and backing.
     */
    public MemoryPool(final MemoryPoolSettings settings)
    {
        this(settings, System::nanoTime);
    }

    /**
     * Creates an empty pool that tells time by the given clock (tests).
     *
     * @param settings  budget, chunk size and backing.
     * @param nanoClock a monotonic clock in nanoseconds, read when pressure starts and when idle memory is released.
     */
    public MemoryPool(final MemoryPoolSettings settings, final LongSupplier nanoClock)
    {
        this.settings = settings;
        this.nanoClock = nanoClock;
        this.idlePeriodStartNanos = nanoClock.getAsLong();
        this.retainedWhenIdleBytes = (long)(settings.budgetBytes() * RETAINED_WHEN_IDLE);
        this.backing = BlockBacking.of(settings);
        final int budgetChunks = (int)Math.min(Integer.MAX_VALUE - 1, settings.budgetBytes() / settings.chunkSizeBytes());
        this.cachedChunks = new MpmcArrayQueue<>(Math.max(2, budgetChunks));
        this.cachedLargeBlocks = new AtomicReferenceArray<>(budgetChunks + 1);
        this.highWatermarkBytes = (long)(settings.budgetBytes() * HIGH_WATERMARK);
        this.lowWatermarkBytes = (long)(settings.budgetBytes() * LOW_WATERMARK);
    }

    /**
     * The settings the pool was made with.
     *
     * @return the settings.
     */
    public MemoryPoolSettings settings()
    {
        return settings;
    }

    /**
     * The chunk size.
     *
     * @return bytes per chunk.
     */
    public int chunkSizeBytes()
    {
        return settings.chunkSizeBytes();
    }

    /**
     * Creates the allocator of one thread.
     *
     * @param owner         the thread that will allocate.
     * @param ownerExecutor runs tasks on that thread; regions released elsewhere are returned through it.
     * @return the allocator.
     */
    public RegionAllocator newAllocator(final Thread owner, final Executor ownerExecutor)
    {
        final RegionAllocator allocator = new RegionAllocator(this, owner, ownerExecutor);
        allocators.add(allocator);
        return allocator;
    }

    void removeAllocator(final RegionAllocator allocator)
    {
        allocators.remove(allocator);
    }

    /**
     * Registers a listener for pressure changes; it is told the current state at once if under pressure.
     *
     * @param listener the listener.
     */
    public void addPressureListener(final MemoryPressureListener listener)
    {
        pressureListeners.add(listener);
        if (underPressure())
        {
            listener.onMemoryPressure(true);
        }
    }

    /**
     * Whether memory in use is above the high watermark (and not yet back under the low one).
     *
     * @return the pressure state.
     */
    public boolean underPressure()
    {
        return pressureSinceNanos.get() != NO_PRESSURE;
    }

    /**
     * How long the pool has been under pressure, during which new work waits (the proxy's clients are not read).
     *
     * @return nanoseconds since the pressure started, or 0 when not under pressure.
     */
    public long pressureNanos()
    {
        final long since = pressureSinceNanos.get();
        return since == NO_PRESSURE ? 0 : Math.max(1, nanoClock.getAsLong() - since);
    }

    /**
     * How many times a block came back to the pool; read it before a request, to pass to
     * {@link #whenMemoryReturns} if the request is refused.
     *
     * @return a counter that only grows.
     */
    public long blockReturns()
    {
        return blockReturns.get();
    }

    /**
     * Asks to be called once, when a block comes back to the pool, to retry a refused request. If one came back
     * since {@code observedBlockReturns} was read, the callback runs at once: its return cannot be missed.
     *
     * @param observedBlockReturns {@link #blockReturns()} as read before the refused request.
     * @param callback             run on the thread that returned the block; it should hand off to its own thread.
     */
    public void whenMemoryReturns(final long observedBlockReturns, final Runnable callback)
    {
        memoryWaiters.add(callback);
        if (blockReturns.get() != observedBlockReturns)
        {
            notifyWaiters();
        }
    }

    /**
     * Counts a pause of reads for want of memory; the proxy calls it so the figure sits with the rest.
     */
    public void onReadsPaused()
    {
        pausedReadEvents.incrementAndGet();
    }

    void onFallbackAllocation()
    {
        fallbackAllocations.incrementAndGet();
    }

    Block acquire(final int chunks)
    {
        final int bytes = chunks * settings.chunkSizeBytes();
        Block block = chunks == 1 ? cachedChunks.poll() : pollLarge(chunks);
        if (block == null)
        {
            block = reserve(bytes, chunks);
            if (block == null)
            {
                allocationFailures.incrementAndGet();
                return null;
            }
        }
        addInUse(bytes);
        return block;
    }

    void giveBack(final Block block)
    {
        block.liveRegions = 0;
        final boolean cached = block.chunks() == 1 ? cachedChunks.offer(block) : largeBlockCache(block.chunks()).offer(block);
        if (!cached)
        {
            free(block);
        }
        addInUse(-block.capacity());
        blockReturns.incrementAndGet();
        notifyWaiters();
    }

    private Block pollLarge(final int chunks)
    {
        final MpmcArrayQueue<Block> cached = cachedLargeBlocks.get(chunks);
        return cached == null ? null : cached.poll();
    }

    private MpmcArrayQueue<Block> largeBlockCache(final int chunks)
    {
        MpmcArrayQueue<Block> cache = cachedLargeBlocks.get(chunks);
        if (cache == null)
        {
            // Sized so that the whole budget in blocks of this size fits: offering never fails for want of room.
            cachedLargeBlocks.compareAndSet(chunks, null, new MpmcArrayQueue<>(Math.max(2, (cachedLargeBlocks.length() - 1) / chunks)));
            cache = cachedLargeBlocks.get(chunks);
        }
        return cache;
    }

    private Block reserve(final int bytes, final int chunks)
    {
        while (true)
        {
            final long reserved = reservedBytes.get();
            if (reserved + bytes <= settings.budgetBytes())
            {
                if (reservedBytes.compareAndSet(reserved, reserved + bytes))
                {
                    highWaterMarkBytes.accumulateAndGet(reserved + bytes, Math::max);
                    try
                    {
                        return backing.allocate(bytes, chunks);
                    }
                    catch (final RuntimeException | OutOfMemoryError e)
                    {
                        reservedBytes.addAndGet(-bytes);
                        throw e;
                    }
                }
            }
            else if (!evictOneCachedBlock())
            {
                return null;
            }
        }
    }

    private boolean evictOneCachedBlock()
    {
        Block victim = cachedChunks.poll();
        if (victim == null)
        {
            for (int chunks = cachedLargeBlocks.length() - 1; chunks > 1 && victim == null; chunks--)
            {
                victim = pollLarge(chunks);
            }
        }
        if (victim == null)
        {
            return false;
        }
        free(victim);
        return true;
    }

    private void free(final Block block)
    {
        backing.free(block);
        reservedBytes.addAndGet(-block.capacity());
    }

    private void addInUse(final long delta)
    {
        final long inUse = inUseBytes.addAndGet(delta);
        if (delta > 0)
        {
            recentPeakInUseBytes.accumulateAndGet(inUse, Math::max);
        }
        // One atomic holds both whether and since when the pool is under pressure, so they are never seen apart.
        final long since = pressureSinceNanos.get();
        if (inUse >= highWatermarkBytes && since == NO_PRESSURE &&
            pressureSinceNanos.compareAndSet(NO_PRESSURE, nanoClock.getAsLong()))
        {
            pressureListeners.forEach(listener -> listener.onMemoryPressure(true));
        }
        else if (inUse <= lowWatermarkBytes && since != NO_PRESSURE && pressureSinceNanos.compareAndSet(since, NO_PRESSURE))
        {
            pressureListeners.forEach(listener -> listener.onMemoryPressure(false));
        }
    }

    /**
     * Frees cached blocks no allocator needed during the last idle period, down to what was in use at its peak and
     * never below {@link #RETAINED_WHEN_IDLE} of the budget: after a burst, the memory it took goes back to the
     * operating system, while a steady load keeps what it uses. Call it every second or so, always from the same
     * thread; it does nothing until an idle period has passed.
     *
     * @return the bytes freed.
     */
    public long releaseIdleMemory()
    {
        final long now = nanoClock.getAsLong();
        idlePeriodPeakInUseBytes = Math.max(idlePeriodPeakInUseBytes, recentPeakInUseBytes.getAndSet(inUseBytes.get()));
        if (now - idlePeriodStartNanos < IDLE_PERIOD_NANOS)
        {
            return 0;
        }
        final long keep = Math.max(retainedWhenIdleBytes, idlePeriodPeakInUseBytes);
        final long reservedBefore = reservedBytes.get();
        while (reservedBytes.get() > keep && evictOneCachedBlock())
        {
            // Each turn frees one cached block; blocks in use are never touched.
        }
        idlePeriodStartNanos = now;
        idlePeriodPeakInUseBytes = inUseBytes.get();
        // Other threads may reserve meanwhile; the figure is what this call freed, at least.
        return Math.max(0, reservedBefore - reservedBytes.get());
    }

    private void notifyWaiters()
    {
        Runnable waiter;
        while ((waiter = memoryWaiters.poll()) != null)
        {
            waiter.run();
        }
    }

    /**
     * The pool's accounting now.
     *
     * @return a snapshot.
     */
    public MemoryPoolStats stats()
    {
        long outstanding = 0;
        for (final RegionAllocator allocator : allocators)
        {
            outstanding += allocator.outstandingRegions();
        }
        return new MemoryPoolStats(
            settings.budgetBytes(),
            reservedBytes.get(),
            inUseBytes.get(),
            highWaterMarkBytes.get(),
            outstanding,
            fallbackAllocations.get(),
            allocationFailures.get(),
            pausedReadEvents.get());
    }

    /**
     * Frees every cached block and the backing; blocks still held by allocators are the holders' to stop using.
     */
    @Override
    public void close()
    {
        while (evictOneCachedBlock())
        {
            // Each turn frees one cached block.
        }
        backing.close();
    }
}

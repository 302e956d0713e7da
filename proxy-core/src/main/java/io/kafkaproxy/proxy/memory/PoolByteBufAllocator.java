package io.kafkaproxy.proxy.memory;

import io.kafkaproxy.mempool.MemoryPool;
import io.kafkaproxy.mempool.Region;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.internal.ThreadExecutorMap;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The allocator of every client and broker channel: direct buffers are regions of the memory pool, from the
 * calling event loop's own region allocator.
 *
 * <p>{@link #tryDirectBuffer} is how the proxy asks for frame memory: it answers null when the budget is spent,
 * and the caller pauses. {@link #readBuffer} never fails, falling back to the loop's read reserve. The generic
 * {@code directBuffer} methods, used for the few small buffers of rewritten responses, use the reserve too and
 * throw {@link MemoryExhaustedException} only if even that is spent. Heap buffers, which no proxy path uses,
 * come from the heap allocator. Outside an event loop (tests, startup) direct buffers come from outside the pool.
 *
 * <p>Shared by all channels and thread safe: each loop touches only its own {@link LoopMemory}.
 */
public final class PoolByteBufAllocator extends AbstractByteBufAllocator
{
    /**
     * A growable request below this size gets {@link #TLS_RECORD_BYTES}: a pool region cannot grow, and Netty's
     * {@code SslHandler} asks for a few bytes (its estimate for an empty write, such as the close_notify alert) then
     * for a whole TLS record when the engine says the estimate was short. Only such tiny requests are affected (an
     * alert, a tiny error answer), each for as long as its write takes.
     */
    static final int SMALL_GROWABLE_BYTES = 64;
    /** Room for one TLS record with its overhead, as OpenSSL asks for (16,704 bytes), rounded up. */
    static final int TLS_RECORD_BYTES = 17 * 1024;

    private final MemoryPool pool;
    private final FramePromises framePromises;
    private final List<LoopMemory> loops = new CopyOnWriteArrayList<>();
    private final FastThreadLocal<LoopMemory> currentLoop = new FastThreadLocal<>()
    {
        @Override
        protected LoopMemory initialValue()
        {
            final EventExecutor executor = ThreadExecutorMap.currentExecutor();
            if (executor == null)
            {
                return null;
            }
            final LoopMemory loop = new LoopMemory(pool, pool.newAllocator(Thread.currentThread(), executor), executor);
            loops.add(loop);
            return loop;
        }

        @Override
        protected void onRemoval(final LoopMemory loop)
        {
            if (loop != null)
            {
                loops.remove(loop);
                loop.allocator().close();
            }
        }
    };

    /**
     * Creates the allocator of a pool, with the default bounds on client frames' promises.
     *
     * @param pool the memory pool.
     */
    public PoolByteBufAllocator(final MemoryPool pool)
    {
        this(pool, FramePromises.forPool(pool));
    }

    /**
     * Creates the allocator of a pool.
     *
     * @param pool          the memory pool.
     * @param framePromises what client frames may hold ahead of their bytes, and for how long.
     */
    public PoolByteBufAllocator(final MemoryPool pool, final FramePromises framePromises)
    {
        super(true);
        this.pool = pool;
        this.framePromises = framePromises;
        pool.addPressureListener(pressure -> loops.forEach(LoopMemory::onPoolPressure));
    }

    /**
     * The pool behind this allocator.
     *
     * @return the pool.
     */
    public MemoryPool pool()
    {
        return pool;
    }

    /**
     * The bounds on client frames' promises.
     *
     * @return the bounds, shared by every client channel.
     */
    public FramePromises framePromises()
    {
        return framePromises;
    }

    /**
     * A buffer of exactly {@code capacity} bytes of pool memory, or null when the budget is spent. Read
     * {@link MemoryPool#blockReturns()} before calling, to wait for memory with a {@link ChannelMemoryWait}.
     *
     * @param capacity the size.
     * @return the buffer, or null.
     */
    public ByteBuf tryDirectBuffer(final int capacity)
    {
        final LoopMemory loop = currentLoop.get();
        if (loop == null)
        {
            return UnpooledByteBufAllocator.DEFAULT.directBuffer(capacity, capacity);
        }
        final Region region = loop.allocator().allocate(Math.max(1, capacity));
        return region == null ? null : RegionByteBuf.owning(this, region);
    }

    /**
     * A buffer for one socket read, never null: from the read reserve when the pool refuses, in which case the
     * whole event loop stops reading until memory comes back.
     *
     * @param capacity the size wanted.
     * @param memoryWait the reading channel's memory wait.
     * @return a buffer of at most {@code capacity} bytes, never empty.
     * @throws MemoryExhaustedException if the channel was told to wait yet is read (its peer hung up) and the
     *                                  reserve is low: the connection is closed.
     */
    public ByteBuf readBuffer(final int capacity, final ChannelMemoryWait memoryWait)
    {
        final LoopMemory loop = currentLoop.get();
        if (loop == null)
        {
            return UnpooledByteBufAllocator.DEFAULT.directBuffer(capacity);
        }
        if (memoryWait.waiting() && loop.allocator().reserveRemaining() < pool.settings().readReserveBytes() / 4)
        {
            // Reading although the channel was told to wait: Netty drains a socket whose peer hung up (RDHUP) to
            // its end whatever the read loop is told. That peer is leaving; rather than let what it left unread
            // empty the reserve every channel of this loop needs, its connection is closed.
            throw MemoryExhaustedException.INSTANCE;
        }
        final long blockReturns = pool.blockReturns();
        final Region region = loop.allocator().allocateReadBuffer(Math.min(capacity, pool.chunkSizeBytes()));
        if (loop.allocator().isReserve(region))
        {
            memoryWait.readFromReserve(blockReturns);
        }
        return RegionByteBuf.owning(this, region);
    }

    @Override
    protected ByteBuf newDirectBuffer(final int initialCapacity, final int maxCapacity)
    {
        final LoopMemory loop = currentLoop.get();
        if (loop == null)
        {
            return UnpooledByteBufAllocator.DEFAULT.directBuffer(initialCapacity, maxCapacity);
        }
        final int capacity = initialCapacity < SMALL_GROWABLE_BYTES && maxCapacity > initialCapacity ?
            Math.min(maxCapacity, TLS_RECORD_BYTES) : Math.max(1, initialCapacity);
        Region region = loop.allocator().allocate(capacity);
        if (region == null && capacity <= pool.chunkSizeBytes())
        {
            region = loop.allocator().allocateFromReserve(capacity);
        }
        if (region == null)
        {
            throw MemoryExhaustedException.INSTANCE;
        }
        return RegionByteBuf.owning(this, region);
    }

    @Override
    protected ByteBuf newHeapBuffer(final int initialCapacity, final int maxCapacity)
    {
        return UnpooledByteBufAllocator.DEFAULT.heapBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public boolean isDirectBufferPooled()
    {
        return true;
    }

    /**
     * Creates the memory wait of a channel; call on the channel's event loop (its initializer).
     *
     * @param client    true for a client channel, which also pauses while the pool is under pressure, and whose
     *                  frames are bounded by {@link #framePromises()}.
     * @param readPause pauses (true) or resumes (false) the channel's reads.
     * @return the channel's memory wait, registered with its loop.
     */
    public ChannelMemoryWait newChannelMemoryWait(final boolean client, final Consumer<Boolean> readPause)
    {
        return new ChannelMemoryWait(this, client ? framePromises : null, currentLoop.get(), readPause, client);
    }
}

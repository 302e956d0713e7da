package io.kafkaproxy.bench;

import io.kafkaproxy.mempool.MemoryPool;
import io.kafkaproxy.mempool.MemoryPoolSettings;
import io.kafkaproxy.mempool.Region;
import io.kafkaproxy.mempool.RegionAllocator;
import io.kafkaproxy.proxy.memory.RegionByteBuf;
import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.agrona.UnsafeApi;

/**
 * One source of frame memory, as the allocation benchmarks compare them. Every frame gets its length written into
 * its first four bytes, as the decoder does, so each candidate touches the memory it hands out.
 *
 * <p>Frames are allocated on one thread and released on that thread or another; {@link #allocate} answers null
 * only for the pool under a budget it has spent, which the benchmarks size so that it does not happen.
 */
abstract class FrameMemory implements AutoCloseable
{
    /** The names the benchmarks take as a parameter. */
    static final String RING = "ring";
    static final String RING_BYTE_BUF = "ring-bytebuf";
    static final String NETTY_POOLED = "netty-pooled";
    static final String NETTY_ADAPTIVE = "netty-adaptive";
    static final String UNPOOLED_DIRECT = "unpooled-direct";

    /**
     * The frame memory of a name.
     *
     * @param name        one of the names above.
     * @param budgetBytes the pool's budget, for the two pool candidates.
     * @param chunkBytes  the pool's chunk size.
     * @return the candidate.
     */
    static FrameMemory named(final String name, final long budgetBytes, final int chunkBytes)
    {
        return switch (name)
        {
            case RING -> new Regions(budgetBytes, chunkBytes);
            case RING_BYTE_BUF -> new RegionBuffers(budgetBytes, chunkBytes);
            // Thread caches for every thread, as event loop threads have them: the benchmark threads are not
            // event loops, and Netty would otherwise run them through its arenas alone.
            case NETTY_POOLED -> new Buffers(new PooledByteBufAllocator(true,
                PooledByteBufAllocator.defaultNumHeapArena(), PooledByteBufAllocator.defaultNumDirectArena(),
                PooledByteBufAllocator.defaultPageSize(), PooledByteBufAllocator.defaultMaxOrder(),
                PooledByteBufAllocator.defaultSmallCacheSize(), PooledByteBufAllocator.defaultNormalCacheSize(), true));
            case NETTY_ADAPTIVE -> new Buffers(new AdaptiveByteBufAllocator(true, true));
            case UNPOOLED_DIRECT -> new Buffers(new UnpooledByteBufAllocator(true));
            default -> throw new IllegalArgumentException("unknown frame memory: " + name);
        };
    }

    /**
     * A frame of {@code length} bytes with the length written at its start.
     *
     * @param length at least four.
     * @return the frame, or null if the pool refused.
     */
    abstract Object allocate(int length);

    /**
     * Gives a frame back, from any thread.
     *
     * @param frame a frame from {@link #allocate}.
     */
    abstract void release(Object frame);

    @Override
    public void close()
    {
    }

    /**
     * The mempool's regions as they are: the ring path without Netty. The allocator belongs to the first thread
     * that allocates; regions released on another thread go back through its queue and are taken in by its next
     * allocation (the benchmark threads run no tasks, so the owner executor drops the drain task).
     */
    static class Regions extends FrameMemory
    {
        private final MemoryPool pool;
        private RegionAllocator allocator;

        Regions(final long budgetBytes, final int chunkBytes)
        {
            pool = new MemoryPool(MemoryPoolSettings.direct(budgetBytes, chunkBytes));
        }

        final Region allocateRegion(final int length)
        {
            if (allocator == null)
            {
                allocator = pool.newAllocator(Thread.currentThread(), drainTask -> { });
            }
            final Region region = allocator.allocate(length);
            if (region != null)
            {
                UnsafeApi.putInt(region.address(), length);
            }
            return region;
        }

        @Override
        Object allocate(final int length)
        {
            return allocateRegion(length);
        }

        @Override
        void release(final Object frame)
        {
            ((Region)frame).release();
        }

        MemoryPool pool()
        {
            return pool;
        }

        @Override
        public void close()
        {
            pool.close();
        }
    }

    /**
     * The mempool's regions as the proxy's frames are: each wrapped in a recycled {@link RegionByteBuf}.
     */
    static final class RegionBuffers extends Regions
    {
        RegionBuffers(final long budgetBytes, final int chunkBytes)
        {
            super(budgetBytes, chunkBytes);
        }

        @Override
        Object allocate(final int length)
        {
            final Region region = allocateRegion(length);
            return region == null ? null : RegionByteBuf.owning(ByteBufAllocator.DEFAULT, region).writerIndex(4);
        }

        @Override
        void release(final Object frame)
        {
            ((ByteBuf)frame).release();
        }
    }

    /**
     * A Netty allocator's direct buffers.
     */
    static final class Buffers extends FrameMemory
    {
        private final ByteBufAllocator allocator;

        Buffers(final ByteBufAllocator allocator)
        {
            this.allocator = allocator;
        }

        @Override
        Object allocate(final int length)
        {
            return allocator.directBuffer(length, length).writeInt(length);
        }

        @Override
        void release(final Object frame)
        {
            ((ByteBuf)frame).release();
        }
    }
}

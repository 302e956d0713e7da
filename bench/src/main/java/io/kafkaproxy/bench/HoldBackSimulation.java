package io.kafkaproxy.bench;

import io.kafkaproxy.mempool.MemoryPool;
import io.kafkaproxy.mempool.MemoryPoolSettings;
import io.kafkaproxy.mempool.Region;
import io.kafkaproxy.mempool.RegionAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;

import java.util.ArrayDeque;
import java.util.Locale;

/**
 * How much memory each design needs to carry the proxy's frame mix without ever pausing, when a few frames are
 * held far longer than the rest: the numbers behind the mempool's choice of chunks over one ring.
 *
 * <p>Two million frames of {@link FrameMix}, one thread; most released 32 frames later, one in a hundred (a slow
 * connection's) after a longer hold, from none to 65,536 frames. For each design, the peak memory it held:
 * <ul>
 *     <li>live frames: the sum of the sizes of frames not yet released, the floor for any design;</li>
 *     <li>one ring: a single bump-pointer ring whose tail can only advance past released frames, so the oldest
 *     live frame pins everything allocated after it (a model; wrap-around waste is not even counted);</li>
 *     <li>chunks of 64 KiB, 256 KiB, 1 MiB and 4 MiB: the real {@link RegionAllocator}, where a late frame pins only its
 *     own chunk; the figure is the pool's high-water mark, which includes the allocator's spare and reserve;</li>
 *     <li>Netty's pooled allocator, for scale: its used direct memory, sampled every 64 frames.</li>
 * </ul>
 *
 * <p>Run: {@code java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp bench/target/benchmarks.jar
 * io.kafkaproxy.bench.HoldBackSimulation}.
 */
public final class HoldBackSimulation
{
    private static final int FRAMES = 2_000_000;
    private static final int ALIGNMENT = 64;
    private static final long UNREACHABLE_BUDGET = 64L << 30;

    private HoldBackSimulation()
    {
    }

    /**
     * Runs the simulation and prints a Markdown table of peak memory per design, in MiB.
     *
     * @param args none.
     */
    public static void main(final String[] args)
    {
        final int[] sizes = FrameMix.sizes(42, FRAMES);
        final boolean[] slow = FrameMix.slow(42, FRAMES);
        System.out.println("| slow frames held for | live frames | one ring | chunks 64 KiB | chunks 256 KiB | chunks 1 MiB | chunks 4 MiB | Netty pooled |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (final int hold : new int[] {0, 4096, 65_536})
        {
            System.out.printf(Locale.ROOT, "| %,d frames | %s | %s | %s | %s | %s | %s | %s |%n", hold,
                mib(run(new LiveFrames(), sizes, slow, hold)),
                mib(run(new OneRing(), sizes, slow, hold)),
                mib(run(new Chunks(64 << 10), sizes, slow, hold)),
                mib(run(new Chunks(256 << 10), sizes, slow, hold)),
                mib(run(new Chunks(1 << 20), sizes, slow, hold)),
                mib(run(new Chunks(4 << 20), sizes, slow, hold)),
                mib(run(new NettyPooled(), sizes, slow, hold)));
        }
    }

    private static String mib(final long bytes)
    {
        return String.format(Locale.ROOT, "%,.1f MiB", bytes / (double)(1 << 20));
    }

    private static long run(final Design design, final int[] sizes, final boolean[] slow, final int hold)
    {
        final ArrayDeque<Object> inFlight = new ArrayDeque<>();
        final ArrayDeque<Object> held = new ArrayDeque<>();
        final ArrayDeque<Integer> heldDue = new ArrayDeque<>();
        for (int i = 0; i < sizes.length; i++)
        {
            final Object frame = design.allocate(sizes[i]);
            if (slow[i] && hold > 0)
            {
                held.add(frame);
                heldDue.add(i + hold);
            }
            else
            {
                inFlight.add(frame);
            }
            if (inFlight.size() > FrameMix.IN_FLIGHT)
            {
                design.release(inFlight.poll());
            }
            while (!heldDue.isEmpty() && heldDue.peek() <= i)
            {
                heldDue.poll();
                design.release(held.poll());
            }
            if ((i & 63) == 0)
            {
                design.sample();
            }
        }
        inFlight.forEach(design::release);
        held.forEach(design::release);
        final long peak = design.peakBytes();
        design.close();
        return peak;
    }

    private interface Design
    {
        Object allocate(int size);

        void release(Object frame);

        default void sample()
        {
        }

        long peakBytes();

        default void close()
        {
        }
    }

    private static final class LiveFrames implements Design
    {
        private long live;
        private long peak;

        @Override
        public Object allocate(final int size)
        {
            live += size;
            peak = Math.max(peak, live);
            return size;
        }

        @Override
        public void release(final Object frame)
        {
            live -= (Integer)frame;
        }

        @Override
        public long peakBytes()
        {
            return peak;
        }
    }

    /** A ring as one contiguous space: the head bumps forward, the tail follows the oldest frame still live. */
    private static final class OneRing implements Design
    {
        private final ArrayDeque<long[]> frames = new ArrayDeque<>();
        private long head;
        private long peak;

        @Override
        public Object allocate(final int size)
        {
            final long[] frame = {head, 0};
            head += (size + ALIGNMENT - 1) & -ALIGNMENT;
            frames.add(frame);
            peak = Math.max(peak, head - frames.peek()[0]);
            return frame;
        }

        @Override
        public void release(final Object frame)
        {
            ((long[])frame)[1] = 1;
            while (!frames.isEmpty() && frames.peek()[1] == 1)
            {
                frames.poll();
            }
        }

        @Override
        public long peakBytes()
        {
            return peak;
        }
    }

    private static final class Chunks implements Design
    {
        private final MemoryPool pool;
        private final RegionAllocator allocator;

        Chunks(final int chunkBytes)
        {
            pool = new MemoryPool(MemoryPoolSettings.direct(UNREACHABLE_BUDGET, chunkBytes));
            allocator = pool.newAllocator(Thread.currentThread(), Runnable::run);
        }

        @Override
        public Object allocate(final int size)
        {
            return allocator.allocate(size);
        }

        @Override
        public void release(final Object frame)
        {
            ((Region)frame).release();
        }

        @Override
        public long peakBytes()
        {
            return pool.stats().highWaterMarkBytes();
        }

        @Override
        public void close()
        {
            allocator.close();
            pool.close();
        }
    }

    private static final class NettyPooled implements Design
    {
        private final PooledByteBufAllocator allocator = new PooledByteBufAllocator(true);
        private long peak;

        @Override
        public Object allocate(final int size)
        {
            return allocator.directBuffer(size, size);
        }

        @Override
        public void release(final Object frame)
        {
            ((ByteBuf)frame).release();
        }

        @Override
        public void sample()
        {
            peak = Math.max(peak, allocator.metric().usedDirectMemory());
        }

        @Override
        public long peakBytes()
        {
            return peak;
        }
    }
}

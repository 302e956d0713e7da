package io.kafkaproxy.bench;

import io.kafkaproxy.proxy.config.MemoryConfig;
import org.jctools.queues.SpscArrayQueue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Control;

import java.util.concurrent.TimeUnit;

/**
 * What one frame's memory costs: allocate, write its length, release; for 1 KiB, 16 KiB and 1 MiB frames, with
 * the release on the allocating thread (a request answered on its own event loop) or on another one (a frame
 * handed to a different loop or a worker).
 *
 * <p>Candidates: the mempool's regions bare ({@code ring}) and as the proxy's {@code RegionByteBuf}s
 * ({@code ring-bytebuf}), Netty's {@code PooledByteBufAllocator} and 4.2's {@code AdaptiveByteBufAllocator} with
 * thread caches, and unpooled direct buffers. Benchmark threads are {@code FastThreadLocalThread}s, like event
 * loops; leak detection is off for every candidate. The pool has the proxy's default 64 KiB chunks, so a 1 MiB
 * frame takes its fallback path (a block of 16 chunks from the shared pool); its 1 GiB budget is never reached.
 *
 * <p>Cross-thread: one thread allocates and hands frames over a JCTools SPSC queue of 64 to a thread that releases
 * them; both score about the same, the pair's throughput. Read {@code crossThread:allocate}.
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar FrameAllocationBenchmark -prof gc}; bytes per operation
 * are {@code gc.alloc.rate.norm}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
    "-Dio.netty.leakDetection.level=disabled",
    "-Djmh.executor=CUSTOM",
    "-Djmh.executor.class=io.kafkaproxy.bench.FastThreadLocalThreadExecutor"})
public class FrameAllocationBenchmark
{
    private static final long BUDGET_BYTES = 1L << 30;
    private static final int CHUNK_BYTES = MemoryConfig.DEFAULT_CHUNK_SIZE_BYTES;
    private static final int HANDOFF_CAPACITY = 64;

    /**
     * A frame size and the memory frames come from; the parameters both shapes of the benchmark share (JMH wants a
     * scope on every class with parameters; each subclass sets its own).
     */
    @State(Scope.Thread)
    public abstract static class Frames
    {
        @Param({"1024", "16384", "1048576"})
        int frameBytes;

        @Param({FrameMemory.RING, FrameMemory.RING_BYTE_BUF, FrameMemory.NETTY_POOLED, FrameMemory.NETTY_ADAPTIVE,
            FrameMemory.UNPOOLED_DIRECT})
        String memory;

        FrameMemory frames;

        @Setup
        public void open()
        {
            frames = FrameMemory.named(memory, BUDGET_BYTES, CHUNK_BYTES);
        }

        @TearDown
        public void close()
        {
            frames.close();
        }
    }

    /**
     * One thread allocating and releasing.
     */
    @State(Scope.Thread)
    public static class SameThread extends Frames
    {
    }

    /**
     * Two threads: one allocates, one releases.
     */
    @State(Scope.Group)
    public static class Handoff extends Frames
    {
        final SpscArrayQueue<Object> queue = new SpscArrayQueue<>(HANDOFF_CAPACITY);

        @TearDown(Level.Iteration)
        public void releaseLeftovers()
        {
            Object frame;
            while ((frame = queue.poll()) != null)
            {
                frames.release(frame);
            }
        }
    }

    @Benchmark
    public Object sameThread(final SameThread state)
    {
        final Object frame = state.frames.allocate(state.frameBytes);
        state.frames.release(frame);
        return frame;
    }

    @Benchmark
    @Group("crossThread")
    @GroupThreads(1)
    public void allocate(final Handoff state, final Control control)
    {
        Object frame;
        while ((frame = state.frames.allocate(state.frameBytes)) == null)
        {
            // The pool waits for the other thread's releases, which this thread's next allocation takes in.
            if (control.stopMeasurement)
            {
                return;
            }
            Thread.onSpinWait();
        }
        while (!state.queue.offer(frame))
        {
            if (control.stopMeasurement)
            {
                state.frames.release(frame);
                return;
            }
            Thread.onSpinWait();
        }
    }

    @Benchmark
    @Group("crossThread")
    @GroupThreads(1)
    public void release(final Handoff state, final Control control)
    {
        Object frame;
        while ((frame = state.queue.poll()) == null)
        {
            if (control.stopMeasurement)
            {
                return;
            }
            Thread.onSpinWait();
        }
        state.frames.release(frame);
    }
}

package io.kafkaproxy.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Frame memory on the proxy's frame mix ({@link FrameMix}): sizes from 64 bytes to just over 1 MiB, released
 * mostly in order, one in a hundred held for about 4,000 frames by a slow connection. One operation is one frame:
 * allocate it, write its length, and release the frame whose time has come.
 *
 * <p>The candidates and the fork settings are those of {@link FrameAllocationBenchmark}. The pool runs with chunks
 * of 64 KiB to 4 MiB: the smaller the chunk, the more frames need a block of their own from the shared pool.
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar FrameMixBenchmark -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {
    "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
    "-Dio.netty.leakDetection.level=disabled",
    "-Djmh.executor=CUSTOM",
    "-Djmh.executor.class=io.kafkaproxy.bench.FastThreadLocalThreadExecutor"})
public class FrameMixBenchmark
{
    private static final int FRAMES = 1 << 16;
    private static final long BUDGET_BYTES = 1L << 30;

    @Param({"ring-bytebuf:64KiB", "ring-bytebuf:256KiB", "ring-bytebuf:1MiB", "ring-bytebuf:4MiB", "ring:64KiB",
        FrameMemory.NETTY_POOLED, FrameMemory.NETTY_ADAPTIVE, FrameMemory.UNPOOLED_DIRECT})
    String memory;

    private FrameMemory frames;
    private final int[] sizes = FrameMix.sizes(42, FRAMES);
    private final boolean[] slow = FrameMix.slow(42, FRAMES);
    private final Object[] inFlight = new Object[FrameMix.IN_FLIGHT];
    private final Object[] heldBySlowConnections = new Object[FrameMix.SLOW_HOLD_FRAMES / FrameMix.SLOW_ONE_IN];
    private int next;
    private int nextSlow;

    @Setup
    public void open()
    {
        // name[:chunk[:budget]]
        final String[] parts = memory.split(":");
        frames = FrameMemory.named(parts[0], parts.length > 2 ? bytes(parts[2]) : BUDGET_BYTES,
            parts.length > 1 ? (int)bytes(parts[1]) : 1 << 20);
    }

    private static long bytes(final String size)
    {
        final long number = Long.parseLong(size.substring(0, size.length() - 3));
        return switch (size.substring(size.length() - 3))
        {
            case "KiB" -> number << 10;
            case "MiB" -> number << 20;
            case "GiB" -> number << 30;
            default -> throw new IllegalArgumentException("size in KiB, MiB or GiB: " + size);
        };
    }

    @TearDown
    public void close()
    {
        for (final Object[] frameSet : new Object[][] {inFlight, heldBySlowConnections})
        {
            for (int i = 0; i < frameSet.length; i++)
            {
                if (frameSet[i] != null)
                {
                    frames.release(frameSet[i]);
                    frameSet[i] = null;
                }
            }
        }
        frames.close();
    }

    @Benchmark
    public Object frame()
    {
        final int index = next++ & (FRAMES - 1);
        final Object frame = frames.allocate(sizes[index]);
        if (frame == null)
        {
            throw new IllegalStateException("pool budget reached: the benchmark's budget is meant to be out of reach");
        }
        // A slow connection's frame waits in a ring of its own, long enough to outlive thousands of others.
        final Object[] slots = slow[index] ? heldBySlowConnections : inFlight;
        final int slot = slow[index] ? nextSlow++ % heldBySlowConnections.length : index & (FrameMix.IN_FLIGHT - 1);
        final Object due = slots[slot];
        slots[slot] = frame;
        if (due != null)
        {
            frames.release(due);
        }
        return frame;
    }
}

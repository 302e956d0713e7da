package io.kafkaproxy.mempool;

import org.agrona.concurrent.UnsafeBuffer;
import org.jctools.queues.SpscArrayQueue;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The owner allocates and stamps regions; other threads check the stamps and release them. Memory handed out
 * again while still in use would break a stamp; a region lost on the way back would stay outstanding.
 * Bounded in time, so it runs with the unit tests.
 */
class CrossThreadReleaseStressTest
{
    private static final int CHUNK = 64 * 1024;
    private static final long RUN_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final int RELEASERS = 3;

    @Test
    void shouldNeverHandOutLiveMemoryAndGetEveryRegionBack() throws Exception
    {
        // Given: the owner runs its own drain tasks from a queue, as an event loop would
        final MemoryPool pool = new MemoryPool(MemoryPoolSettings.direct(64L * CHUNK, CHUNK, CHUNK));
        final java.util.concurrent.LinkedBlockingQueue<Runnable> ownerTasks = new java.util.concurrent.LinkedBlockingQueue<>();
        final RegionAllocator allocator = pool.newAllocator(Thread.currentThread(), ownerTasks::add);
        final List<SpscArrayQueue<Region>> handOffs = new ArrayList<>();
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicReference<String> corruption = new AtomicReference<>();
        final AtomicLong released = new AtomicLong();
        final List<Thread> releasers = new ArrayList<>();
        for (int i = 0; i < RELEASERS; i++)
        {
            final SpscArrayQueue<Region> handOff = new SpscArrayQueue<>(1024);
            handOffs.add(handOff);
            final Thread releaser = new Thread(() -> checkAndRelease(handOff, running, corruption, released), "releaser-" + i);
            releasers.add(releaser);
            releaser.start();
        }
        final UnsafeBuffer view = new UnsafeBuffer(0, 0);
        long allocated = 0;
        long stamp = 0;

        // When
        final long deadline = System.nanoTime() + RUN_NANOS;
        while (System.nanoTime() < deadline && corruption.get() == null)
        {
            Runnable task;
            while ((task = ownerTasks.poll()) != null)
            {
                task.run();
            }
            final int length = 16 + ThreadLocalRandom.current().nextInt(ThreadLocalRandom.current().nextBoolean() ? 512 : 3 * CHUNK);
            final Region region = allocator.allocate(length);
            if (region == null)
            {
                Thread.onSpinWait();
                continue;
            }
            view.wrap(region.address(), region.capacity());
            stamp++;
            view.putLong(0, stamp);
            view.putLong(region.capacity() - 8, stamp);
            final SpscArrayQueue<Region> handOff = handOffs.get((int)(stamp % RELEASERS));
            while (!handOff.offer(region))
            {
                Runnable pending;
                while ((pending = ownerTasks.poll()) != null)
                {
                    pending.run();
                }
            }
            allocated++;
        }
        running.set(false);
        for (final Thread releaser : releasers)
        {
            releaser.join();
        }
        Runnable task;
        while ((task = ownerTasks.poll()) != null)
        {
            task.run();
        }
        allocator.allocate(1).release();

        // Then
        assertThat(corruption.get()).isNull();
        assertThat(allocated).isGreaterThan(1000);
        assertThat(released.get()).isEqualTo(allocated);
        assertThat(allocator.outstandingRegions()).isZero();
        assertThat(pool.stats().reservedBytes()).isLessThanOrEqualTo(64L * CHUNK);
        allocator.close();
        pool.close();
    }

    private static void checkAndRelease(
        final SpscArrayQueue<Region> handOff, final AtomicBoolean running, final AtomicReference<String> corruption,
        final AtomicLong released)
    {
        final UnsafeBuffer view = new UnsafeBuffer(0, 0);
        while (running.get() || !handOff.isEmpty())
        {
            final Region region = handOff.poll();
            if (region == null)
            {
                LockSupport.parkNanos(1000);
                continue;
            }
            view.wrap(region.address(), region.capacity());
            final long head = view.getLong(0);
            // Give a wrongly reused region time to be overwritten before looking again.
            Thread.onSpinWait();
            final long tail = view.getLong(region.capacity() - 8);
            if (head != tail || view.getLong(0) != head)
            {
                corruption.compareAndSet(null, "region overwritten while in use: head=" + head + ", tail=" + tail);
            }
            region.release();
            released.incrementAndGet();
        }
    }
}

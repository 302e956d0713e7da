package io.kafkaproxy.mempool;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MemoryPoolTest
{
    private static final int CHUNK = 64 * 1024;

    @Test
    void shouldEvictCachedChunksToMakeRoomForALargeBlock()
    {
        // Given: chunks used and given back, so the whole budget sits in the cache
        try (MemoryPool pool = new MemoryPool(MemoryPoolSettings.direct(8L * CHUNK, CHUNK, CHUNK)))
        {
            final RegionAllocator allocator = pool.newAllocator(Thread.currentThread(), Runnable::run);
            final List<Region> regions = new ArrayList<>();
            for (int i = 0; i < 7; i++)
            {
                regions.add(allocator.allocate(CHUNK));
            }
            regions.forEach(Region::release);
            assertThat(pool.stats().reservedBytes()).isEqualTo(8L * CHUNK);

            // When
            final Region large = allocator.allocate(5 * CHUNK);

            // Then
            assertThat(large).isNotNull();
            assertThat(pool.stats().reservedBytes()).isLessThanOrEqualTo(8L * CHUNK);
            large.release();
            allocator.close();
        }
    }

    @Test
    void shouldReportPressureAboveTheHighWatermarkUntilBelowTheLowOne()
    {
        // Given
        try (MemoryPool pool = new MemoryPool(MemoryPoolSettings.direct(10L * CHUNK, CHUNK, CHUNK)))
        {
            final List<Boolean> changes = new ArrayList<>();
            pool.addPressureListener(changes::add);
            final RegionAllocator allocator = pool.newAllocator(Thread.currentThread(), Runnable::run);
            final List<Region> regions = new ArrayList<>();

            // When: 8 of 10 chunks in use (with the reserve); then freed one by one (the first freed chunk is kept
            // as the allocator's spare, so it stays in use)
            for (int i = 0; i < 7; i++)
            {
                regions.add(allocator.allocate(CHUNK));
            }
            final boolean atEight = pool.underPressure();
            regions.remove(0).release();
            regions.remove(0).release();
            final boolean atSeven = pool.underPressure();
            regions.remove(0).release();

            // Then
            assertThat(atEight).isTrue();
            assertThat(atSeven).as("still above the low watermark").isTrue();
            assertThat(pool.stats().inUseBytes()).isEqualTo(6L * CHUNK);
            assertThat(changes).containsExactly(true, false);
            regions.forEach(Region::release);
            allocator.close();
        }
    }

    @Test
    void shouldServeRegionsFromAMappedFile(@TempDir final Path directory)
    {
        // Given
        final MemoryPoolSettings settings =
            new MemoryPoolSettings(8L * CHUNK, CHUNK, CHUNK, MemoryPoolSettings.Backing.MAPPED_FILE, directory);
        try (MemoryPool pool = new MemoryPool(settings))
        {
            final RegionAllocator allocator = pool.newAllocator(Thread.currentThread(), Runnable::run);

            // When
            final Region small = allocator.allocate(1000);
            final Region large = allocator.allocate(3 * CHUNK);
            new UnsafeBuffer(small.address(), small.capacity()).putLong(992, 42L);
            new UnsafeBuffer(large.address(), large.capacity()).putLong(3 * CHUNK - 8, 43L);

            // Then
            assertThat(new UnsafeBuffer(small.address(), small.capacity()).getLong(992)).isEqualTo(42L);
            assertThat(new UnsafeBuffer(large.address(), large.capacity()).getLong(3 * CHUNK - 8)).isEqualTo(43L);
            assertThat(directory).isEmptyDirectory();
            small.release();
            large.release();
            allocator.close();
        }
    }

    @Test
    void shouldRejectSettingsThatCannotWork()
    {
        // Then
        assertThatThrownBy(() -> MemoryPoolSettings.direct(1 << 20, 100_000))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("power of two");
        assertThatThrownBy(() -> MemoryPoolSettings.direct(2L * CHUNK, CHUNK, CHUNK))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a read reserve and two chunks");
        assertThatThrownBy(() -> MemoryPoolSettings.direct((1 << 20) + CHUNK, CHUNK))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a read reserve and two chunks");
        assertThatThrownBy(() -> MemoryPoolSettings.direct(1 << 20, CHUNK, CHUNK + 1))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("whole number of chunks");
    }

    @Test
    void shouldReturnCachedMemoryAboveTheLowWaterMarkAfterAQuietPeriod()
    {
        // Given: a burst of 40 chunks, all given back: the pool keeps them reserved
        final long[] now = {0};
        try (MemoryPool pool = new MemoryPool(MemoryPoolSettings.direct(64L * CHUNK, CHUNK, CHUNK), () -> now[0]))
        {
            final RegionAllocator allocator = pool.newAllocator(Thread.currentThread(), Runnable::run);
            final List<Region> burst = allocateChunks(allocator, 40);
            burst.forEach(Region::release);
            final long reservedAfterBurst = pool.stats().reservedBytes();

            // When: the pool is asked to release idle memory every few seconds for two idle periods
            final List<Long> freed = new ArrayList<>();
            for (int second = 1; second <= 62; second++)
            {
                now[0] = TimeUnit.SECONDS.toNanos(second);
                freed.add(pool.releaseIdleMemory());
            }

            // Then: nothing during the period that had the burst; then everything above an eighth of the budget
            assertThat(reservedAfterBurst).isGreaterThanOrEqualTo(40L * CHUNK);
            assertThat(freed.subList(0, 59)).allSatisfy(bytes -> assertThat(bytes).isZero());
            assertThat(pool.stats().reservedBytes()).isEqualTo(8L * CHUNK);
            assertThat(freed.stream().mapToLong(Long::longValue).sum()).isEqualTo(reservedAfterBurst - 8L * CHUNK);

            // And: memory is reserved again on demand
            final List<Region> again = allocateChunks(allocator, 40);
            assertThat(again).doesNotContainNull();
            again.forEach(Region::release);
            allocator.close();
        }
    }

    @Test
    void shouldKeepWhatASteadyLoadUsesWhenReleasingIdleMemory()
    {
        // Given: 20 chunks in use throughout, and a burst of 30 more, given back
        final long[] now = {0};
        try (MemoryPool pool = new MemoryPool(MemoryPoolSettings.direct(64L * CHUNK, CHUNK, CHUNK), () -> now[0]))
        {
            final RegionAllocator allocator = pool.newAllocator(Thread.currentThread(), Runnable::run);
            final List<Region> steady = allocateChunks(allocator, 20);
            allocateChunks(allocator, 30).forEach(Region::release);

            // When: two idle periods pass
            for (int second = 1; second <= 62; second++)
            {
                now[0] = TimeUnit.SECONDS.toNanos(second);
                pool.releaseIdleMemory();
            }

            // Then: what is in use stays reserved, and the burst's memory is gone
            final MemoryPoolStats stats = pool.stats();
            assertThat(stats.reservedBytes()).isGreaterThanOrEqualTo(stats.inUseBytes());
            assertThat(stats.inUseBytes()).isGreaterThanOrEqualTo(21L * CHUNK);
            assertThat(stats.reservedBytes()).isLessThan(30L * CHUNK);
            steady.forEach(Region::release);
            allocator.close();
        }
    }

    @Test
    void shouldTellHowLongThePoolHasBeenUnderPressure()
    {
        // Given
        final long[] now = {TimeUnit.SECONDS.toNanos(100)};
        try (MemoryPool pool = new MemoryPool(MemoryPoolSettings.direct(10L * CHUNK, CHUNK, CHUNK), () -> now[0]))
        {
            final RegionAllocator allocator = pool.newAllocator(Thread.currentThread(), Runnable::run);
            final long before = pool.pressureNanos();

            // When: above the high watermark, then seven seconds later, then back under the low one
            final List<Region> regions = allocateChunks(allocator, 7);
            now[0] += TimeUnit.SECONDS.toNanos(7);
            final long during = pool.pressureNanos();
            regions.forEach(Region::release);

            // Then
            assertThat(before).isZero();
            assertThat(during).isEqualTo(TimeUnit.SECONDS.toNanos(7));
            assertThat(pool.pressureNanos()).isZero();
            allocator.close();
        }
    }

    private static List<Region> allocateChunks(final RegionAllocator allocator, final int count)
    {
        final List<Region> regions = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            regions.add(allocator.allocate(CHUNK));
        }
        return regions;
    }
}

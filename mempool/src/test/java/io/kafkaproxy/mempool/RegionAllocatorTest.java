package io.kafkaproxy.mempool;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RegionAllocatorTest
{
    private static final int CHUNK = 64 * 1024;

    /** Tasks "run on the owner": collected here and run by the test thread, which is the owner. */
    private final ConcurrentLinkedQueue<Runnable> ownerTasks = new ConcurrentLinkedQueue<>();
    private MemoryPool pool = new MemoryPool(MemoryPoolSettings.direct(8L * CHUNK, CHUNK, CHUNK));
    private RegionAllocator allocator = pool.newAllocator(Thread.currentThread(), ownerTasks::add);

    @AfterEach
    void closePool()
    {
        allocator.close();
        pool.close();
    }

    @Test
    void shouldCarveAlignedRegionsOneAfterAnotherInAChunk()
    {
        // When
        final Region first = allocator.allocate(100);
        final Region second = allocator.allocate(1000);

        // Then
        assertThat(first.capacity()).isEqualTo(100);
        assertThat(second.block()).isSameAs(first.block());
        assertThat(second.offset()).isEqualTo(128);
        assertThat(second.address() % RegionAllocator.ALIGNMENT).isEqualTo(first.address() % RegionAllocator.ALIGNMENT);
        assertThat(allocator.outstandingRegions()).isEqualTo(2);
        first.release();
        second.release();
        assertThat(allocator.outstandingRegions()).isZero();
    }

    @Test
    void shouldWrapAroundToTheStartOfAChunkOnceItsRegionsAreReleased()
    {
        // Given: regions freed in the order they were made, as most frames are
        final List<Block> blocksUsed = new ArrayList<>();
        for (int i = 0; i < 100; i++)
        {
            // When
            final Region region = allocator.allocate(10_000);
            blocksUsed.add(region.block());
            region.release();
        }

        // Then: a thousand kilobytes went through one chunk
        assertThat(blocksUsed).containsOnly(blocksUsed.get(0));
        assertThat(pool.stats().inUseBytes()).as("the reserve and one chunk").isEqualTo(2L * CHUNK);
    }

    @Test
    void shouldNotLetALateRegionHoldBackMoreThanItsOwnChunk()
    {
        // Given: a region that lives long (a slow client's frame) among many that do not
        final Region late = allocator.allocate(1000);
        final List<Block> chunksUsed = new ArrayList<>();

        // When: megabytes of short-lived regions go by
        for (int i = 0; i < 500; i++)
        {
            final Region region = allocator.allocate(8000);
            chunksUsed.add(region.block());
            region.release();
        }

        // Then: once the late region's chunk is full it stays out of use, two others take turns, nothing else is held
        final int lastInLateChunk = chunksUsed.lastIndexOf(late.block());
        assertThat(lastInLateChunk).as("the late region's chunk fills up first").isLessThan(10);
        assertThat(chunksUsed.subList(lastInLateChunk + 1, chunksUsed.size()).stream().distinct().count()).isLessThanOrEqualTo(2);
        assertThat(pool.stats().inUseBytes()).as("reserve, late chunk, two in turn").isLessThanOrEqualTo(4L * CHUNK);
        late.release();
        assertThat(allocator.outstandingRegions()).isZero();
    }

    @Test
    void shouldGiveARegionLargerThanAChunkABlockOfItsOwn()
    {
        // When
        final Region large = allocator.allocate(CHUNK + 1);

        // Then
        assertThat(large.capacity()).isEqualTo(CHUNK + 1);
        assertThat(large.block().capacity()).isEqualTo(2 * CHUNK);
        assertThat(pool.stats().fallbackAllocations()).isEqualTo(1);
        large.release();
        assertThat(pool.stats().inUseBytes()).as("the dedicated block went back").isEqualTo(CHUNK);
    }

    @Test
    void shouldGiveBackItsEmptyChunksBeforeRefusingALargeRegion()
    {
        // Given: chunks used and released, so the allocator holds an empty spare and an empty current chunk
        final List<Region> regions = new ArrayList<>();
        for (int i = 0; i < 7; i++)
        {
            regions.add(allocator.allocate(CHUNK));
        }
        regions.forEach(Region::release);

        // When: a region needing six of the eight chunks
        final Region large = allocator.allocate(6 * CHUNK);

        // Then
        assertThat(large).isNotNull();
        assertThat(pool.stats().reservedBytes()).isLessThanOrEqualTo(8L * CHUNK);
        large.release();
    }

    @Test
    void shouldRefuseWhenTheBudgetIsSpentAndTellWhenMemoryReturns()
    {
        // Given: the budget is 8 chunks, one of them the reserve
        final List<Region> held = new ArrayList<>();
        final long returnsBefore = pool.blockReturns();
        Region region;
        while ((region = allocator.allocate(CHUNK)) != null)
        {
            held.add(region);
        }
        final AtomicInteger told = new AtomicInteger();

        // When
        pool.whenMemoryReturns(returnsBefore, told::incrementAndGet);
        final long reservedAtExhaustion = pool.stats().reservedBytes();
        held.remove(0).release();
        held.remove(0).release();

        // Then
        assertThat(held).hasSize(5);
        assertThat(reservedAtExhaustion).isEqualTo(8L * CHUNK);
        assertThat(pool.stats().highWaterMarkBytes()).isEqualTo(8L * CHUNK);
        assertThat(pool.stats().allocationFailures()).isEqualTo(1);
        assertThat(told.get()).isEqualTo(1);
        assertThat(allocator.allocate(CHUNK)).isNotNull().satisfies(Region::release);
        held.forEach(Region::release);
    }

    @Test
    void shouldServeAReadFromTheReserveWhenThePoolRefuses()
    {
        // Given
        final List<Region> held = new ArrayList<>();
        Region region;
        while ((region = allocator.allocate(CHUNK)) != null)
        {
            held.add(region);
        }

        // When: a thousand reads, each of a channel that was ready before the loop could stop reading
        final List<Region> reads = new ArrayList<>();
        for (int i = 0; i < 1000; i++)
        {
            reads.add(allocator.allocateReadBuffer(16 * 1024));
        }

        // Then: each a small piece of the reserve, which does not run out, and nothing beyond the budget
        assertThat(reads).allSatisfy(read -> assertThat(allocator.isReserve(read)).isTrue());
        assertThat(reads).allSatisfy(read -> assertThat(read.capacity()).isEqualTo(RegionAllocator.ALIGNMENT));
        assertThat(allocator.reserveInUse()).isTrue();
        assertThat(pool.stats().reservedBytes()).isLessThanOrEqualTo(8L * CHUNK);
        reads.forEach(Region::release);
        assertThat(allocator.reserveInUse()).isFalse();
        held.forEach(Region::release);
    }

    @Test
    void shouldKeepTheDefaultReadReserveOfSeveralSmallChunksAsOneBlock()
    {
        // Given: 64 KiB chunks, and the default 1 MiB reserve beside them
        allocator.close();
        pool.close();
        pool = new MemoryPool(MemoryPoolSettings.direct(2L << 20, CHUNK));
        allocator = pool.newAllocator(Thread.currentThread(), Runnable::run);
        final List<Region> held = new ArrayList<>();
        Region region;
        while ((region = allocator.allocate(CHUNK)) != null)
        {
            held.add(region);
        }

        // When: reads beyond the pool
        final Region read = allocator.allocateReadBuffer(CHUNK);

        // Then: the reserve took 16 chunks out of the budget, not counted as a fallback, and serves the read
        assertThat(held).hasSize(16);
        assertThat(allocator.isReserve(read)).isTrue();
        assertThat(allocator.reserveRemaining()).isEqualTo((1 << 20) - read.capacity());
        assertThat(read.capacity()).isEqualTo(1024);
        assertThat(pool.stats().fallbackAllocations()).isZero();
        assertThat(pool.stats().reservedBytes()).isEqualTo(2L << 20);
        read.release();
        held.forEach(Region::release);
    }

    @Test
    void shouldTakeBackARegionReleasedOnAnotherThread() throws InterruptedException
    {
        // Given
        final Region region = allocator.allocate(500);

        // When
        final Thread other = new Thread(region::release);
        other.start();
        other.join();

        // Then: it is back once the owner runs the drain it was asked to
        assertThat(allocator.outstandingRegions()).isEqualTo(1);
        assertThat(ownerTasks).hasSize(1);
        ownerTasks.poll().run();
        assertThat(allocator.outstandingRegions()).isZero();
    }

    @Test
    void shouldRequireABudgetThatHoldsTheReadReserve()
    {
        // Given
        allocator.close();
        pool.close();
        pool = new MemoryPool(MemoryPoolSettings.direct(3L * CHUNK, CHUNK, CHUNK));
        allocator = pool.newAllocator(Thread.currentThread(), Runnable::run);
        pool.newAllocator(Thread.currentThread(), Runnable::run);
        pool.newAllocator(Thread.currentThread(), Runnable::run);

        // When / Then
        assertThatThrownBy(() -> pool.newAllocator(Thread.currentThread(), Runnable::run))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("memory budget too small");
    }
}

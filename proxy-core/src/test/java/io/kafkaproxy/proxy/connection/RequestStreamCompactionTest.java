package io.kafkaproxy.proxy.connection;

import io.kafkaproxy.mempool.MemoryPool;
import io.kafkaproxy.mempool.MemoryPoolSettings;
import io.kafkaproxy.mempool.RegionAllocator;
import io.kafkaproxy.proxy.memory.RegionByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A streaming request's slices of client reads: one much smaller than its read region is copied, so that tiny
 * segments queued for a slow broker do not pin a read region each.
 */
class RequestStreamCompactionTest
{
    private final MemoryPool pool = new MemoryPool(MemoryPoolSettings.direct(1 << 20, 64 * 1024, 64 * 1024));
    private final RegionAllocator allocator = pool.newAllocator(Thread.currentThread(), Runnable::run);

    @AfterEach
    void closePool()
    {
        assertThat(allocator.outstandingRegions()).as("every region released").isZero();
        allocator.close();
        pool.close();
    }

    @Test
    void shouldCopyASliceFarSmallerThanItsReadAndReleaseTheRead()
    {
        // Given: a 64 KiB read of which a streaming request has 3 bytes
        final ByteBuf read = RegionByteBuf.owning(ByteBufAllocator.DEFAULT, allocator.allocate(64 * 1024));
        read.writeBytes(new byte[] {1, 2, 3});
        final ByteBuf slice = read.readRetainedSlice(3);
        read.release();

        // When
        final ByteBuf written = RequestStream.compactIfSmall(slice);

        // Then: the same bytes in a buffer of their own; the read's region is free
        assertThat(written).isNotSameAs(slice);
        assertThat(slice.refCnt()).isZero();
        assertThat(allocator.outstandingRegions()).isZero();
        assertThat(written.readableBytes()).isEqualTo(3);
        assertThat(written.getByte(0)).isEqualTo((byte)1);
        assertThat(written.getByte(2)).isEqualTo((byte)3);
        written.release();
    }

    @Test
    void shouldWriteASliceThatFillsMuchOfItsReadAsItIs()
    {
        // Given: a read mostly the streaming request's
        final ByteBuf read = RegionByteBuf.owning(ByteBufAllocator.DEFAULT, allocator.allocate(64 * 1024));
        read.writerIndex(60 * 1024);
        final ByteBuf slice = read.readRetainedSlice(60 * 1024);
        read.release();

        // When
        final ByteBuf written = RequestStream.compactIfSmall(slice);

        // Then: no copy
        assertThat(written).isSameAs(slice);
        written.release();
    }
}

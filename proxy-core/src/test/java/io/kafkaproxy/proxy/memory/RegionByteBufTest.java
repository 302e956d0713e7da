package io.kafkaproxy.proxy.memory;

import io.kafkaproxy.mempool.MemoryPool;
import io.kafkaproxy.mempool.MemoryPoolSettings;
import io.kafkaproxy.mempool.RegionAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RegionByteBufTest
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
    void shouldReadBackWhatWasWrittenInBigAndLittleEndian()
    {
        // Given
        final ByteBuf buffer = RegionByteBuf.owning(ByteBufAllocator.DEFAULT, allocator.allocate(64));

        // When
        buffer.writeByte(1).writeShort(0x0203).writeMedium(0x040506).writeInt(0x0708090A).writeLong(0x0B0C0D0E0F101112L)
            .writeShortLE(0x1314).writeIntLE(0x15161718).writeLongLE(0x191A1B1C1D1E1F20L).writeMediumLE(0x212223);

        // Then: the same bytes a heap buffer gets, byte for byte
        final ByteBuf expected = Unpooled.buffer().writeByte(1).writeShort(0x0203).writeMedium(0x040506).writeInt(0x0708090A)
            .writeLong(0x0B0C0D0E0F101112L).writeShortLE(0x1314).writeIntLE(0x15161718).writeLongLE(0x191A1B1C1D1E1F20L)
            .writeMediumLE(0x212223);
        assertThat(bytes(buffer)).isEqualTo(bytes(expected));
        assertThat(buffer.readByte()).isEqualTo((byte)1);
        assertThat(buffer.readShort()).isEqualTo((short)0x0203);
        assertThat(buffer.readMedium()).isEqualTo(0x040506);
        assertThat(buffer.readInt()).isEqualTo(0x0708090A);
        assertThat(buffer.readLong()).isEqualTo(0x0B0C0D0E0F101112L);
        assertThat(buffer.readShortLE()).isEqualTo((short)0x1314);
        assertThat(buffer.readIntLE()).isEqualTo(0x15161718);
        assertThat(buffer.readLongLE()).isEqualTo(0x191A1B1C1D1E1F20L);
        assertThat(buffer.readMediumLE()).isEqualTo(0x212223);
        assertThat(buffer.memoryAddress()).isEqualTo(((RegionByteBuf)buffer).region().address());
        buffer.release();
        expected.release();
    }

    @Test
    void shouldComeBackWithItsRegionWhenTheLastReferenceGoesOnAnotherThread() throws InterruptedException
    {
        // Given: a buffer from an allocator that takes regions released elsewhere in on its next allocation, and
        // a frame sliced from it
        final RegionAllocator owner = pool.newAllocator(Thread.currentThread(), drainTask -> { });
        final RegionByteBuf buffer = RegionByteBuf.owning(ByteBufAllocator.DEFAULT, owner.allocate(100));
        buffer.writeInt(42);
        final ByteBuf frame = buffer.retainedSlice(0, 4);
        buffer.release();

        // When: the frame, the last reference, is released on another thread
        final Thread other = new Thread(frame::release);
        other.start();
        other.join();

        // Then: the region came back through the owner's queue, and the buffer with it, ready for the next region
        final RegionByteBuf next = RegionByteBuf.owning(ByteBufAllocator.DEFAULT, owner.allocate(200));
        assertThat(owner.outstandingRegions()).isEqualTo(1);
        assertThat(next).isSameAs(buffer);
        assertThat(next.refCnt()).isEqualTo(1);
        assertThat(next.writerIndex()).isZero();
        assertThat(next.capacity()).isEqualTo(200);
        next.release();
        assertThat(owner.outstandingRegions()).isZero();
        owner.close();
    }

    @Test
    void shouldCopyToAndFromEveryKindOfBuffer()
    {
        // Given
        final ByteBuf buffer = RegionByteBuf.owning(ByteBufAllocator.DEFAULT, allocator.allocate(32));
        final byte[] text = "hello, region".getBytes(StandardCharsets.US_ASCII);

        // When
        buffer.writeBytes(text);
        buffer.writeBytes(Unpooled.wrappedBuffer(new byte[] {'!'}));
        buffer.writeBytes(ByteBuffer.wrap(new byte[] {'?'}));

        // Then
        final ByteBuf heap = Unpooled.buffer(32);
        final ByteBuf direct = Unpooled.directBuffer(32);
        buffer.getBytes(0, heap, 0, 15);
        buffer.getBytes(0, direct, 0, 15);
        final ByteBuffer nio = ByteBuffer.allocate(15);
        buffer.getBytes(0, nio);
        assertThat(heap.toString(0, 15, StandardCharsets.US_ASCII)).isEqualTo("hello, region!?");
        assertThat(direct.toString(0, 15, StandardCharsets.US_ASCII)).isEqualTo("hello, region!?");
        assertThat(new String(nio.array(), StandardCharsets.US_ASCII)).isEqualTo("hello, region!?");
        assertThat(buffer.nioBuffer(7, 6)).isEqualTo(ByteBuffer.wrap("region".getBytes(StandardCharsets.US_ASCII)));
        buffer.release();
        heap.release();
        direct.release();
    }

    @Test
    void shouldKeepTheRegionUntilTheLastViewIsReleased()
    {
        // Given
        final ByteBuf read = RegionByteBuf.owning(ByteBufAllocator.DEFAULT, allocator.allocate(100));
        read.writeBytes(new byte[100]);
        read.setInt(40, 42);

        // When: two frames are cut out of the read, and the read itself is let go
        final ByteBuf first = read.retainedSlice(0, 40);
        final ByteBuf second = read.retainedSlice(40, 60);
        read.release();

        // Then
        assertThat(second.getInt(0)).isEqualTo(42);
        assertThat(second.readableBytes()).isEqualTo(60);
        final ByteBuf third = second.retainedSlice(0, 4);
        assertThat(third.getInt(0)).isEqualTo(42);
        first.release();
        second.release();
        assertThat(allocator.outstandingRegions()).as("a view of a view keeps the region").isEqualTo(1);
        third.release();
        assertThat(allocator.outstandingRegions()).isZero();
    }

    @Test
    void shouldNotGrowButMayShrink()
    {
        // Given
        final ByteBuf buffer = RegionByteBuf.owning(ByteBufAllocator.DEFAULT, allocator.allocate(16));

        // When / Then
        assertThatThrownBy(() -> buffer.writeBytes(new byte[17])).isInstanceOf(IndexOutOfBoundsException.class);
        buffer.capacity(8);
        assertThat(buffer.capacity()).isEqualTo(8);
        buffer.release();
    }

    private static byte[] bytes(final ByteBuf buffer)
    {
        final byte[] bytes = new byte[buffer.readableBytes()];
        buffer.getBytes(buffer.readerIndex(), bytes);
        return bytes;
    }
}

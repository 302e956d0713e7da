package io.kafkaproxy.proxy.memory;

import io.kafkaproxy.mempool.MemoryPool;
import io.kafkaproxy.mempool.MemoryPoolSettings;
import io.kafkaproxy.mempool.RegionAllocator;
import io.kafkaproxy.proxy.testing.LeakReportCollector;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

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
    void shouldHandOutOneInternalNioBufferPositionedOnTheAskedBytes()
    {
        // Given: a read and a frame cut out of it, as SslHandler sees them
        final ByteBuf read = RegionByteBuf.owning(ByteBufAllocator.DEFAULT, allocator.allocate(64));
        read.writeBytes("..ciphertext..plaintext".getBytes(StandardCharsets.US_ASCII));
        final ByteBuf frame = read.retainedSlice(14, 9);

        // When
        final ByteBuffer first = read.internalNioBuffer(2, 10);
        final String firstBytes = ascii(first);
        final ByteBuffer again = read.internalNioBuffer(14, 9);
        final ByteBuffer ofFrame = frame.internalNioBuffer(0, 9);

        // Then: Netty's contract (only position and limit delimit the bytes; the object is the buffer's own and
        // reused), with nothing allocated on the second call
        assertThat(firstBytes).isEqualTo("ciphertext");
        assertThat(again).isSameAs(first);
        assertThat(ascii(again)).isEqualTo("plaintext");
        assertThat(ascii(ofFrame)).isEqualTo("plaintext");
        assertThat(frame.internalNioBuffer(5, 4)).isSameAs(ofFrame);
        assertThat(ascii(ofFrame)).isEqualTo("text");
        assertThatThrownBy(() -> frame.internalNioBuffer(5, 5)).isInstanceOf(IndexOutOfBoundsException.class);
        frame.release();
        read.release();
    }

    @Test
    void shouldPositionARecycledViewsInternalNioBufferOnItsNewBlock()
    {
        // Given: a view that used its internal buffer over a block of another pool, then went back to the recycler
        final MemoryPool otherPool = new MemoryPool(MemoryPoolSettings.direct(1 << 20, 64 * 1024, 64 * 1024));
        final RegionAllocator other = otherPool.newAllocator(Thread.currentThread(), Runnable::run);
        final ByteBuf firstRead = RegionByteBuf.owning(ByteBufAllocator.DEFAULT, other.allocate(64));
        firstRead.writeBytes(new byte[64]);
        final ByteBuf firstView = firstRead.retainedSlice(0, 8);
        firstView.internalNioBuffer(0, 8);
        firstView.release();
        firstRead.release();

        // When: a view is cut from a read in this test's pool
        final ByteBuf secondRead = RegionByteBuf.owning(ByteBufAllocator.DEFAULT, allocator.allocate(64));
        secondRead.writeBytes("recycled".getBytes(StandardCharsets.US_ASCII));
        final ByteBuf secondView = secondRead.retainedSlice(0, 8);

        // Then: whichever object the recycler gave back, its internal buffer shows the new block's bytes
        assertThat(ascii(secondView.internalNioBuffer(0, 8))).isEqualTo("recycled");
        secondView.release();
        secondRead.release();
        other.close();
        otherPool.close();
    }

    @Test
    void shouldReportALeakedViewWhateverTheSamplingIntervalAtTheParanoidLevel()
    {
        // Given: a read in the pool, at the level the suite runs at (checked below)
        final ByteBuf read = RegionByteBuf.owning(ByteBufAllocator.DEFAULT, allocator.allocate(64));
        read.writeBytes(new byte[64]);

        try
        {
            // When: a frame cut from it is dropped unreleased, once
            leakOneView(read);

            // Then: the detector reports it, by where it was made, once the view is collected and another buffer is
            // tracked (the report in this test's log is that one, taken out of those NoBufferLeaksExtension fails
            // a class on), though one buffer in 1024 is sampled at the default level
            await().atMost(Duration.ofSeconds(30)).until(() ->
            {
                System.gc();
                read.retainedSlice(0, 1).release();
                return !LeakReportCollector.drainContaining("RegionByteBufTest.leakOneView").isEmpty();
            });
            assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
            assertThat(RegionByteBuf.LEAK_SAMPLING_INTERVAL).isEqualTo(1024);
        }
        finally
        {
            read.release(2);  // its own reference and the one the leaked view held
        }
    }

    private static void leakOneView(final ByteBuf read)
    {
        read.retainedSlice(0, 8);
    }

    private static String ascii(final ByteBuffer buffer)
    {
        final byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
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

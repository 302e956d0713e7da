package io.kafkaproxy.proxy.memory;

import io.kafkaproxy.mempool.MemoryPool;
import io.kafkaproxy.mempool.MemoryPoolSettings;
import io.kafkaproxy.proxy.codec.ByteBufViews;
import io.kafkaproxy.proxy.codec.FrameSizeLimit;
import io.kafkaproxy.proxy.codec.KafkaFrameDecoder;
import io.kafkaproxy.proxy.codec.ResponseStreamSink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The frame decoder on pool memory: reads landing in the frame being assembled, and a frame the pool cannot
 * serve waiting, with its bytes kept, until memory comes back. Runs on a real event loop, as the pool serves
 * only event-loop threads.
 */
class PooledFrameDecodingTest
{
    private static final int CHUNK = 64 * 1024;

    private final EventLoop eventLoop = new DefaultEventLoop();
    private final MemoryPool pool = new MemoryPool(MemoryPoolSettings.direct(6L * CHUNK, CHUNK, CHUNK));
    private final PoolByteBufAllocator allocator = new PoolByteBufAllocator(pool);
    private final List<Boolean> readPauses = new ArrayList<>();
    private final List<Throwable> exceptions = new ArrayList<>();
    private EmbeddedChannel channel;
    private KafkaFrameDecoder decoder;

    @AfterEach
    void tearDown() throws Exception
    {
        onLoop(() -> channel.finishAndReleaseAll());
        eventLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        assertThat(pool.stats().outstandingRegions()).isZero();
        pool.close();
    }

    private void openChannel() throws Exception
    {
        onLoop(() ->
        {
            channel = new EmbeddedChannel(false, false);
            channel.config().setOption(ChannelOption.ALLOCATOR, allocator);
            final ChannelMemoryWait memoryWait = allocator.newChannelMemoryWait(true, readPauses::add);
            decoder = new KafkaFrameDecoder(new FrameSizeLimit(10 * CHUNK), memoryWait);
            channel.pipeline().addLast(decoder);
            channel.register();
            return null;
        });
    }

    private void openBrokerChannel(final ResponseStreamSink sink) throws Exception
    {
        onLoop(() ->
        {
            channel = new EmbeddedChannel(false, false);
            channel.config().setOption(ChannelOption.ALLOCATOR, allocator);
            final ChannelMemoryWait memoryWait = allocator.newChannelMemoryWait(false, readPauses::add);
            decoder = new KafkaFrameDecoder(new FrameSizeLimit(10 * CHUNK), memoryWait, sink);
            channel.pipeline().addLast(decoder, new ChannelInboundHandlerAdapter()
            {
                @Override
                public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
                {
                    exceptions.add(cause);
                }
            });
            channel.register();
            return null;
        });
    }

    @Test
    void shouldAssembleAFrameWhoseHeadSpansTheReadsKeptWhileAnotherWaitedForMemory() throws Exception
    {
        // Given: a broker channel whose sink would stream any frame but the first, and the pool's budget taken
        final byte[] first = pattern(3 * CHUNK);
        final byte[] second = pattern(5000);
        final HeadViewingSink sink = new HeadViewingSink(4 + first.length, null);
        openBrokerChannel(sink);
        final List<ByteBuf> hogs = takePool();
        onLoop(() -> channel.writeInbound(read(4 + 100, buffer -> buffer.writeInt(first.length).writeBytes(first, 0, 100))));
        // While the first frame waits: the rest of it and the start of the second, then more of the second
        onLoop(() -> channel.writeInbound(Unpooled.directBuffer().writeBytes(first, 100, first.length - 100)
            .writeInt(second.length).writeBytes(second, 0, 50)));
        onLoop(() -> channel.writeInbound(Unpooled.directBuffer().writeBytes(second, 50, 50)));

        // When: memory comes back, then the rest of the second frame arrives
        onLoop(() ->
        {
            hogs.forEach(ByteBuf::release);
            return null;
        });
        onLoop(() -> channel.writeInbound(Unpooled.directBuffer().writeBytes(second, 100, second.length - 100)));

        // Then: both frames whole, in order; the sink was never offered the head split over two kept reads
        final byte[] firstOut = onLoop(() -> takeFrame(channel.readInbound()));
        final byte[] secondOut = onLoop(() -> takeFrame(channel.readInbound()));
        assertThat(firstOut).isEqualTo(framed(first));
        assertThat(secondOut).isEqualTo(framed(second));
        assertThat(sink.offeredLengths).containsExactly(4 + first.length);
        assertThat(exceptions).isEmpty();
        assertThat(readPauses).containsExactly(true, false);
    }

    @Test
    void shouldCloseThroughThePipelineWhenTheSinkFailsWhileAFrameIsRetried() throws Exception
    {
        // Given: a broker channel whose sink fails on any frame but the first, and the pool's budget taken
        final byte[] first = pattern(3 * CHUNK);
        final byte[] second = pattern(5000);
        final IllegalStateException failure = new IllegalStateException("sink failed");
        final HeadViewingSink sink = new HeadViewingSink(4 + first.length, failure);
        openBrokerChannel(sink);
        final List<ByteBuf> hogs = takePool();
        onLoop(() -> channel.writeInbound(read(4 + 100, buffer -> buffer.writeInt(first.length).writeBytes(first, 0, 100))));
        onLoop(() -> channel.writeInbound(Unpooled.directBuffer().writeBytes(first, 100, first.length - 100)
            .writeInt(second.length).writeBytes(second, 0, 100)));

        // When: memory comes back, and the retry offers the second frame's head to the sink
        onLoop(() ->
        {
            hogs.forEach(ByteBuf::release);
            return null;
        });
        onLoop(() -> null);

        // Then: the failure went through the pipeline, which closes the connection; the channel is not left paused
        final byte[] firstOut = onLoop(() -> takeFrame(channel.readInbound()));
        assertThat(firstOut).isEqualTo(framed(first));
        assertThat(exceptions).containsExactly(failure);
        assertThat(readPauses).containsExactly(true, false);
    }

    @Test
    void shouldReadStraightIntoTheFrameBeingAssembled() throws Exception
    {
        // Given: the first 1000 bytes of a 5000-byte message
        openChannel();
        final byte[] message = pattern(5000);
        onLoop(() -> channel.writeInbound(read(4 + 1000, buffer -> buffer.writeInt(5000).writeBytes(message, 0, 1000))));

        // When: the next read goes where the decoder says
        final ByteBuf frame = onLoop(() ->
        {
            final ByteBuf target = decoder.directReadTarget();
            assertThat(target.writableBytes()).isEqualTo(4000);
            target.writeBytes(message, 1000, 4000);
            channel.writeInbound(target);
            return channel.readInbound();
        });

        // Then
        assertThat(frame.readInt()).isEqualTo(5000);
        final byte[] body = new byte[5000];
        frame.readBytes(body);
        assertThat(body).isEqualTo(message);
        assertThat(frame).isInstanceOf(RegionByteBuf.class);
        onLoop(frame::release);
    }

    @Test
    void shouldWaitForMemoryWithTheBytesReadSoFarThenCarryOn() throws Exception
    {
        // Given: the pool's budget taken, bar the loop's reserve
        openChannel();
        final List<ByteBuf> hogs = onLoop(() ->
        {
            final List<ByteBuf> taken = new ArrayList<>();
            ByteBuf hog;
            while ((hog = allocator.tryDirectBuffer(CHUNK)) != null)
            {
                taken.add(hog);
            }
            return taken;
        });
        final byte[] message = pattern(3 * CHUNK);

        // When: a frame larger than the read arrives, and more of it after the pause
        onLoop(() -> channel.writeInbound(read(4 + 100, buffer -> buffer.writeInt(message.length).writeBytes(message, 0, 100))));
        onLoop(() -> channel.writeInbound(read(200, buffer -> buffer.writeBytes(message, 100, 200))));
        final boolean pausedWhileShort = readPauses.contains(Boolean.TRUE);
        final Object nothingYet = onLoop(() -> channel.readInbound());
        onLoop(() ->
        {
            hogs.forEach(ByteBuf::release);
            return null;
        });
        // Once resumed, the rest is read where the decoder says: straight into the frame
        final ByteBuf frame = onLoop(() ->
        {
            final ByteBuf target = decoder.directReadTarget();
            target.writeBytes(message, 300, message.length - 300);
            channel.writeInbound(target);
            return channel.readInbound();
        });

        // Then
        assertThat(pausedWhileShort).isTrue();
        assertThat(nothingYet).isNull();
        final byte[] body = new byte[message.length];
        frame.getBytes(4, body);
        final int size = frame.getInt(0);
        onLoop(frame::release);
        assertThat(size).isEqualTo(message.length);
        assertThat(body).isEqualTo(message);
        // Paused for the frame, resumed to fill it, paused again once it was passed on (the frame's four chunks put
        // this small pool above its high watermark, and a client waits at frame boundaries under pressure), and
        // resumed once the frame was released and the pool fell back below its low watermark.
        assertThat(readPauses).containsExactly(true, false, true, false);
        assertThat(pool.stats().pausedReadEvents()).isEqualTo(2);
    }

    private List<ByteBuf> takePool() throws Exception
    {
        return onLoop(() ->
        {
            final List<ByteBuf> taken = new ArrayList<>();
            ByteBuf hog;
            while ((hog = allocator.tryDirectBuffer(CHUNK)) != null)
            {
                taken.add(hog);
            }
            return taken;
        });
    }

    private static byte[] takeFrame(final ByteBuf frame)
    {
        if (frame == null)
        {
            return null;
        }
        final byte[] bytes = new byte[frame.readableBytes()];
        frame.getBytes(frame.readerIndex(), bytes);
        frame.release();
        return bytes;
    }

    private static byte[] framed(final byte[] message)
    {
        final byte[] frame = new byte[4 + message.length];
        Unpooled.wrappedBuffer(frame).writerIndex(0).writeInt(message.length).writeBytes(message);
        return frame;
    }

    /**
     * A broker channel's stream sink that views each head in place, as the connection's does, and takes every frame
     * but those of one length; optionally failing on the ones it would take.
     */
    private static final class HeadViewingSink implements ResponseStreamSink
    {
        private final int refusedLength;
        private final RuntimeException failure;
        private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
        private final List<Integer> offeredLengths = new ArrayList<>();

        HeadViewingSink(final int refusedLength, final RuntimeException failure)
        {
            this.refusedLength = refusedLength;
            this.failure = failure;
        }

        @Override
        public boolean onFrameHead(final ByteBuf head, final int frameLength)
        {
            ByteBufViews.wrapReadable(view, head);
            offeredLengths.add(frameLength);
            if (frameLength == refusedLength)
            {
                return false;
            }
            if (failure != null)
            {
                throw failure;
            }
            return true;
        }

        @Override
        public void onFrameBytes(final ByteBuf bytes)
        {
            bytes.release();
        }

        @Override
        public void onFrameEnd()
        {
        }
    }

    private ByteBuf read(final int length, final java.util.function.Consumer<ByteBuf> fill)
    {
        final ByteBuf buffer = allocator.directBuffer(length, length);
        fill.accept(buffer);
        return buffer;
    }

    private <T> T onLoop(final Callable<T> action) throws Exception
    {
        final T result = eventLoop.submit(action).get(10, TimeUnit.SECONDS);
        // Tasks the action scheduled (a memory wait's retry) run before the test looks.
        eventLoop.submit(() -> null).get(10, TimeUnit.SECONDS);
        return result;
    }

    private static byte[] pattern(final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(i * 31);
        }
        return bytes;
    }

}

package io.kafkaproxy.proxy.memory;

import io.kafkaproxy.mempool.MemoryPool;
import io.kafkaproxy.mempool.MemoryPoolSettings;
import io.kafkaproxy.proxy.codec.FrameSizeLimit;
import io.kafkaproxy.proxy.codec.FrameStreamSink;
import io.kafkaproxy.proxy.codec.FrameTimeoutException;
import io.kafkaproxy.proxy.codec.KafkaFrameDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.THROWABLE;

/**
 * Client frames announced but not sent (issue 16): a size field alone must not hold the pool, and a frame not whole
 * by its deadline closes its connection. Several client channels share one real event loop and a pool of sixteen
 * chunks, as the pool serves only event-loop threads; frames above one chunk are large, four chunks may be promised,
 * and a frame gets ten seconds plus one per MiB.
 */
class FramePromisesTest
{
    private static final int CHUNK = 64 * 1024;
    private static final int LARGE_FRAME = 3 * CHUNK;

    private final EventLoop eventLoop = new DefaultEventLoop();
    private final MemoryPool pool = new MemoryPool(MemoryPoolSettings.direct(16L * CHUNK, CHUNK, CHUNK));
    private final PoolByteBufAllocator allocator =
        new PoolByteBufAllocator(pool, new FramePromises(CHUNK, 4L * CHUNK, Duration.ofSeconds(10), 1 << 20));
    private final List<Client> clients = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception
    {
        onLoop(() ->
        {
            clients.forEach(client -> client.channel.finishAndReleaseAll());
            return null;
        });
        eventLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        assertThat(pool.stats().outstandingRegions()).isZero();
        pool.close();
    }

    @Test
    void shouldNotLetSizeFieldsAloneHoldThePool() throws Exception
    {
        // Given: five clients, and a sixth that sends real requests
        final List<Client> silent = List.of(openClient(), openClient(), openClient(), openClient(), openClient());
        final Client healthy = openClient();

        // When: each of the five sends only the size field of a frame of three chunks, then the sixth a whole request
        for (final Client client : silent)
        {
            onLoop(() -> client.channel.writeInbound(read(4, buffer -> buffer.writeInt(LARGE_FRAME - 4))));
        }
        final ByteBuf request = onLoop(() ->
        {
            healthy.channel.writeInbound(read(100, buffer -> buffer.writeInt(96).writeZero(96)));
            return healthy.channel.readInbound();
        });

        // Then: the request went through and its client reads on; the pool holds one promised frame (the loop's
        // reserve, its read chunk and three chunks), not four, and is not under pressure
        assertThat(request).isNotNull();
        onLoop(request::release);
        assertThat(healthy.readPauses).isEmpty();
        assertThat(pool.underPressure()).isFalse();
        assertThat(pool.stats().inUseBytes()).isLessThanOrEqualTo(2L * CHUNK + LARGE_FRAME);
        assertThat(allocator.framePromises().promisedBytes()).isEqualTo(LARGE_FRAME - 4);
        // And: the first of the five started its frame; the others wait with their reads paused
        assertThat(silent.get(0).readPauses).isEmpty();
        assertThat(silent.subList(1, 5)).allSatisfy(client -> assertThat(client.readPauses).containsExactly(true));
    }

    @Test
    void shouldStartAWaitingLargeFrameOnceThePromiseBeforeItIsSettled() throws Exception
    {
        // Given: two clients announce a large frame; the second waits for the first
        final Client first = openClient();
        final Client second = openClient();
        final byte[] message = pattern(LARGE_FRAME - 4);
        onLoop(() -> first.channel.writeInbound(read(4, buffer -> buffer.writeInt(message.length))));
        onLoop(() -> second.channel.writeInbound(read(4, buffer -> buffer.writeInt(message.length))));
        final List<Boolean> secondPausesBefore = List.copyOf(second.readPauses);

        // When: the first sends the rest of its frame
        final ByteBuf frame = onLoop(() ->
        {
            final ByteBuf target = first.decoder.directReadTarget();
            target.writeBytes(message);
            first.channel.writeInbound(target);
            return first.channel.readInbound();
        });

        // Then: its frame is whole, and the second client's frame started
        final byte[] body = new byte[message.length];
        frame.getBytes(4, body);
        onLoop(frame::release);
        assertThat(body).isEqualTo(message);
        assertThat(secondPausesBefore).containsExactly(true);
        assertThat(second.readPauses).containsExactly(true, false);
        assertThat(allocator.framePromises().promisedBytes()).isEqualTo(LARGE_FRAME - 4);
    }

    @Test
    void shouldKeepTheBytesAfterASplitSizeFieldWhileItsFrameWaits() throws Exception
    {
        // Given: one client holds the promise budget
        final Client first = openClient();
        final Client second = openClient();
        final byte[] message = pattern(LARGE_FRAME - 4);
        onLoop(() -> first.channel.writeInbound(read(4, buffer -> buffer.writeInt(LARGE_FRAME - 4).writeZero(0))));

        // When: another sends its size field in two reads, the second with the first 8 bytes of the message, then
        // (once the first frame is whole) the rest
        onLoop(() -> second.channel.writeInbound(read(2, buffer -> buffer.writeShort(message.length >>> 16))));
        onLoop(() -> second.channel.writeInbound(read(10, buffer -> buffer.writeShort(message.length).writeBytes(message, 0, 8))));
        final Object nothingYet = onLoop(() -> second.channel.readInbound());
        onLoop(() ->
        {
            final ByteBuf target = first.decoder.directReadTarget();
            target.writeZero(target.writableBytes());
            first.channel.writeInbound(target);
            return ((ByteBuf)first.channel.readInbound()).release();
        });
        final ByteBuf frame = onLoop(() ->
        {
            second.channel.writeInbound(read(message.length - 8, buffer -> buffer.writeBytes(message, 8, message.length - 8)));
            return second.channel.readInbound();
        });

        // Then: its frame is whole and in order
        assertThat(nothingYet).isNull();
        assertThat(second.errors).isEmpty();
        assertThat(frame.readableBytes()).isEqualTo(LARGE_FRAME);
        final byte[] body = new byte[message.length];
        frame.getBytes(4, body);
        onLoop(frame::release);
        assertThat(body).isEqualTo(message);
    }

    @Test
    void shouldCloseAConnectionWhoseFrameIsNotWholeByItsDeadline() throws Exception
    {
        // Given: a client that sent the size field of a large frame and 100 bytes of it, and another waiting behind it
        final Client stalled = openClient();
        final Client waiting = openClient();
        onLoop(() -> stalled.channel.writeInbound(read(104, buffer -> buffer.writeInt(LARGE_FRAME - 4).writeZero(100))));
        onLoop(() -> waiting.channel.writeInbound(read(4, buffer -> buffer.writeInt(LARGE_FRAME - 4))));

        // When: just under its time passes, then just over (10 s plus 192 KiB at 1 MiB/s)
        final boolean openBefore = onLoop(() ->
        {
            stalled.channel.advanceTimeBy(10_150, TimeUnit.MILLISECONDS);
            stalled.channel.runScheduledPendingTasks();
            return stalled.channel.isOpen();
        });
        onLoop(() ->
        {
            stalled.channel.advanceTimeBy(100, TimeUnit.MILLISECONDS);
            return stalled.channel.runScheduledPendingTasks();
        });

        // Then: that connection alone is closed, its memory and promise freed, and the waiting frame started
        assertThat(openBefore).isTrue();
        assertThat(stalled.errors).singleElement(THROWABLE)
            .isInstanceOf(FrameTimeoutException.class)
            .hasMessage("frame not whole by its deadline: frameLength=" + LARGE_FRAME + ", receivedBytes=104, allowedMillis=10187");
        assertThat(stalled.channel.isOpen()).isFalse();
        assertThat(allocator.framePromises().timedOutFrames()).isEqualTo(1);
        assertThat(waiting.readPauses).containsExactly(true, false);
        assertThat(waiting.channel.isOpen()).isTrue();
        assertThat(allocator.framePromises().promisedBytes()).isEqualTo(LARGE_FRAME - 4);
    }

    @Test
    void shouldCloseASlowSenderOfASmallFrameThoughItKeepsSending() throws Exception
    {
        // Given: the size field of a 1,000-byte request
        final Client slow = openClient();
        onLoop(() -> slow.channel.writeInbound(read(4, buffer -> buffer.writeInt(996))));

        // When: one more byte every three seconds, for twelve seconds
        final List<Boolean> openAfterEachByte = new ArrayList<>();
        for (int i = 0; i < 4; i++)
        {
            openAfterEachByte.add(onLoop(() ->
            {
                slow.channel.advanceTimeBy(3, TimeUnit.SECONDS);
                slow.channel.runScheduledPendingTasks();
                if (slow.channel.isOpen())
                {
                    slow.channel.writeInbound(read(1, buffer -> buffer.writeByte(1)));
                }
                return slow.channel.isOpen();
            }));
        }

        // Then: cut once its ten seconds (and a millisecond for its size) were up, however often it sent a byte
        assertThat(openAfterEachByte).containsExactly(true, true, true, false);
        assertThat(slow.errors).singleElement().isInstanceOf(FrameTimeoutException.class);
        assertThat(allocator.framePromises().promisedBytes()).isZero();
        assertThat(allocator.framePromises().timedOutFrames()).isEqualTo(1);
    }

    @Test
    void shouldGiveAFrameItsTimeAgainWhenTheProxyWasNotReadingIt() throws Exception
    {
        // Given: the size field of a small request, and the proxy not reading its channel (its broker is slow)
        final Client paused = openClient();
        onLoop(() -> paused.channel.writeInbound(read(4, buffer -> buffer.writeInt(996))));
        onLoop(() -> paused.channel.config().setAutoRead(false));

        // When: its deadline passes while not read, then reads resume, and it passes again
        final boolean openWhileNotRead = onLoop(() ->
        {
            paused.channel.advanceTimeBy(11, TimeUnit.SECONDS);
            paused.channel.runScheduledPendingTasks();
            return paused.channel.isOpen();
        });
        final boolean openSoonAfterResuming = onLoop(() ->
        {
            paused.channel.config().setAutoRead(true);
            paused.channel.advanceTimeBy(9, TimeUnit.SECONDS);
            paused.channel.runScheduledPendingTasks();
            return paused.channel.isOpen();
        });
        final boolean openAfterItsTime = onLoop(() ->
        {
            paused.channel.advanceTimeBy(2, TimeUnit.SECONDS);
            paused.channel.runScheduledPendingTasks();
            return paused.channel.isOpen();
        });

        // Then
        assertThat(openWhileNotRead).isTrue();
        assertThat(openSoonAfterResuming).isTrue();
        assertThat(openAfterItsTime).isFalse();
        assertThat(paused.errors).singleElement().isInstanceOf(FrameTimeoutException.class);
    }

    @Test
    void shouldNeverPromiseMoreThanTheBudgetAcrossEventLoops() throws Exception
    {
        // Given: four threads taking and settling promises of up to half the budget
        final FramePromises promises = new FramePromises(CHUNK, 1_000_000, Duration.ZERO, 1);
        final AtomicLong highest = new AtomicLong();
        final AtomicLong kept = new AtomicLong();
        final List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++)
        {
            final int seed = t;
            threads.add(new Thread(() ->
            {
                for (int i = 0; i < 100_000; i++)
                {
                    final long bytes = 1 + (i * 7919L + seed * 104_729L) % 500_000;
                    if (promises.tryPromise(bytes))
                    {
                        highest.accumulateAndGet(promises.promisedBytes(), Math::max);
                        kept.incrementAndGet();
                        promises.settle(bytes);
                    }
                }
            }));
        }

        // When
        threads.forEach(Thread::start);
        for (final Thread thread : threads)
        {
            thread.join();
        }

        // Then
        assertThat(highest.get()).isLessThanOrEqualTo(1_000_000);
        assertThat(promises.promisedBytes()).isZero();
        assertThat(promises.settlements()).isEqualTo(kept.get());
    }

    @Test
    void shouldGiveAStreamedFrameTheDeadlineOfAnAssembledOneWithoutAPromise() throws Exception
    {
        // Given: a client whose large frame streams (cut-through) from its first 100 bytes, and stalls
        final StreamingSink sink = new StreamingSink();
        final Client stalled = openClient(sink);
        onLoop(() -> stalled.channel.writeInbound(read(104, buffer -> buffer.writeInt(LARGE_FRAME - 4).writeZero(100))));
        final long promisedWhileStreaming = allocator.framePromises().promisedBytes();

        // When: just under its time passes, then just over
        final boolean openBefore = onLoop(() ->
        {
            stalled.channel.advanceTimeBy(10_150, TimeUnit.MILLISECONDS);
            stalled.channel.runScheduledPendingTasks();
            return stalled.channel.isOpen();
        });
        onLoop(() ->
        {
            stalled.channel.advanceTimeBy(100, TimeUnit.MILLISECONDS);
            return stalled.channel.runScheduledPendingTasks();
        });

        // Then: it holds no memory and no promise, but a peer that trickles it is cut as if it were assembled
        assertThat(promisedWhileStreaming).isZero();
        assertThat(sink.bytes).isEqualTo(104);
        assertThat(openBefore).isTrue();
        assertThat(stalled.errors).singleElement(THROWABLE)
            .isInstanceOf(FrameTimeoutException.class)
            .hasMessage("frame not whole by its deadline: frameLength=" + LARGE_FRAME + ", receivedBytes=104, allowedMillis=10187");
        assertThat(stalled.channel.isOpen()).isFalse();
        assertThat(allocator.framePromises().timedOutFrames()).isEqualTo(1);
    }

    @Test
    void shouldStreamAClientFrameAsSlicesOfItsReadsAndPassOnTheFrameAfterIt() throws Exception
    {
        // Given: a client whose large frame streams from its first read
        final StreamingSink sink = new StreamingSink();
        final Client client = openClient(sink);
        final byte[] message = pattern(LARGE_FRAME - 4);
        onLoop(() -> client.channel.writeInbound(read(4 + 1000, buffer -> buffer.writeInt(message.length).writeBytes(message, 0, 1000))));

        // When: the rest comes in one read with a small frame behind it, and the deadline passes long after
        final ByteBuf next = onLoop(() ->
        {
            client.channel.writeInbound(read(message.length - 1000 + 4 + 10,
                buffer -> buffer.writeBytes(message, 1000, message.length - 1000).writeInt(10).writeZero(10)));
            client.channel.advanceTimeBy(1, TimeUnit.MINUTES);
            client.channel.runScheduledPendingTasks();
            return client.channel.readInbound();
        });

        // Then: the streamed frame came whole and ended; the next one is passed on as usual, and nothing timed out
        assertThat(sink.bytes).isEqualTo(LARGE_FRAME);
        assertThat(sink.ends).isEqualTo(1);
        final byte[] streamed = sink.content.toByteArray();
        assertThat(ByteBuffer.wrap(streamed).getInt()).isEqualTo(message.length);
        assertThat(Arrays.copyOfRange(streamed, 4, streamed.length)).isEqualTo(message);
        assertThat(next.readableBytes()).isEqualTo(14);
        onLoop(next::release);
        assertThat(client.errors).isEmpty();
        assertThat(client.channel.isOpen()).isTrue();
        assertThat(allocator.framePromises().promisedBytes()).isZero();
    }

    private Client openClient() throws Exception
    {
        return openClient(null);
    }

    private Client openClient(final FrameStreamSink sink) throws Exception
    {
        final Client client = onLoop(() ->
        {
            final EmbeddedChannel channel = new EmbeddedChannel(false, false);
            channel.config().setOption(ChannelOption.ALLOCATOR, allocator);
            final Client opened = new Client(channel);
            final ChannelMemoryWait memoryWait = allocator.newChannelMemoryWait(true, opened.readPauses::add);
            opened.decoder = new KafkaFrameDecoder(new FrameSizeLimit(10 * CHUNK), memoryWait, null, sink);
            channel.pipeline().addLast(opened.decoder, new ChannelInboundHandlerAdapter()
            {
                @Override
                public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
                {
                    opened.errors.add(cause);
                    ctx.close();
                }
            });
            channel.register();
            channel.freezeTime();
            return opened;
        });
        clients.add(client);
        return client;
    }

    private ByteBuf read(final int length, final Consumer<ByteBuf> fill)
    {
        final ByteBuf buffer = allocator.directBuffer(length, length);
        fill.accept(buffer);
        return buffer;
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

    private <T> T onLoop(final Callable<T> action) throws Exception
    {
        final T result = eventLoop.submit(action).get(10, TimeUnit.SECONDS);
        // Tasks the action scheduled (a memory wait's retry, a pressure change) run before the test looks.
        eventLoop.submit(() -> null).get(10, TimeUnit.SECONDS);
        eventLoop.submit(() -> null).get(10, TimeUnit.SECONDS);
        return result;
    }

    /**
     * Streams every frame offered, keeping a copy of its bytes.
     */
    private static final class StreamingSink implements FrameStreamSink
    {
        private final ByteArrayOutputStream content = new ByteArrayOutputStream();
        private long bytes;
        private int ends;

        @Override
        public boolean onFrameHead(final ByteBuf head, final int frameLength)
        {
            return true;
        }

        @Override
        public void onFrameBytes(final ByteBuf slice)
        {
            bytes += slice.readableBytes();
            final byte[] copy = new byte[slice.readableBytes()];
            slice.getBytes(slice.readerIndex(), copy);
            content.writeBytes(copy);
            slice.release();
        }

        @Override
        public void onFrameEnd()
        {
            ends++;
        }
    }

    private static final class Client
    {
        private final EmbeddedChannel channel;
        private final List<Boolean> readPauses = new ArrayList<>();
        private final List<Throwable> errors = new ArrayList<>();
        private KafkaFrameDecoder decoder;

        Client(final EmbeddedChannel channel)
        {
            this.channel = channel;
        }
    }
}

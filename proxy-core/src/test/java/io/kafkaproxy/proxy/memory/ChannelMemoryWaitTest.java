package io.kafkaproxy.proxy.memory;

import io.kafkaproxy.mempool.MemoryPool;
import io.kafkaproxy.mempool.MemoryPoolSettings;
import io.netty.buffer.ByteBuf;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Channels of one event loop waiting for frame memory, and their retries once it comes back. Runs on a real event
 * loop, as the pool serves only event-loop threads.
 */
class ChannelMemoryWaitTest
{
    private static final int CHUNK = 64 * 1024;

    private final EventLoop eventLoop = new DefaultEventLoop();
    private final MemoryPool pool = new MemoryPool(MemoryPoolSettings.direct(6L * CHUNK, CHUNK, CHUNK));
    private final PoolByteBufAllocator allocator = new PoolByteBufAllocator(pool);

    @AfterEach
    void tearDown() throws Exception
    {
        eventLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        assertThat(pool.stats().outstandingRegions()).isZero();
        pool.close();
    }

    @Test
    void shouldRetryTheOtherWaitingChannelsAndResumeReadsWhenOneRetryFails() throws Exception
    {
        // Given: two channels of one loop waiting for frame memory, the first one's retry failing
        final List<Boolean> failingPauses = new ArrayList<>();
        final List<Boolean> otherPauses = new ArrayList<>();
        final List<ByteBuf> retriedFrames = new ArrayList<>();
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
        final ChannelMemoryWait failing = onLoop(() -> allocator.newChannelMemoryWait(false, failingPauses::add));
        final ChannelMemoryWait other = onLoop(() -> allocator.newChannelMemoryWait(false, otherPauses::add));
        onLoop(() ->
        {
            failing.tryFrameBuffer(2 * CHUNK, 0);
            failing.awaitFrameMemory(() ->
            {
                throw new IllegalStateException("retry failed");
            });
            other.tryFrameBuffer(2 * CHUNK, 0);
            other.awaitFrameMemory(() -> retriedFrames.add(other.tryFrameBuffer(2 * CHUNK, 0)));
            return null;
        });

        // When: memory comes back
        onLoop(() ->
        {
            hogs.forEach(ByteBuf::release);
            return null;
        });
        onLoop(() -> null);

        // Then: the other channel got its frame, and neither is left paused
        assertThat(retriedFrames).hasSize(1);
        assertThat(retriedFrames.get(0)).isNotNull();
        assertThat(failingPauses).containsExactly(true, false);
        assertThat(otherPauses).containsExactly(true, false);
        onLoop(() ->
        {
            retriedFrames.get(0).release();
            failing.close();
            other.close();
            return null;
        });
    }

    private <T> T onLoop(final Callable<T> action) throws Exception
    {
        final T result = eventLoop.submit(action).get(10, TimeUnit.SECONDS);
        // Tasks the action scheduled (a memory wait's retry) run before the test looks.
        eventLoop.submit(() -> null).get(10, TimeUnit.SECONDS);
        return result;
    }
}

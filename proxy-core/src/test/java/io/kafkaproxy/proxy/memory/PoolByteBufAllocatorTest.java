package io.kafkaproxy.proxy.memory;

import io.kafkaproxy.mempool.MemoryPool;
import io.kafkaproxy.mempool.MemoryPoolSettings;
import io.netty.buffer.ByteBuf;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class PoolByteBufAllocatorTest
{
    private final MemoryPool pool = new MemoryPool(MemoryPoolSettings.direct(1 << 20, 64 * 1024, 64 * 1024));
    private final PoolByteBufAllocator allocator = new PoolByteBufAllocator(pool);
    private final EventLoop eventLoop = new DefaultEventLoop();

    @AfterEach
    void tearDown() throws Exception
    {
        eventLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        pool.close();
    }

    @Test
    void shouldLetATinyGrowableBufferTakeAWholeTlsRecord() throws Exception
    {
        // Given: what Netty's SslHandler does when it closes: a buffer sized for an empty write (22 bytes with
        // OpenSSL), then, told the estimate was short, room for a whole record
        final int writable = eventLoop.submit(() ->
        {
            final ByteBuf alert = allocator.directBuffer(22);
            try
            {
                // When
                alert.ensureWritable(16_704);

                // Then: still pool memory, and the record fits
                assertThat(alert).isInstanceOf(RegionByteBuf.class);
                return alert.writableBytes();
            }
            finally
            {
                alert.release();
            }
        }).get(10, TimeUnit.SECONDS);
        assertThat(writable).isGreaterThanOrEqualTo(16_704);
    }

    @Test
    void shouldGiveAnExactSizeRequestExactlyItsSize() throws Exception
    {
        // When: a buffer that may not grow (frames, rewritten responses)
        final int capacity = eventLoop.submit(() ->
        {
            final ByteBuf frame = allocator.directBuffer(22, 22);
            try
            {
                return frame.capacity();
            }
            finally
            {
                frame.release();
            }
        }).get(10, TimeUnit.SECONDS);

        // Then
        assertThat(capacity).isEqualTo(22);
    }
}

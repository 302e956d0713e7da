package io.kafkaproxy.proxy.testing;

import io.kafkaproxy.mempool.MemoryPool;
import io.kafkaproxy.mempool.MemoryPoolSettings;
import io.kafkaproxy.mempool.RegionAllocator;
import io.kafkaproxy.proxy.memory.RegionByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fails a test class when Netty's leak detector reported a buffer released by nobody while it ran.
 *
 * <p>Registered for every test class through JUnit's extension auto-detection. The tests run with
 * {@code -Dio.netty.leakDetection.level=paranoid}, which tracks every buffer; a leak is reported when a
 * tracked buffer is collected unreleased and a later allocation of the same kind polls that kind's detector, so this
 * forces collections and allocations of each kind (Netty's pooled and unpooled buffers, the proxy's pool buffers)
 * before looking.
 */
public final class NoBufferLeaksExtension implements AfterAllCallback
{
    private static final int ROUNDS = 5;

    @Override
    public void afterAll(final ExtensionContext context)
    {
        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
        final MemoryPool pool = new MemoryPool(MemoryPoolSettings.direct(1 << 20, 64 * 1024, 64 * 1024));
        final RegionAllocator regions = pool.newAllocator(Thread.currentThread(), Runnable::run);
        try
        {
            for (int round = 0; round < ROUNDS; round++)
            {
                System.gc();
                System.runFinalization();
                for (int i = 0; i < 64; i++)
                {
                    release(PooledByteBufAllocator.DEFAULT.directBuffer(16));
                    release(UnpooledByteBufAllocator.DEFAULT.directBuffer(16));
                    release(PooledByteBufAllocator.DEFAULT.heapBuffer(16));
                    release(RegionByteBuf.owning(ByteBufAllocator.DEFAULT, regions.allocate(16)));
                }
            }
        }
        finally
        {
            regions.close();
            pool.close();
        }
        final List<String> reports = LeakReportCollector.drain();
        assertThat(reports).as("Netty leak reports in %s", context.getDisplayName()).isEmpty();
    }

    private static void release(final ByteBuf buffer)
    {
        buffer.release();
    }
}

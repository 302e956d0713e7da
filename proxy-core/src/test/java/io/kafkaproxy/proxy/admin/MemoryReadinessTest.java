package io.kafkaproxy.proxy.admin;

import io.kafkaproxy.mempool.MemoryPool;
import io.kafkaproxy.mempool.MemoryPoolSettings;
import io.kafkaproxy.mempool.Region;
import io.kafkaproxy.mempool.RegionAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class MemoryReadinessTest
{
    private static final int CHUNK = 64 * 1024;

    private final long[] now = {TimeUnit.SECONDS.toNanos(1000)};
    private final MemoryPool pool = new MemoryPool(MemoryPoolSettings.direct(10L * CHUNK, CHUNK, CHUNK), () -> now[0]);
    private final RegionAllocator allocator = pool.newAllocator(Thread.currentThread(), Runnable::run);
    private final MemoryReadiness readiness = new MemoryReadiness(pool, Duration.ofSeconds(5));
    private final List<Region> regions = new ArrayList<>();

    @AfterEach
    void tearDown()
    {
        regions.forEach(Region::release);
        allocator.close();
        pool.close();
    }

    @Test
    void shouldBeReadyWhileThePoolServes()
    {
        // When
        fillPool(3);

        // Then
        assertThat(readiness.check()).isNull();
    }

    @Test
    void shouldBeReadyDuringABurstShorterThanTheGracePeriod()
    {
        // Given
        fillPool(7);

        // When
        now[0] += TimeUnit.SECONDS.toNanos(4);

        // Then
        assertThat(pool.underPressure()).isTrue();
        assertThat(readiness.check()).isNull();
    }

    @Test
    void shouldReportExhaustionOnceThePoolHasKeptClientsWaitingThenRecover()
    {
        // Given: the pool above its high watermark
        fillPool(7);

        // When: for six seconds, then memory comes back
        now[0] += TimeUnit.SECONDS.toNanos(6);
        final String exhausted = readiness.check();
        regions.forEach(Region::release);
        regions.clear();
        final String recovered = readiness.check();

        // Then
        assertThat(exhausted).isEqualTo("memory pool exhausted for 6000 ms, client reads paused: usedBytes=" + 8 * CHUNK +
            ", capacityBytes=" + 10 * CHUNK);
        assertThat(recovered).isNull();
    }

    private void fillPool(final int chunks)
    {
        for (int i = 0; i < chunks; i++)
        {
            regions.add(allocator.allocate(CHUNK));
        }
    }
}

package io.kafkaproxy.proxy.sasl;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

class FailedLoginLimiterTest
{
    private static final long MINUTE = FailedLoginLimiter.WINDOW_NANOS;

    private final FailedLoginLimiter limiter = new FailedLoginLimiter();

    @Test
    void shouldBlockAnAddressOnceItUsedItsAllowanceUntilTheWindowEnds() throws Exception
    {
        // Given
        final InetAddress guesser = InetAddress.getByName("10.0.0.1");
        final InetAddress neighbour = InetAddress.getByName("10.0.0.2");
        final long start = 5 * MINUTE;
        limiter.onFailure(guesser, start);
        final boolean afterOne = limiter.isBlocked(guesser, 2, start + 1);

        // When
        final int failures = limiter.onFailure(guesser, start + 2);

        // Then
        assertThat(afterOne).isFalse();
        assertThat(failures).isEqualTo(2);
        assertThat(limiter.isBlocked(guesser, 2, start + 3)).isTrue();
        assertThat(limiter.isBlocked(neighbour, 2, start + 3)).isFalse();
        assertThat(limiter.isBlocked(guesser, 2, start + MINUTE)).isFalse();
        assertThat(limiter.onFailure(guesser, start + MINUTE)).isEqualTo(1);
    }

    @Test
    void shouldCountEveryFailureFromManyThreads() throws Exception
    {
        // Given
        final InetAddress guesser = InetAddress.getByName("10.0.0.3");
        final int threads = 4;
        final int perThread = 10_000;
        final CountDownLatch start = new CountDownLatch(1);
        final List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++)
        {
            final Thread worker = new Thread(() ->
            {
                try
                {
                    start.await();
                }
                catch (final InterruptedException e)
                {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int j = 0; j < perThread; j++)
                {
                    limiter.onFailure(guesser, MINUTE);
                }
            });
            worker.start();
            workers.add(worker);
        }

        // When
        start.countDown();
        for (final Thread worker : workers)
        {
            worker.join();
        }

        // Then
        assertThat(limiter.onFailure(guesser, MINUTE)).isEqualTo(threads * perThread + 1);
    }
}

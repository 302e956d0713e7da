package io.kafkaproxy.proxy.logging;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogRateLimiterTest
{
    private static final long START = 987_654_321L;
    private static final Duration INTERVAL = Duration.ofSeconds(10);
    private static final long INTERVAL_NANOS = INTERVAL.toNanos();

    @Test
    void shouldLetTheFirstLinesOfAnIntervalThrough()
    {
        // Given
        final LogRateLimiter limiter = new LogRateLimiter(3, INTERVAL, START);

        // When
        final List<Long> answers = acquire(limiter, 5, START + 1);

        // Then
        assertThat(answers).containsExactly(0L, 0L, 0L, LogRateLimiter.SUPPRESSED, LogRateLimiter.SUPPRESSED);
        assertThat(limiter.pendingSuppressed()).isEqualTo(2);
    }

    @Test
    void shouldReportTheSuppressedCountOnTheFirstLineOfTheNextInterval()
    {
        // Given
        final LogRateLimiter limiter = new LogRateLimiter(2, INTERVAL, START);
        acquire(limiter, 1000, START + 1);

        // When
        final List<Long> answers = acquire(limiter, 3, START + INTERVAL_NANOS);

        // Then
        assertThat(answers).containsExactly(998L, 0L, LogRateLimiter.SUPPRESSED);
        assertThat(limiter.pendingSuppressed()).isOne();
    }

    @Test
    void shouldNotStartANewIntervalBeforeTheCurrentOneEnds()
    {
        // Given
        final LogRateLimiter limiter = new LogRateLimiter(1, INTERVAL, START);
        limiter.tryAcquire(START);

        // When
        final long justBefore = limiter.tryAcquire(START + INTERVAL_NANOS - 1);
        final long atTheEnd = limiter.tryAcquire(START + INTERVAL_NANOS);

        // Then
        assertThat(justBefore).isEqualTo(LogRateLimiter.SUPPRESSED);
        assertThat(atTheEnd).isOne();
    }

    @Test
    void shouldStartTheNextIntervalAtTheFirstLineAfterAQuietSpell()
    {
        // Given: nothing for an hour
        final LogRateLimiter limiter = new LogRateLimiter(1, INTERVAL, START);
        final long later = START + TimeUnit.HOURS.toNanos(1);

        // When
        final long first = limiter.tryAcquire(later);
        final long second = limiter.tryAcquire(later + INTERVAL_NANOS - 1);

        // Then
        assertThat(first).isZero();
        assertThat(second).isEqualTo(LogRateLimiter.SUPPRESSED);
    }

    @Test
    void shouldWorkAcrossTheWrapOfTheNanosecondClock()
    {
        // Given
        final long nearTheEnd = Long.MAX_VALUE - INTERVAL_NANOS / 2;
        final LogRateLimiter limiter = new LogRateLimiter(1, INTERVAL, nearTheEnd);
        limiter.tryAcquire(nearTheEnd);
        limiter.tryAcquire(nearTheEnd);

        // When: the clock wraps to negative values; an interval has passed all the same
        final long after = limiter.tryAcquire(nearTheEnd + INTERVAL_NANOS);

        // Then
        assertThat(after).isOne();
    }

    @Test
    void shouldLetExactlyTheBudgetThroughAndLoseNoCountAcrossThreads() throws Exception
    {
        // Given: four event loops flooding the same kind within one interval
        final LogRateLimiter limiter = new LogRateLimiter(5, INTERVAL, START);
        final int threads = 4;
        final int perThread = 20_000;
        final AtomicLong letThrough = new AtomicLong();
        final AtomicLong reported = new AtomicLong();
        final CountDownLatch start = new CountDownLatch(1);
        final List<Thread> loops = new ArrayList<>();
        for (int i = 0; i < threads; i++)
        {
            final Thread loop = new Thread(() ->
            {
                awaitQuietly(start);
                for (int n = 0; n < perThread; n++)
                {
                    final long answer = limiter.tryAcquire(START + 1);
                    if (answer != LogRateLimiter.SUPPRESSED)
                    {
                        letThrough.incrementAndGet();
                        reported.addAndGet(answer);
                    }
                }
            }, "log-flood-" + i);
            loops.add(loop);
            loop.start();
        }

        // When
        start.countDown();
        for (final Thread loop : loops)
        {
            loop.join();
        }

        // Then: within one interval the budget is exact, and every line held back is counted once
        assertThat(letThrough.get()).isEqualTo(5);
        assertThat(reported.get() + limiter.pendingSuppressed()).isEqualTo(threads * perThread - 5L);
    }

    @Test
    void shouldRefuseANonPositiveBudget()
    {
        // When / Then
        assertThatThrownBy(() -> new LogRateLimiter(0, INTERVAL, START))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("linesPerInterval=0");
        assertThatThrownBy(() -> new LogRateLimiter(1, Duration.ZERO, START))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("interval=PT0S");
    }

    private static List<Long> acquire(final LogRateLimiter limiter, final int times, final long nowNanos)
    {
        final List<Long> answers = new ArrayList<>();
        for (int i = 0; i < times; i++)
        {
            answers.add(limiter.tryAcquire(nowNanos));
        }
        return answers;
    }

    private static void awaitQuietly(final CountDownLatch latch)
    {
        try
        {
            latch.await();
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }
}

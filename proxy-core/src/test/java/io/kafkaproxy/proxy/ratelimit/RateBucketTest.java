package io.kafkaproxy.proxy.ratelimit;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class RateBucketTest
{
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long START = 123_456_789L;

    @Test
    void shouldLetOneSecondsWorthPassAtOnce()
    {
        // Given
        final RateBucket bucket = new RateBucket(1000);

        // When
        final long burst = bucket.record(1000, START);
        final long over = bucket.record(1, START);

        // Then
        assertThat(burst).isZero();
        assertThat(over).isEqualTo(TimeUnit.MILLISECONDS.toNanos(1));
    }

    @Test
    void shouldThrottleForTheTimeTheExcessTakesAtTheRate()
    {
        // Given
        final RateBucket bucket = new RateBucket(1 << 20);

        // When
        final long throttle = bucket.record(3 << 20, START);

        // Then: three seconds' worth, of which one is the burst
        assertThat(throttle).isEqualTo(2 * SECOND);
        assertThat(bucket.record(0, START + 2 * SECOND)).isZero();
        assertThat(bucket.record(1 << 20, START + 2 * SECOND)).isEqualTo(SECOND);
    }

    @Test
    void shouldForgetDebtOnceTheRateHasCaughtUp()
    {
        // Given
        final RateBucket bucket = new RateBucket(100);
        bucket.record(500, START);

        // When
        final boolean idleEarly = bucket.isIdle(START + 4 * SECOND);
        final boolean idleLater = bucket.isIdle(START + 5 * SECOND);
        final long throttle = bucket.record(100, START + 60 * SECOND);

        // Then
        assertThat(idleEarly).isFalse();
        assertThat(idleLater).isTrue();
        assertThat(throttle).isZero();
    }

    @Test
    void shouldHoldAClientOfferingTenTimesItsRateToTheRateOverTwentySeconds()
    {
        // Given: 1MiB/s; the client sends 64KiB produce requests at 10MiB/s, and after each response waits the
        // throttle time it was given (Kafka clients back off for the throttle time; the broker mutes the channel)
        final long rate = 1 << 20;
        final long requestBytes = 64 << 10;
        final long offeredInterval = SECOND * requestBytes / (10 * rate);
        final RateBucket bucket = new RateBucket(rate);
        long now = START;
        long sent = 0;
        long sentAfterFirstSecond = 0;

        // When
        while (now - START < 20 * SECOND)
        {
            final long throttle = bucket.record(requestBytes, now);
            sent += requestBytes;
            if (now - START >= SECOND)
            {
                sentAfterFirstSecond += requestBytes;
            }
            now += Math.max(offeredInterval, throttle);
        }

        // Then: the rate, plus the one-second burst at the start
        final double overall = (double)sent / (20 * rate);
        final double steady = (double)sentAfterFirstSecond / (19 * rate);
        assertThat(overall).isBetween(1.0, 1.06);
        assertThat(steady).isBetween(0.99, 1.01);
    }

    @Test
    void shouldChargeOnlyWhatFitsWhenAcquiring()
    {
        // Given
        final RateBucket bucket = new RateBucket(20);

        // When
        int admitted = 0;
        while (bucket.tryAcquire(1, START))
        {
            admitted++;
        }
        final boolean afterOneInterval = bucket.tryAcquire(1, START + SECOND / 20);
        final boolean twiceAfterOneInterval = bucket.tryAcquire(1, START + SECOND / 20);

        // Then
        assertThat(admitted).isEqualTo(20);
        assertThat(afterOneInterval).isTrue();
        assertThat(twiceAfterOneInterval).isFalse();
    }

    @Test
    void shouldRoundTheCostOfAnAmountToTheNearestNanosecond()
    {
        // Then
        assertThat(RateBucket.costNanos(1, 3)).isEqualTo(333_333_333L);
        assertThat(RateBucket.costNanos(2, 3)).isEqualTo(666_666_667L);
        assertThat(RateBucket.costNanos(1 << 20, 1 << 20)).isEqualTo(SECOND);
        assertThat(RateBucket.costNanos(0, 3)).isZero();
        assertThat(RateBucket.costNanos(Long.MAX_VALUE / 2, 1L << 40)).isEqualTo((long)((double)(Long.MAX_VALUE / 2) * SECOND / (1L << 40)));
    }

    @Test
    void shouldConserveEveryAmountRecordedFromSeveralThreads() throws InterruptedException
    {
        // Given: a rate of a million per second, so each unit moves the virtual clock by exactly a microsecond
        final RateBucket bucket = new RateBucket(1_000_000L);
        final int threads = 4;
        final int recordsPerThread = 200_000;
        final CountDownLatch start = new CountDownLatch(1);
        final AtomicLong total = new AtomicLong();
        final List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++)
        {
            final int seed = t;
            workers.add(new Thread(() ->
            {
                awaitQuietly(start);
                long sum = 0;
                for (int i = 0; i < recordsPerThread; i++)
                {
                    final long amount = (i + seed) % 7 + 1;
                    bucket.record(amount, START);
                    sum += amount;
                }
                total.addAndGet(sum);
            }, "rate-bucket-test-" + t));
        }
        workers.forEach(Thread::start);

        // When
        start.countDown();
        for (final Thread worker : workers)
        {
            worker.join();
        }

        // Then
        assertThat(bucket.record(0, START)).isEqualTo(total.get() * 1000 - SECOND);
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

package io.kafkaproxy.proxy.ratelimit;

import io.kafkaproxy.proxy.config.QuotaRuleConfig;
import io.kafkaproxy.proxy.config.QuotasConfig;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class QuotaBookTest
{
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long NOW = 42L;

    @Test
    void shouldApplyTheFirstPrincipalRuleThatMatches()
    {
        // Given
        final QuotaBook book = book(
            requests("alice", 10),
            requests("ali*", 20),
            requests("*", 30));

        // When
        final long alice = throttleAfter(book.forClient("alice"), 11);
        final long alison = throttleAfter(book.forClient("alison"), 21);
        final long bob = throttleAfter(book.forClient("bob"), 31);

        // Then: each one request over its own rule's burst: throttled by one request's time at that rate (to within
        // the rounding of each request's cost to a nanosecond)
        assertThat(alice).isEqualTo(SECOND / 10);
        assertThat(alison).isEqualTo(SECOND / 20);
        assertThat(bob).isCloseTo(SECOND / 30, within(100L));
    }

    @Test
    void shouldGiveEveryPrincipalAWildcardMatchesBucketsOfItsOwn()
    {
        // Given
        final QuotaBook book = book(requests("*", 10));

        // When
        final long first = throttleAfter(book.forClient("bob"), 10);
        final long second = throttleAfter(book.forClient("carol"), 10);

        // Then
        assertThat(first).isZero();
        assertThat(second).isZero();
    }

    @Test
    void shouldShareAPrincipalsBucketsBetweenItsConnections()
    {
        // Given
        final QuotaBook book = book(new QuotaRuleConfig("alice", null, null, 1000, 0, 0, 0, 0));
        final ClientQuotas firstConnection = book.forClient("alice");
        final ClientQuotas secondConnection = book.forClient("alice");

        // When
        firstConnection.onProduceBytes(1000, NOW);
        final long throttle = secondConnection.onProduceBytes(1000, NOW);

        // Then
        assertThat(secondConnection).isSameAs(firstConnection);
        assertThat(throttle).isEqualTo(SECOND);
        assertThat(firstConnection.onFetchBytes(1 << 30, NOW)).isZero();
    }

    @Test
    void shouldLimitNothingForAPrincipalNoRuleMatches()
    {
        // Given
        final QuotaBook book = book(requests("alice", 1));

        // When
        final ClientQuotas bob = book.forClient("bob");
        final ClientQuotas anonymous = book.forClient(null);

        // Then
        assertThat(bob).isSameAs(ClientQuotas.NONE).isSameAs(anonymous);
        assertThat(bob.hasByteQuotas()).isFalse();
        assertThat(bob.onRequest(NOW)).isZero();
        assertThat(bob.onProduceBytes(Long.MAX_VALUE / 4, NOW)).isZero();
    }

    @Test
    void shouldChargeTopicBytesToTheFirstTopicRuleMatchingTheTopicInPlace()
    {
        // Given
        final QuotaBook book = book(
            new QuotaRuleConfig("alice", "orders-eu", null, 100, 0, 0, 0, 0),
            new QuotaRuleConfig("al*", "orders-*", null, 1000, 0, 0, 0, 0),
            new QuotaRuleConfig("bob", "*", null, 1, 0, 0, 0, 0));
        final ClientQuotas alice = book.forClient("alice");
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[64]);
        final int eu = frame.putStringWithoutLengthUtf8(3, "orders-eu") > 0 ? 3 : -1;
        final int us = 20;
        frame.putStringWithoutLengthUtf8(us, "orders-us");
        final int audit = 40;
        frame.putStringWithoutLengthUtf8(audit, "audit");

        // When
        final long euThrottle = alice.onProduceBytes(frame, eu, 9, 200, NOW);
        final long usThrottle = alice.onProduceBytes(frame, us, 9, 2000, NOW);
        final long unmatched = alice.onProduceBytes(frame, audit, 5, 1 << 30, NOW);

        // Then
        assertThat(euThrottle).isEqualTo(SECOND);
        assertThat(usThrottle).isEqualTo(SECOND);
        assertThat(unmatched).isZero();
        assertThat(alice.onProduceBytes(1 << 30, NOW)).isZero();
        assertThat(alice.hasByteQuotas()).isTrue();
        assertThat(alice.hasTopicQuotas()).isTrue();
        assertThat(alice.hasRequestQuota()).isFalse();
    }

    @Test
    void shouldNotAllocateToChargeOnceThePrincipalIsResolved()
    {
        // Given: every path warmed up first (first calls link and initialise classes, which allocates)
        final QuotaBook book = book(
            new QuotaRuleConfig("alice", null, null, 1 << 20, 1 << 20, 1000, 0, 0),
            new QuotaRuleConfig("alice", "orders-*", null, 1 << 20, 0, 0, 0, 0));
        final UnsafeBuffer topic = new UnsafeBuffer("orders-eu".getBytes(StandardCharsets.UTF_8));
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        chargeRepeatedly(book, topic, 20_000);
        final int times = 100_000;

        // When
        final long before = threads.getCurrentThreadAllocatedBytes();
        chargeRepeatedly(book, topic, times);
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        // Then: less than a byte per round of calls, where the smallest object per call would be 16
        assertThat(allocated).isLessThan(times);
    }

    private static void chargeRepeatedly(final QuotaBook book, final UnsafeBuffer topic, final int times)
    {
        for (int i = 0; i < times; i++)
        {
            final ClientQuotas quotas = book.forClient("alice");
            quotas.onRequest(i);
            quotas.onProduceBytes(100, i);
            quotas.onFetchBytes(100, i);
            quotas.onProduceBytes(topic, 0, topic.capacity(), 100, i);
        }
    }

    private static long throttleAfter(final ClientQuotas quotas, final int requests)
    {
        long throttle = 0;
        for (int i = 0; i < requests; i++)
        {
            throttle = quotas.onRequest(NOW);
        }
        return throttle;
    }

    private static QuotaRuleConfig requests(final String principal, final long perSecond)
    {
        return new QuotaRuleConfig(principal, null, null, 0, 0, perSecond, 0, 0);
    }

    private static QuotaBook book(final QuotaRuleConfig... rules)
    {
        return new QuotaBook(new QuotasConfig(List.of(rules)));
    }
}

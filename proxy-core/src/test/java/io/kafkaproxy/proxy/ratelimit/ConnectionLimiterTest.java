package io.kafkaproxy.proxy.ratelimit;

import io.kafkaproxy.proxy.config.CidrBlock;
import io.kafkaproxy.proxy.config.QuotaRuleConfig;
import io.kafkaproxy.proxy.config.QuotasConfig;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionLimiterTest
{
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long NOW = 1_000L;

    @Test
    void shouldRefuseAnAddressItsMaximumAndAdmitItAgainOnceOneCloses() throws UnknownHostException
    {
        // Given
        final ConnectionLimiter limiter = limiter(address("10.0.0.0/8", 2, 0));
        final InetAddress client = InetAddress.getByName("10.1.2.3");
        final InetAddress other = InetAddress.getByName("10.1.2.4");

        // When
        final ConnectionRejection first = limiter.tryAcquireAddress(client, NOW);
        final ConnectionRejection second = limiter.tryAcquireAddress(client, NOW);
        final ConnectionRejection third = limiter.tryAcquireAddress(client, NOW);
        final ConnectionRejection otherAddress = limiter.tryAcquireAddress(other, NOW);
        limiter.releaseAddress(client, NOW);
        final ConnectionRejection afterClose = limiter.tryAcquireAddress(client, NOW);

        // Then: the limit is per address, not per block
        assertThat(first).isNull();
        assertThat(second).isNull();
        assertThat(third).isEqualTo(ConnectionRejection.ADDRESS_MAX_CONNECTIONS);
        assertThat(otherAddress).isNull();
        assertThat(afterClose).isNull();
        assertThat(limiter.openConnections(client)).isEqualTo(2);
    }

    @Test
    void shouldRefuseAnAddressOpeningConnectionsFasterThanItsRate() throws UnknownHostException
    {
        // Given
        final ConnectionLimiter limiter = limiter(address("::1", 0, 20));
        final InetAddress client = InetAddress.getByName("::1");

        // When
        int admitted = 0;
        while (limiter.tryAcquireAddress(client, NOW) == null)
        {
            admitted++;
        }
        final ConnectionRejection sameInstant = limiter.tryAcquireAddress(client, NOW);
        final ConnectionRejection oneIntervalLater = limiter.tryAcquireAddress(client, NOW + SECOND / 20);

        // Then
        assertThat(admitted).isEqualTo(20);
        assertThat(sameInstant).isEqualTo(ConnectionRejection.ADDRESS_CONNECTION_RATE);
        assertThat(oneIntervalLater).isNull();
    }

    @Test
    void shouldApplyTheFirstPrincipalRuleThatMatches()
    {
        // Given
        final ConnectionLimiter limiter = limiter(
            principal("alice", 1, 0),
            principal("*", 3, 0),
            address("0.0.0.0/0", 1, 0));

        // When
        final ConnectionRejection alice1 = limiter.tryAcquirePrincipal("alice", NOW);
        final ConnectionRejection alice2 = limiter.tryAcquirePrincipal("alice", NOW);
        int bob = 0;
        while (limiter.tryAcquirePrincipal("bob", NOW) == null)
        {
            bob++;
        }

        // Then
        assertThat(alice1).isNull();
        assertThat(alice2).isEqualTo(ConnectionRejection.PRINCIPAL_MAX_CONNECTIONS);
        assertThat(bob).isEqualTo(3);
        assertThat(limiter.tryAcquirePrincipal("bob", NOW)).isEqualTo(ConnectionRejection.PRINCIPAL_MAX_CONNECTIONS);
    }

    @Test
    void shouldApplyARuleAddedByAReloadToTheConnectionsAlreadyOpen() throws UnknownHostException
    {
        // Given: three connections from an address no rule limits
        final ConnectionLimiter limiter = limiter(principal("someone-else", 1, 0));
        final InetAddress client = InetAddress.getByName("192.168.0.9");
        for (int i = 0; i < 3; i++)
        {
            limiter.tryAcquireAddress(client, NOW);
        }

        // When
        limiter.reconfigure(new QuotaBook(new QuotasConfig(List.of(address("192.168.0.0/16", 3, 0)))));
        final ConnectionRejection fourth = limiter.tryAcquireAddress(client, NOW);
        limiter.releaseAddress(client, NOW);
        final ConnectionRejection afterClose = limiter.tryAcquireAddress(client, NOW);

        // Then
        assertThat(fourth).isEqualTo(ConnectionRejection.ADDRESS_MAX_CONNECTIONS);
        assertThat(afterClose).isNull();
    }

    @Test
    void shouldNeverAdmitMoreThanTheMaximumFromSeveralThreads() throws InterruptedException
    {
        // Given
        final int max = 5;
        final ConnectionLimiter limiter = limiter(principal("alice", max, 0));
        final AtomicInteger open = new AtomicInteger();
        final AtomicInteger highest = new AtomicInteger();
        final AtomicInteger admitted = new AtomicInteger();
        final CountDownLatch start = new CountDownLatch(1);
        final List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < 4; t++)
        {
            workers.add(new Thread(() ->
            {
                awaitQuietly(start);
                for (int i = 0; i < 20_000; i++)
                {
                    if (limiter.tryAcquirePrincipal("alice", NOW) == null)
                    {
                        highest.accumulateAndGet(open.incrementAndGet(), Math::max);
                        admitted.incrementAndGet();
                        open.decrementAndGet();
                        limiter.releasePrincipal("alice", NOW);
                    }
                }
            }, "connection-limiter-test-" + t));
        }
        workers.forEach(Thread::start);

        // When
        start.countDown();
        for (final Thread worker : workers)
        {
            worker.join();
        }

        // Then
        assertThat(highest.get()).isBetween(1, max);
        assertThat(admitted.get()).isPositive();
        assertThat(limiter.openConnections("alice")).isZero();
    }

    @Test
    void shouldForgetAKeyOnceItsLastConnectionClosesAndItsRateHasCaughtUp()
    {
        // Given
        final ConnectionCounts<String> counts = new ConnectionCounts<>();
        counts.tryAcquire("a", 0, 0, NOW);
        counts.tryAcquire("b", 0, 1, NOW);

        // When
        counts.release("a", NOW);
        counts.release("b", NOW);
        final int afterRelease = counts.size();
        counts.tryAcquire("b", 0, 1, NOW + 2 * SECOND);
        counts.release("b", NOW + 4 * SECOND);

        // Then: b's debt (one second at one per second) outlived its connection until the next release
        assertThat(afterRelease).isEqualTo(1);
        assertThat(counts.size()).isZero();
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

    private static QuotaRuleConfig address(final String block, final int maxConnections, final long perSecond)
    {
        return new QuotaRuleConfig(null, null, CidrBlock.parse(block), 0, 0, 0, maxConnections, perSecond);
    }

    private static QuotaRuleConfig principal(final String pattern, final int maxConnections, final long perSecond)
    {
        return new QuotaRuleConfig(pattern, null, null, 0, 0, 0, maxConnections, perSecond);
    }

    private static ConnectionLimiter limiter(final QuotaRuleConfig... rules)
    {
        return new ConnectionLimiter(new QuotaBook(new QuotasConfig(List.of(rules))));
    }
}

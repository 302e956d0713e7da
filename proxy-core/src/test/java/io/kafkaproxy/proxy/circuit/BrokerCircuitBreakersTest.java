package io.kafkaproxy.proxy.circuit;

import ch.qos.logback.classic.Level;
import io.kafkaproxy.proxy.config.CircuitBreakerConfig;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.testing.LogCapture;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class BrokerCircuitBreakersTest
{
    private static final String BROKER = "kafka-1:9092";
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long START = 77L;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final LogCapture log = new LogCapture(BrokerCircuitStateMachine.class);
    private final AtomicReference<CircuitBreakerConfig> settings = new AtomicReference<>(config(true, 3));
    private final BrokerCircuitBreakers breakers = new BrokerCircuitBreakers(settings::get, registry);

    @AfterEach
    void stopCapturing()
    {
        log.close();
    }

    @Test
    void shouldOpenAfterTheThresholdOfConsecutiveFailures()
    {
        // Given
        breakers.onFailure(BROKER, START);
        breakers.onFailure(BROKER, START);
        final CircuitState beforeThreshold = breakers.state(BROKER);

        // When
        breakers.onFailure(BROKER, START);

        // Then
        assertThat(beforeThreshold).isEqualTo(CircuitState.CLOSED);
        assertThat(breakers.state(BROKER)).isEqualTo(CircuitState.OPEN);
        assertThat(breakers.allowConnect(BROKER, START + 9 * SECOND)).isFalse();
        assertThat(log.messages(Level.WARN)).containsExactly("broker circuit opened; no connections to this broker until a probe succeeds");
        assertThat(gauge()).isEqualTo(2.0);
        assertThat(transitions("open")).isEqualTo(1.0);
    }

    @Test
    void shouldCountFailuresAsConsecutiveOnlyUntilAResponse()
    {
        // Given
        breakers.onFailure(BROKER, START);
        breakers.onFailure(BROKER, START);
        breakers.onResponse(BROKER, START);

        // When
        breakers.onFailure(BROKER, START);
        breakers.onFailure(BROKER, START);
        breakers.onConnectSuccess(BROKER);
        final CircuitState afterTwo = breakers.state(BROKER);
        breakers.onFailure(BROKER, START);

        // Then: a connect alone does not vouch for a broker that times requests out
        assertThat(afterTwo).isEqualTo(CircuitState.CLOSED);
        assertThat(breakers.state(BROKER)).isEqualTo(CircuitState.OPEN);
    }

    @Test
    void shouldLetOneProbeThroughAfterTheOpenDurationAndCloseWhenItConnects()
    {
        // Given
        open();

        // When
        final boolean probe = breakers.allowConnect(BROKER, START + 10 * SECOND);
        final boolean other = breakers.allowConnect(BROKER, START + 10 * SECOND);
        final CircuitState probing = breakers.state(BROKER);
        breakers.onConnectSuccess(BROKER);

        // Then
        assertThat(probe).isTrue();
        assertThat(other).isFalse();
        assertThat(probing).isEqualTo(CircuitState.HALF_OPEN);
        assertThat(breakers.state(BROKER)).isEqualTo(CircuitState.CLOSED);
        assertThat(breakers.allowConnect(BROKER, START + 10 * SECOND)).isTrue();
        assertThat(log.messages(Level.INFO)).containsExactly("broker circuit closed; connecting as usual");
        assertThat(transitions("half_open")).isEqualTo(1.0);
        assertThat(transitions("closed")).isEqualTo(1.0);
        assertThat(gauge()).isZero();
    }

    @Test
    void shouldOpenAgainForAnotherOpenDurationWhenTheProbeFails()
    {
        // Given
        open();
        breakers.allowConnect(BROKER, START + 10 * SECOND);

        // When
        breakers.onFailure(BROKER, START + 11 * SECOND);

        // Then: one WARN for the outage, not one per failed probe
        assertThat(breakers.state(BROKER)).isEqualTo(CircuitState.OPEN);
        assertThat(breakers.allowConnect(BROKER, START + 20 * SECOND)).isFalse();
        assertThat(breakers.allowConnect(BROKER, START + 21 * SECOND)).isTrue();
        assertThat(log.messages(Level.WARN)).hasSize(1);
        assertThat(transitions("open")).isEqualTo(2.0);
    }

    @Test
    void shouldLetTheFirstProbeThroughOneProbeIntervalAfterOpening()
    {
        // Given
        settings.set(withProbeInterval(Duration.ofSeconds(1)));
        open();

        // When
        final boolean beforeInterval = breakers.allowConnect(BROKER, START + SECOND - 1);
        final boolean afterInterval = breakers.allowConnect(BROKER, START + SECOND);
        breakers.onConnectSuccess(BROKER);

        // Then: a broker back within a second is used again within a second, not after openDuration
        assertThat(beforeInterval).isFalse();
        assertThat(afterInterval).isTrue();
        assertThat(breakers.state(BROKER)).isEqualTo(CircuitState.CLOSED);
    }

    @Test
    void shouldProbeEveryIntervalDuringTheOpenDurationThenBackOffToIt()
    {
        // Given
        settings.set(withProbeInterval(Duration.ofSeconds(1)));
        open();

        // When
        final List<Long> probes = probesFailingAtOnce(START + 45 * SECOND);

        // Then: every second for the first ten, then 2, 4, 8 and at most 10 seconds apart
        assertThat(probes).containsExactly(
            1_000L, 2_000L, 3_000L, 4_000L, 5_000L, 6_000L, 7_000L, 8_000L, 9_000L, 10_000L,
            12_000L, 16_000L, 24_000L, 34_000L, 44_000L);
        assertThat(log.messages(Level.WARN)).hasSize(1);
    }

    @Test
    void shouldStartTheProbeScheduleAgainForTheNextOutage()
    {
        // Given: a long outage that backed off, then recovered
        settings.set(withProbeInterval(Duration.ofSeconds(1)));
        open();
        probesFailingAtOnce(START + 45 * SECOND);
        breakers.allowConnect(BROKER, START + 54 * SECOND);
        breakers.onConnectSuccess(BROKER);

        // When
        for (int i = 0; i < 3; i++)
        {
            breakers.onFailure(BROKER, START + 60 * SECOND);
        }

        // Then
        assertThat(breakers.allowConnect(BROKER, START + 61 * SECOND)).isTrue();
    }

    @Test
    void shouldNeverProbeSoonerThanTheOpenDurationAllows()
    {
        // Given: a probe interval longer than the open duration
        settings.set(new CircuitBreakerConfig(true, 3, Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofSeconds(5)));
        open();

        // When
        final boolean atOpenDuration = breakers.allowConnect(BROKER, START + 2 * SECOND);

        // Then
        assertThat(atOpenDuration).isTrue();
    }

    @Test
    void shouldNotCountARequestTimeoutWhenTheBrokerAnsweredAnotherRequestSinceItWasSent()
    {
        // Given: a request sent at START, and the broker answering someone else after it
        breakers.onResponse(BROKER, START + SECOND);

        // When
        final boolean[] counted = new boolean[3];
        for (int i = 0; i < counted.length; i++)
        {
            counted[i] = breakers.onRequestTimedOut(BROKER, START, START + 30 * SECOND);
        }

        // Then: one client's request held past the timeout does not open the circuit for everybody
        assertThat(counted).containsOnly(false);
        assertThat(breakers.state(BROKER)).isEqualTo(CircuitState.CLOSED);
        assertThat(breakers.allowConnect(BROKER, START + 30 * SECOND)).isTrue();
    }

    @Test
    void shouldCountRequestTimeoutsWhenTheBrokerAnsweredNothingSinceTheyWereSent()
    {
        // Given: the broker's last answer came before the requests were sent
        breakers.onResponse(BROKER, START);

        // When
        final boolean[] counted = new boolean[3];
        for (int i = 0; i < counted.length; i++)
        {
            counted[i] = breakers.onRequestTimedOut(BROKER, START + SECOND, START + 31 * SECOND);
        }

        // Then
        assertThat(counted).containsOnly(true);
        assertThat(breakers.state(BROKER)).isEqualTo(CircuitState.OPEN);
    }

    @Test
    void shouldCountARequestTimeoutOfABrokerThatNeverAnswered()
    {
        // When
        final boolean counted = breakers.onRequestTimedOut(BROKER, START, START + 30 * SECOND);

        // Then
        assertThat(counted).isTrue();
    }

    @Test
    void shouldLetAnotherProbeThroughWhenOneNeverReports()
    {
        // Given
        open();
        breakers.allowConnect(BROKER, START + 10 * SECOND);

        // When
        final boolean beforeTimeout = breakers.allowConnect(BROKER, START + 39 * SECOND);
        final boolean afterTimeout = breakers.allowConnect(BROKER, START + 40 * SECOND);

        // Then
        assertThat(beforeTimeout).isFalse();
        assertThat(afterTimeout).isTrue();
    }

    @Test
    void shouldLetExactlyOneOfManyConcurrentProbesThrough() throws InterruptedException
    {
        // Given
        open();
        final int threads = 8;
        final AtomicInteger allowed = new AtomicInteger();
        final CountDownLatch start = new CountDownLatch(1);
        final List<Thread> callers = new ArrayList<>();
        for (int t = 0; t < threads; t++)
        {
            callers.add(new Thread(() ->
            {
                awaitQuietly(start);
                for (int i = 0; i < 1000; i++)
                {
                    if (breakers.allowConnect(BROKER, START + 10 * SECOND))
                    {
                        allowed.incrementAndGet();
                    }
                }
            }, "circuit-probe-test-" + t));
        }
        callers.forEach(Thread::start);

        // When
        start.countDown();
        for (final Thread caller : callers)
        {
            caller.join();
        }

        // Then
        assertThat(allowed.get()).isEqualTo(1);
        assertThat(breakers.state(BROKER)).isEqualTo(CircuitState.HALF_OPEN);
    }

    @Test
    void shouldKeepBrokersApart()
    {
        // When
        open();

        // Then
        assertThat(breakers.allowConnect("kafka-2:9092", START)).isTrue();
        assertThat(breakers.state("kafka-2:9092")).isEqualTo(CircuitState.CLOSED);
    }

    @Test
    void shouldCloseEveryCircuitAndAllowAllWhenDisabled()
    {
        // Given
        open();

        // When
        settings.set(config(false, 3));
        breakers.onSettingsPublished();
        breakers.onFailure(BROKER, START);
        breakers.onFailure(BROKER, START);
        breakers.onFailure(BROKER, START);

        // Then
        assertThat(breakers.state(BROKER)).isEqualTo(CircuitState.CLOSED);
        assertThat(breakers.allowConnect(BROKER, START)).isTrue();
        assertThat(log.messages(Level.INFO)).hasSize(1);
    }

    @Test
    void shouldApplyANewThresholdFromTheNextFailure()
    {
        // Given
        breakers.onFailure(BROKER, START);

        // When
        settings.set(config(true, 2));
        breakers.onSettingsPublished();
        breakers.onFailure(BROKER, START);

        // Then
        assertThat(breakers.state(BROKER)).isEqualTo(CircuitState.OPEN);
    }

    private void open()
    {
        for (int i = 0; i < 3; i++)
        {
            breakers.onFailure(BROKER, START);
        }
    }

    private double gauge()
    {
        return registry.get(ProxyMetrics.CIRCUIT_STATE).tag(ProxyMetrics.BROKER, BROKER).gauge().value();
    }

    private double transitions(final String to)
    {
        return registry.get(ProxyMetrics.CIRCUIT_TRANSITIONS).tag(ProxyMetrics.BROKER, BROKER).tag(ProxyMetrics.TO, to).counter().count();
    }

    /** A probe interval equal to the open duration: one probe every openDuration, the schedule these tests pin. */
    private static CircuitBreakerConfig config(final boolean enabled, final int threshold)
    {
        return new CircuitBreakerConfig(enabled, threshold, Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(10));
    }

    private static CircuitBreakerConfig withProbeInterval(final Duration probeInterval)
    {
        return new CircuitBreakerConfig(true, 3, Duration.ofSeconds(10), Duration.ofSeconds(30), probeInterval);
    }

    /**
     * Asks to connect every 100 ms from {@code START} until {@code untilNanos}, failing every probe let through at once.
     *
     * @return when each probe was let through, in milliseconds after {@code START}.
     */
    private List<Long> probesFailingAtOnce(final long untilNanos)
    {
        final List<Long> probes = new ArrayList<>();
        for (long now = START; now <= untilNanos; now += SECOND / 10)
        {
            if (breakers.allowConnect(BROKER, now))
            {
                probes.add(TimeUnit.NANOSECONDS.toMillis(now - START));
                breakers.onFailure(BROKER, now);
            }
        }
        return probes;
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

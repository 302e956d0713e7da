package io.kafkaproxy.proxy.circuit;

import io.kafkaproxy.proxy.config.CircuitBreakerConfig;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The circuit of one broker: owns every transition of its {@link Phase}.
 *
 * <p>Thread-safe: every event loop reports to the same circuit. The phase is an immutable record behind one
 * {@link AtomicReference}, and each transition is a compare-and-set from the phase it was decided on, so exactly one
 * caller makes each transition (and logs and counts it). Calls that change nothing read one reference and allocate
 * nothing; a transition allocates its new phase.
 *
 * <p>An open circuit probes on a schedule: one probe every {@code probeInterval} while the outage is younger than
 * {@code openDuration}, so a broker back from a restart is found within about one interval; after that the wait
 * doubles at each failed probe, up to {@code openDuration}, so a broker down for long costs one failed connect per
 * {@code openDuration}.
 *
 * <p>The circuit also remembers when the broker last answered anything, on any connection, so that a request timeout
 * counts only when the broker answered nothing since the request was sent (see {@link #answeredSince}).
 */
final class BrokerCircuitStateMachine
{
    private static final Logger LOGGER = LoggerFactory.getLogger(BrokerCircuitStateMachine.class);

    /**
     * A phase of the circuit, with what its transitions need to know.
     */
    sealed interface Phase permits Closed, Open, HalfOpen
    {
        /**
         * The state this phase reports.
         *
         * @return the state.
         */
        CircuitState state();
    }

    /**
     * Connections are made; failures since the last response are counted.
     *
     * @param consecutiveFailures failures with no response in between.
     */
    record Closed(int consecutiveFailures) implements Phase
    {
        @Override
        public CircuitState state()
        {
            return CircuitState.CLOSED;
        }
    }

    /**
     * Connections are refused until the next probe is due.
     *
     * @param openedAtNanos when the outage began (the circuit left closed), a {@link System#nanoTime()} reading.
     * @param probeAtNanos  when the next probe may go, a {@link System#nanoTime()} reading.
     * @param waitNanos     the wait that led to {@code probeAtNanos}: the next one doubles it once the outage is old.
     */
    record Open(long openedAtNanos, long probeAtNanos, long waitNanos) implements Phase
    {
        @Override
        public CircuitState state()
        {
            return CircuitState.OPEN;
        }
    }

    /**
     * One probe connection is under way.
     *
     * @param probeStartedNanos when the probe was let through, a {@link System#nanoTime()} reading.
     * @param openedAtNanos     when the outage began.
     * @param waitNanos         the wait before this probe.
     */
    record HalfOpen(long probeStartedNanos, long openedAtNanos, long waitNanos) implements Phase
    {
        @Override
        public CircuitState state()
        {
            return CircuitState.HALF_OPEN;
        }
    }

    private static final Closed HEALTHY = new Closed(0);
    private static final long NEVER = Long.MIN_VALUE;
    // Responses from every event loop stamp the same field: writing it at most this often keeps its cache line from
    // bouncing between cores on every response. A request answered within this of being sent may go unseen, which
    // errs towards counting its timeout.
    private static final long RESPONSE_STAMP_GRANULARITY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final String broker;
    private final AtomicReference<Phase> phase = new AtomicReference<>(HEALTHY);
    private final AtomicLong lastResponseNanos = new AtomicLong(NEVER);
    private final Counter toOpen;
    private final Counter toHalfOpen;
    private final Counter toClosed;

    /**
     * Creates a closed circuit and registers its meters.
     *
     * @param broker   the broker's address, {@code host:port}.
     * @param registry where the meters live.
     * @param tags     more labels of its meters: its cluster's.
     */
    BrokerCircuitStateMachine(final String broker, final MeterRegistry registry, final Tags tags)
    {
        this.broker = broker;
        Gauge.builder(ProxyMetrics.CIRCUIT_STATE, this, circuit -> circuit.state().gaugeValue())
            .tag(ProxyMetrics.BROKER, broker)
            .tags(tags)
            .description("A broker's circuit: 0 closed, 1 half open, 2 open")
            .register(registry);
        toOpen = transitions(registry, broker, tags, CircuitState.OPEN);
        toHalfOpen = transitions(registry, broker, tags, CircuitState.HALF_OPEN);
        toClosed = transitions(registry, broker, tags, CircuitState.CLOSED);
    }

    private static Counter transitions(final MeterRegistry registry, final String broker, final Tags tags, final CircuitState to)
    {
        return Counter.builder(ProxyMetrics.CIRCUIT_TRANSITIONS)
            .tag(ProxyMetrics.BROKER, broker)
            .tags(tags)
            .tag(ProxyMetrics.TO, to.label())
            .description("Circuit state changes")
            .register(registry);
    }

    /**
     * The circuit's state.
     *
     * @return the state.
     */
    CircuitState state()
    {
        return phase.get().state();
    }

    /**
     * Decides whether a connection may be attempted, letting one probe through once an open circuit has waited.
     *
     * @param config   the circuit breaker section.
     * @param nowNanos the time, a {@link System#nanoTime()} reading.
     * @return true if the connection may be attempted.
     */
    boolean allowConnect(final CircuitBreakerConfig config, final long nowNanos)
    {
        while (true)
        {
            final Phase current = phase.get();
            final HalfOpen probe;
            if (current instanceof Open open)
            {
                if (nowNanos - open.probeAtNanos() < 0)
                {
                    return false;
                }
                probe = new HalfOpen(nowNanos, open.openedAtNanos(), open.waitNanos());
            }
            else if (current instanceof HalfOpen halfOpen)
            {
                // A probe that never reports (its connection abandoned) must not hold the circuit half open for ever.
                if (nowNanos - halfOpen.probeStartedNanos() < config.requestTimeout().toNanos())
                {
                    return false;
                }
                probe = new HalfOpen(nowNanos, halfOpen.openedAtNanos(), halfOpen.waitNanos());
            }
            else
            {
                return true;
            }
            if (phase.compareAndSet(current, probe))
            {
                if (current instanceof Open)
                {
                    toHalfOpen.increment();
                    LOGGER.atDebug().addKeyValue("brokerAddress", broker).log("broker circuit half open; probing with one connection");
                }
                return true;
            }
        }
    }

    /**
     * Records a successful connection: closes the circuit if it was the probe.
     */
    void onConnectSuccess()
    {
        final Phase current = phase.get();
        if (current instanceof HalfOpen && phase.compareAndSet(current, HEALTHY))
        {
            onClosed();
        }
    }

    /**
     * Records a response: the failures counted so far were not consecutive, and the broker is answering.
     *
     * @param nowNanos the time, a {@link System#nanoTime()} reading.
     */
    void onResponse(final long nowNanos)
    {
        final long last = lastResponseNanos.get();
        if (last == NEVER || nowNanos - last >= RESPONSE_STAMP_GRANULARITY_NANOS)
        {
            // Ordered, not volatile: a reader on another loop seeing it a little late only errs towards a failure.
            lastResponseNanos.lazySet(nowNanos);
        }
        final Phase current = phase.get();
        if (current instanceof Closed closed && closed.consecutiveFailures() > 0)
        {
            // Losing the race to another transition is fine: that one decided on fresher news.
            phase.compareAndSet(current, HEALTHY);
        }
    }

    /**
     * Whether the broker answered any request, on any connection, at or after a time.
     *
     * @param sinceNanos the time, a {@link System#nanoTime()} reading.
     * @return true if a response was recorded since.
     */
    boolean answeredSince(final long sinceNanos)
    {
        final long last = lastResponseNanos.get();
        return last != NEVER && last - sinceNanos >= 0;
    }

    /**
     * Records a failed connection or a request timeout: opens the circuit at the threshold, or when the probe fails.
     *
     * @param config   the circuit breaker section.
     * @param nowNanos the time, a {@link System#nanoTime()} reading.
     */
    void onFailure(final CircuitBreakerConfig config, final long nowNanos)
    {
        while (true)
        {
            final Phase current = phase.get();
            if (current instanceof Closed closed)
            {
                final int failures = closed.consecutiveFailures() + 1;
                if (failures < config.failureThreshold())
                {
                    if (phase.compareAndSet(current, new Closed(failures)))
                    {
                        return;
                    }
                }
                else if (phase.compareAndSet(current, new Open(nowNanos, nowNanos + config.probeIntervalNanos(),
                    config.probeIntervalNanos())))
                {
                    toOpen.increment();
                    LOGGER.atWarn()
                        .addKeyValue("brokerAddress", broker)
                        .addKeyValue("consecutiveFailures", failures)
                        .addKeyValue("openDuration", config.openDuration())
                        .log("broker circuit opened; no connections to this broker until a probe succeeds");
                    return;
                }
            }
            else if (current instanceof HalfOpen halfOpen)
            {
                final long waitNanos = nextProbeWaitNanos(config, halfOpen, nowNanos);
                if (phase.compareAndSet(current, new Open(halfOpen.openedAtNanos(), nowNanos + waitNanos, waitNanos)))
                {
                    toOpen.increment();
                    LOGGER.atDebug().addKeyValue("brokerAddress", broker).log("broker circuit probe failed; open again");
                    return;
                }
            }
            else
            {
                return;
            }
        }
    }

    private static long nextProbeWaitNanos(final CircuitBreakerConfig config, final HalfOpen failed, final long nowNanos)
    {
        final long openDurationNanos = config.openDuration().toNanos();
        if (nowNanos - failed.openedAtNanos() < openDurationNanos)
        {
            return config.probeIntervalNanos();
        }
        return Math.min(openDurationNanos, Math.max(config.probeIntervalNanos(), failed.waitNanos() * 2));
    }

    /**
     * Closes the circuit whatever its state: the breaker was disabled.
     */
    void reset()
    {
        final Phase current = phase.getAndSet(HEALTHY);
        if (!(current instanceof Closed))
        {
            onClosed();
        }
    }

    private void onClosed()
    {
        toClosed.increment();
        LOGGER.atInfo().addKeyValue("brokerAddress", broker).log("broker circuit closed; connecting as usual");
    }
}

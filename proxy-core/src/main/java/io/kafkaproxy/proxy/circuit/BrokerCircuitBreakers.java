package io.kafkaproxy.proxy.circuit;

import io.kafkaproxy.proxy.config.CircuitBreakerConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The circuit breakers of every broker the proxy connects to, keyed by the broker's address {@code host:port}.
 * A broker that keeps failing (connect failures, requests left unanswered past {@code requestTimeout}) gets its
 * circuit opened: connections to it are refused at once, rather than each client waiting for a timeout, until a
 * probe connection, let through on the {@code probeInterval} schedule, succeeds. See {@link CircuitState} for the
 * diagram.
 *
 * <p>What counts as a broker failure: a connect that fails, or a request timeout while the broker answered nothing
 * else, on any connection, since that request was sent. A broker that answers others is up; a request it holds past
 * the timeout is that one client's business (a wait it asked for, a request the broker chose to park), and the
 * proxy closes that connection without letting it open the circuit for every client.
 *
 * <p>The caller reports what happens to each broker connection:
 * <ol>
 *   <li>{@link #allowConnect} before connecting; on false, fail the client's connection as if the connect had
 *       failed (without trying).</li>
 *   <li>{@link #onConnectSuccess} or {@link #onFailure} when the connect completes.</li>
 *   <li>{@link #onResponse} when a response arrives (every response), and {@link #onRequestTimedOut} when a
 *       request times out. Failures count as consecutive until a response arrives: a connect alone does not reset
 *       them, so a broker that accepts connections but never answers still opens its circuit.</li>
 * </ol>
 *
 * <p>Thread-safe: shared by all event loops. A broker's circuit is created the first time the broker is named (one
 * map insertion, its meters registered); after that every call is a map read plus one atomic read, allocating only
 * when the circuit changes state. Times are {@link System#nanoTime()} readings, passed in so tests drive the clock.
 */
public final class BrokerCircuitBreakers
{
    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, BrokerCircuitStateMachine> circuits = new ConcurrentHashMap<>();
    // Held once, so that creating a broker's circuit does not also allocate a lambda each time it is looked up.
    private final Function<String, BrokerCircuitStateMachine> factory;
    private final Supplier<CircuitBreakerConfig> settings;

    /**
     * Creates the breakers, all closed, with settings that never change.
     *
     * @param config   the circuit breaker section.
     * @param registry where the circuits' meters live.
     */
    public BrokerCircuitBreakers(final CircuitBreakerConfig config, final MeterRegistry registry)
    {
        this(() -> config, registry);
    }

    /**
     * Creates the breakers, all closed, reading their settings where a reload publishes them.
     *
     * @param settings the circuit breaker section now: read at every call, so it must be cheap and must not block
     *                 (the cluster's snapshot reference).
     * @param registry where the circuits' meters live.
     */
    public BrokerCircuitBreakers(final Supplier<CircuitBreakerConfig> settings, final MeterRegistry registry)
    {
        this(settings, registry, Tags.empty());
    }

    /**
     * Creates the breakers of one virtual cluster, all closed, their meters labelled as given.
     *
     * @param settings the circuit breaker section now (see {@link #BrokerCircuitBreakers(Supplier, MeterRegistry)}).
     * @param registry where the circuits' meters live.
     * @param tags     the labels of every circuit's meters: the cluster's.
     */
    public BrokerCircuitBreakers(final Supplier<CircuitBreakerConfig> settings, final MeterRegistry registry, final Tags tags)
    {
        this.settings = settings;
        this.registry = registry;
        this.factory = broker -> new BrokerCircuitStateMachine(broker, this.registry, tags);
    }

    /**
     * Reacts to new settings just published: thresholds and durations apply from the next call by themselves;
     * disabling closes every circuit.
     */
    public void onSettingsPublished()
    {
        if (!settings.get().enabled())
        {
            circuits.values().forEach(BrokerCircuitStateMachine::reset);
        }
    }

    /**
     * Decides whether to connect to a broker: yes while its circuit is closed; no while it is open; once its next
     * probe is due, yes for exactly one caller (the probe) and no for the others until the probe
     * reports through {@link #onConnectSuccess} or {@link #onFailure}.
     *
     * @param broker   the broker's address, {@code host:port}.
     * @param nowNanos the time, a {@link System#nanoTime()} reading.
     * @return true if the connection may be attempted.
     */
    public boolean allowConnect(final String broker, final long nowNanos)
    {
        final CircuitBreakerConfig current = settings.get();
        return !current.enabled() || circuit(broker).allowConnect(current, nowNanos);
    }

    /**
     * Reports a connection to a broker established: closes its circuit if this was the probe.
     *
     * @param broker the broker's address, {@code host:port}.
     */
    public void onConnectSuccess(final String broker)
    {
        final BrokerCircuitStateMachine circuit = circuits.get(broker);
        if (circuit != null)
        {
            circuit.onConnectSuccess();
        }
    }

    /**
     * Reports a response from a broker: the failures counted so far for it are no longer consecutive, and requests
     * sent to it before now were not left unanswered by a dead broker. Allocates nothing once the broker is known.
     *
     * @param broker   the broker's address, {@code host:port}.
     * @param nowNanos the time, a {@link System#nanoTime()} reading.
     */
    public void onResponse(final String broker, final long nowNanos)
    {
        if (settings.get().enabled())
        {
            circuit(broker).onResponse(nowNanos);
        }
    }

    /**
     * A broker's circuit for a connection to it to report its responses to, without looking the broker up each time.
     *
     * @param broker the broker's address, {@code host:port}.
     * @return the circuit; reports do nothing while circuit breaking is disabled, as {@link #onResponse} does.
     */
    public BrokerCircuit circuitOf(final String broker)
    {
        final BrokerCircuitStateMachine circuit = circuit(broker);
        return nowNanos ->
        {
            if (settings.get().enabled())
            {
                circuit.onResponse(nowNanos);
            }
        };
    }

    /**
     * Reports a request the broker left unanswered past the request timeout: a failure only if the broker answered
     * nothing, on any connection, since the request was sent.
     *
     * @param broker    the broker's address, {@code host:port}.
     * @param sentNanos when the broker had the request to answer, a {@link System#nanoTime()} reading.
     * @param nowNanos  the time, a {@link System#nanoTime()} reading.
     * @return true if it was counted as a failure.
     */
    public boolean onRequestTimedOut(final String broker, final long sentNanos, final long nowNanos)
    {
        final BrokerCircuitStateMachine circuit = circuits.get(broker);
        if (circuit != null && circuit.answeredSince(sentNanos))
        {
            return false;
        }
        onFailure(broker, nowNanos);
        return true;
    }

    /**
     * Reports a failure: a connection to the broker that could not be made (request timeouts go through
     * {@link #onRequestTimedOut}). Opens the circuit at {@code failureThreshold} consecutive failures, or when the
     * probe fails.
     *
     * @param broker   the broker's address, {@code host:port}.
     * @param nowNanos the time, a {@link System#nanoTime()} reading.
     */
    public void onFailure(final String broker, final long nowNanos)
    {
        final CircuitBreakerConfig current = settings.get();
        if (current.enabled())
        {
            circuit(broker).onFailure(current, nowNanos);
        }
    }

    /**
     * The state of a broker's circuit.
     *
     * @param broker the broker's address, {@code host:port}.
     * @return the state; closed for a broker never reported.
     */
    public CircuitState state(final String broker)
    {
        final BrokerCircuitStateMachine circuit = circuits.get(broker);
        return circuit == null ? CircuitState.CLOSED : circuit.state();
    }

    /**
     * Whether circuit breaking is on; when it is off nothing is counted and no request timeout applies.
     *
     * @return the section's {@code enabled}.
     */
    public boolean enabled()
    {
        return settings.get().enabled();
    }

    /**
     * The request timeout: how long past the request's own wait a broker may leave it unanswered before the caller
     * reports it and closes the connection.
     *
     * @return the timeout in nanoseconds.
     */
    public long requestTimeoutNanos()
    {
        return settings.get().requestTimeout().toNanos();
    }

    private BrokerCircuitStateMachine circuit(final String broker)
    {
        final BrokerCircuitStateMachine known = circuits.get(broker);
        return known != null ? known : circuits.computeIfAbsent(broker, factory);
    }
}

package io.kafkaproxy.proxy.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Duration;

/**
 * The {@code circuitBreaker} section: when the proxy stops connecting to a broker that keeps failing. A reload
 * applies every key.
 *
 * @param enabled          whether circuits open at all. Default true.
 * @param failureThreshold consecutive failures (connect failures or request timeouts, with no response in between)
 *                         that open a broker's circuit. Default 3.
 * @param openDuration     the longest an open circuit refuses connections between two probe connections. Default 10s.
 * @param requestTimeout   a request the broker leaves unanswered this long past its own wait (a Fetch's
 *                         {@code max_wait_ms}, an acks=all Produce's {@code timeout_ms}) closes its connection, and
 *                         counts as a failure if the broker answered nothing else since it was sent. Default 30s.
 * @param probeInterval    how soon an open circuit lets a probe connection through: every probeInterval for the
 *                         first openDuration after it opened (a restarting broker is found back within one interval),
 *                         then doubling at each failed probe up to openDuration. Capped at openDuration. Default 1s.
 */
public record CircuitBreakerConfig(
    boolean enabled, int failureThreshold, Duration openDuration, Duration requestTimeout, Duration probeInterval)
{
    /** Default failure threshold. */
    public static final int DEFAULT_FAILURE_THRESHOLD = 3;
    /** Default open duration. */
    public static final Duration DEFAULT_OPEN_DURATION = Duration.ofSeconds(10);
    /** Default request timeout. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** Default probe interval. */
    public static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofSeconds(1);

    /**
     * Validates the section.
     *
     * @throws IllegalArgumentException naming the YAML path of the first bad value.
     */
    public CircuitBreakerConfig
    {
        if (failureThreshold < 1)
        {
            throw new IllegalArgumentException("circuitBreaker.failureThreshold: must be at least 1: " + failureThreshold);
        }
        if (!positiveMillis(openDuration))
        {
            throw new IllegalArgumentException("circuitBreaker.openDuration: must be positive: " + openDuration);
        }
        if (!positiveMillis(requestTimeout))
        {
            throw new IllegalArgumentException("circuitBreaker.requestTimeout: must be positive: " + requestTimeout);
        }
        if (!positiveMillis(probeInterval))
        {
            throw new IllegalArgumentException("circuitBreaker.probeInterval: must be positive: " + probeInterval);
        }
    }

    /**
     * Creates the section with the default probe interval.
     *
     * @param enabled          whether circuits open at all.
     * @param failureThreshold consecutive failures that open a broker's circuit.
     * @param openDuration     the longest wait between two probes.
     * @param requestTimeout   how long past its own wait a request may go unanswered.
     * @throws IllegalArgumentException naming the YAML path of the first bad value.
     */
    public CircuitBreakerConfig(
        final boolean enabled, final int failureThreshold, final Duration openDuration, final Duration requestTimeout)
    {
        this(enabled, failureThreshold, openDuration, requestTimeout, DEFAULT_PROBE_INTERVAL);
    }

    /**
     * The wait before the first probe, and between probes while the circuit has been open less than
     * {@code openDuration}.
     *
     * @return the probe interval, at most the open duration, in nanoseconds.
     */
    public long probeIntervalNanos()
    {
        return Math.min(probeInterval.toNanos(), openDuration.toNanos());
    }

    private static boolean positiveMillis(final Duration duration)
    {
        // Whole milliseconds within an int: what timers are scheduled with, and far from overflowing nanoTime sums.
        return duration != null && duration.toMillis() > 0 && duration.toMillis() <= Integer.MAX_VALUE;
    }

    /**
     * Reads the section, filling in defaults for absent keys.
     *
     * @param enabled          whether circuits open, or null.
     * @param failureThreshold the failure count, or null.
     * @param openDuration     the open duration, or null.
     * @param requestTimeout   the request timeout, or null.
     * @param probeInterval    the probe interval, or null.
     * @return the section.
     */
    @JsonCreator
    public static CircuitBreakerConfig of(
        @JsonProperty("enabled") final Boolean enabled,
        @JsonProperty("failureThreshold") final Integer failureThreshold,
        @JsonProperty("openDuration") final Duration openDuration,
        @JsonProperty("requestTimeout") final Duration requestTimeout,
        @JsonProperty("probeInterval") final Duration probeInterval)
    {
        return new CircuitBreakerConfig(
            enabled == null || enabled,
            failureThreshold == null ? DEFAULT_FAILURE_THRESHOLD : failureThreshold,
            openDuration == null ? DEFAULT_OPEN_DURATION : openDuration,
            requestTimeout == null ? DEFAULT_REQUEST_TIMEOUT : requestTimeout,
            probeInterval == null ? DEFAULT_PROBE_INTERVAL : probeInterval);
    }

    /**
     * The defaults.
     *
     * @return the section with every default.
     */
    public static CircuitBreakerConfig defaults()
    {
        return of(null, null, null, null, null);
    }
}

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
 * @param openDuration     how long an open circuit refuses connections before one probe connection is let
 *                         through. Default 10s.
 * @param requestTimeout   a request the broker leaves unanswered this long counts as a failure and closes its
 *                         connection. Default 30s.
 */
public record CircuitBreakerConfig(boolean enabled, int failureThreshold, Duration openDuration, Duration requestTimeout)
{
    /** Default failure threshold. */
    public static final int DEFAULT_FAILURE_THRESHOLD = 3;
    /** Default open duration. */
    public static final Duration DEFAULT_OPEN_DURATION = Duration.ofSeconds(10);
    /** Default request timeout. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

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
     * @return the section.
     */
    @JsonCreator
    public static CircuitBreakerConfig of(
        @JsonProperty("enabled") final Boolean enabled,
        @JsonProperty("failureThreshold") final Integer failureThreshold,
        @JsonProperty("openDuration") final Duration openDuration,
        @JsonProperty("requestTimeout") final Duration requestTimeout)
    {
        return new CircuitBreakerConfig(
            enabled == null || enabled,
            failureThreshold == null ? DEFAULT_FAILURE_THRESHOLD : failureThreshold,
            openDuration == null ? DEFAULT_OPEN_DURATION : openDuration,
            requestTimeout == null ? DEFAULT_REQUEST_TIMEOUT : requestTimeout);
    }

    /**
     * The defaults.
     *
     * @return the section with every default.
     */
    public static CircuitBreakerConfig defaults()
    {
        return of(null, null, null, null);
    }
}

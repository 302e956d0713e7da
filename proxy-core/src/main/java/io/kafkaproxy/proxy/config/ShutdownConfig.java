package io.kafkaproxy.proxy.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Duration;

/**
 * The {@code shutdown} section: how a stop (SIGTERM, SIGINT) treats the connections still open.
 *
 * @param drainTimeout how long requests already read from clients may take to be answered before every
 *                     connection is closed anyway. Default 30s; 0 closes at once.
 */
public record ShutdownConfig(Duration drainTimeout)
{
    /** Default drain timeout. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Validates the section.
     *
     * @throws IllegalArgumentException naming the YAML path of the bad value.
     */
    public ShutdownConfig
    {
        if (drainTimeout == null || drainTimeout.isNegative())
        {
            throw new IllegalArgumentException("shutdown.drainTimeout: must not be negative: " + drainTimeout);
        }
    }

    /**
     * Reads the section, filling in defaults for absent keys.
     *
     * @param drainTimeout the drain timeout, or null.
     * @return the section.
     */
    @JsonCreator
    public static ShutdownConfig of(@JsonProperty("drainTimeout") final Duration drainTimeout)
    {
        return new ShutdownConfig(drainTimeout == null ? DEFAULT_DRAIN_TIMEOUT : drainTimeout);
    }

    /**
     * The defaults.
     *
     * @return the section with every default.
     */
    public static ShutdownConfig defaults()
    {
        return of(null);
    }
}

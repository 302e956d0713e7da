package io.kafkaproxy.proxy.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Duration;
import java.util.Locale;

/**
 * The {@code upstream.failover} section: how the proxy watches the primary and the standby upstream, and when it
 * switches between them by itself. Only with {@code upstream.standby}.
 *
 * @param probeInterval    how often each upstream is probed with a Metadata round trip. Default 5s.
 * @param probeTimeout     how long one probe may take before it counts as failed. Default 3s.
 * @param failureThreshold consecutive failed probes of the active primary that make the proxy fail over to a healthy
 *                         standby; 0: failover on the operator's command only. Default 3.
 * @param failback         whether the proxy fails back to the primary by itself. Default manual.
 * @param holdDown         how long the primary must answer every probe before an automatic failback. Default 5m.
 */
public record FailoverConfig(Duration probeInterval, Duration probeTimeout, int failureThreshold, Failback failback, Duration holdDown)
{
    /** Default probe interval. */
    public static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofSeconds(5);
    /** Default probe timeout. */
    public static final Duration DEFAULT_PROBE_TIMEOUT = Duration.ofSeconds(3);
    /** Default failure threshold. */
    public static final int DEFAULT_FAILURE_THRESHOLD = 3;
    /** Default hold-down before an automatic failback. */
    public static final Duration DEFAULT_HOLD_DOWN = Duration.ofMinutes(5);

    /**
     * Whether the proxy fails back to the primary by itself.
     */
    public enum Failback
    {
        /** Only on the operator's command. */
        MANUAL,
        /** After the hold-down of healthy primary probes. */
        AUTOMATIC;

        /**
         * Reads the YAML value.
         *
         * @param value {@code manual} or {@code automatic}, any case.
         * @return the mode.
         * @throws IllegalArgumentException naming {@code upstream.failover.failback} for any other value.
         */
        @JsonCreator
        public static Failback parse(final String value)
        {
            try
            {
                return valueOf(value.trim().toUpperCase(Locale.ROOT));
            }
            catch (final RuntimeException e)
            {
                throw new IllegalArgumentException("upstream.failover.failback: must be manual or automatic: " + value, e);
            }
        }

        /**
         * The YAML value.
         *
         * @return {@code manual} or {@code automatic}.
         */
        public String yamlName()
        {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Validates the section.
     *
     * @throws IllegalArgumentException naming the YAML path of the first bad value.
     */
    public FailoverConfig
    {
        requirePositive("upstream.failover.probeInterval", probeInterval);
        requirePositive("upstream.failover.probeTimeout", probeTimeout);
        if (failureThreshold < 0)
        {
            throw new IllegalArgumentException("upstream.failover.failureThreshold: must be 0 (manual only) or more: " +
                failureThreshold);
        }
        if (failback == null)
        {
            throw new IllegalArgumentException("upstream.failover.failback: required: manual or automatic");
        }
        if (holdDown == null || holdDown.isNegative())
        {
            throw new IllegalArgumentException("upstream.failover.holdDown: must not be negative: " + holdDown);
        }
    }

    /**
     * The defaults: probes every 5s, timing out after 3s, automatic failover after 3 failures, manual failback.
     *
     * @return the section.
     */
    public static FailoverConfig defaults()
    {
        return of(null, null, null, null, null);
    }

    /**
     * Reads the section, filling in defaults for absent keys.
     *
     * @param probeInterval    the probe interval, or null.
     * @param probeTimeout     the probe timeout, or null.
     * @param failureThreshold the failure threshold, or null.
     * @param failback         the failback mode, or null.
     * @param holdDown         the hold-down, or null.
     * @return the section.
     */
    @JsonCreator
    public static FailoverConfig of(
        @JsonProperty("probeInterval") final Duration probeInterval,
        @JsonProperty("probeTimeout") final Duration probeTimeout,
        @JsonProperty("failureThreshold") final Integer failureThreshold,
        @JsonProperty("failback") final Failback failback,
        @JsonProperty("holdDown") final Duration holdDown)
    {
        return new FailoverConfig(
            probeInterval == null ? DEFAULT_PROBE_INTERVAL : probeInterval,
            probeTimeout == null ? DEFAULT_PROBE_TIMEOUT : probeTimeout,
            failureThreshold == null ? DEFAULT_FAILURE_THRESHOLD : failureThreshold,
            failback == null ? Failback.MANUAL : failback,
            holdDown == null ? DEFAULT_HOLD_DOWN : holdDown);
    }

    private static void requirePositive(final String path, final Duration value)
    {
        if (value == null || value.isNegative() || value.isZero() || value.toMillis() > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException(path + ": must be positive: " + value);
        }
    }
}

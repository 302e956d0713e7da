package io.kafkaproxy.proxy.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The {@code audit} section: the log line written for every ACL deny, quota throttle and rejected connection.
 *
 * @param enabled        whether events are recorded. Default true; a reload applies it.
 * @param linesPerSecond the most audit lines written per second; lines above it are counted and summarised in
 *                       one line. Default 100; a reload applies it.
 * @param ringSizeBytes  the capacity of the ring the event loops write events into, a power of two from 64KiB to
 *                       1GiB (the ring's trailer comes on top). An event takes about 100 bytes; when the ring is
 *                       full, events are dropped and counted. Default 1MiB; needs a restart.
 */
public record AuditConfig(boolean enabled, int linesPerSecond, int ringSizeBytes)
{
    /** Default line rate. */
    public static final int DEFAULT_LINES_PER_SECOND = 100;
    /** Default ring capacity. */
    public static final int DEFAULT_RING_SIZE_BYTES = 1 << 20;
    /** Smallest ring capacity: its largest event (an eighth of the capacity) must hold two names of 1KiB. */
    public static final int MIN_RING_SIZE_BYTES = 64 << 10;
    /** Largest ring capacity. */
    public static final int MAX_RING_SIZE_BYTES = 1 << 30;

    /**
     * Validates the section.
     *
     * @throws IllegalArgumentException naming the YAML path of the first bad value.
     */
    public AuditConfig
    {
        if (linesPerSecond < 1)
        {
            throw new IllegalArgumentException("audit.linesPerSecond: must be at least 1: " + linesPerSecond);
        }
        if (ringSizeBytes < MIN_RING_SIZE_BYTES || ringSizeBytes > MAX_RING_SIZE_BYTES || Integer.bitCount(ringSizeBytes) != 1)
        {
            throw new IllegalArgumentException("audit.ringSizeBytes: must be a power of two from 64KiB to 1GiB: " +
                Units.formatBytes(ringSizeBytes));
        }
    }

    /**
     * Reads the section, filling in defaults for absent keys.
     *
     * @param enabled        whether events are recorded, or null.
     * @param linesPerSecond the line rate, or null.
     * @param ringSizeBytes  a size such as {@code 1MiB}, or null.
     * @return the section.
     */
    @JsonCreator
    public static AuditConfig of(
        @JsonProperty("enabled") final Boolean enabled,
        @JsonProperty("linesPerSecond") final Integer linesPerSecond,
        @JsonProperty("ringSizeBytes") final String ringSizeBytes)
    {
        final long ring = ringSizeBytes == null ? DEFAULT_RING_SIZE_BYTES : MemoryConfig.size("audit.ringSizeBytes", ringSizeBytes);
        return new AuditConfig(
            enabled == null || enabled,
            linesPerSecond == null ? DEFAULT_LINES_PER_SECOND : linesPerSecond,
            (int)Math.min(Integer.MAX_VALUE, ring));
    }

    /**
     * The defaults.
     *
     * @return the section with every default.
     */
    public static AuditConfig defaults()
    {
        return of(null, null, null);
    }

    /**
     * The same section with another ring capacity.
     *
     * @param newRingSizeBytes the ring capacity.
     * @return the new section.
     */
    public AuditConfig withRingSizeBytes(final int newRingSizeBytes)
    {
        return new AuditConfig(enabled, linesPerSecond, newRingSizeBytes);
    }
}

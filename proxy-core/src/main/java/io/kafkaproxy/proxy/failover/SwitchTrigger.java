package io.kafkaproxy.proxy.failover;

import java.util.Locale;

/**
 * What made a virtual cluster switch upstream.
 */
public enum SwitchTrigger
{
    /** The probes: the primary failed {@code failureThreshold} probes, or answered every probe for {@code holdDown}. */
    AUTOMATIC,
    /** The operator: the admin API or the Java API. */
    MANUAL;

    /**
     * The value of the {@code trigger} label and key.
     *
     * @return {@code automatic} or {@code manual}.
     */
    public String label()
    {
        return name().toLowerCase(Locale.ROOT);
    }
}

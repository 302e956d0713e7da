package io.kafkaproxy.proxy.failover;

import io.kafkaproxy.proxy.cluster.UpstreamSettings;

/**
 * Which upstream of a virtual cluster its clients reach.
 */
public enum ActiveUpstream
{
    /** The {@code upstream} section's cluster. */
    PRIMARY(UpstreamSettings.PRIMARY, 0),
    /** The {@code upstream.standby} section's cluster. */
    STANDBY(UpstreamSettings.STANDBY, 1);

    private final String label;
    private final int gaugeValue;

    ActiveUpstream(final String label, final int gaugeValue)
    {
        this.label = label;
        this.gaugeValue = gaugeValue;
    }

    /**
     * The name in the admin API, logs and meters.
     *
     * @return {@code primary} or {@code standby}.
     */
    public String label()
    {
        return label;
    }

    /**
     * The value of {@code kafka_proxy_cluster_active_upstream}.
     *
     * @return 0 for the primary, 1 for the standby.
     */
    public int gaugeValue()
    {
        return gaugeValue;
    }

    /**
     * The other upstream.
     *
     * @return the standby for the primary and the other way round.
     */
    public ActiveUpstream other()
    {
        return this == PRIMARY ? STANDBY : PRIMARY;
    }
}

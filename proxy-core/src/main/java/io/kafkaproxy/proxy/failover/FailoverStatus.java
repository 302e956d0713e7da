package io.kafkaproxy.proxy.failover;

import io.kafkaproxy.proxy.config.HostPort;

import java.util.List;

/**
 * The state of one virtual cluster as the admin API shows it ({@code GET /clusters}). Immutable.
 *
 * @param name       the virtual cluster's name.
 * @param clusterId  the cluster id its clients see now; null while the proxy presents the upstream's own.
 * @param active     {@code primary} or {@code standby}.
 * @param generation grows at every switch.
 * @param upstreams  the primary, then the standby when there is one.
 * @param lastSwitch the latest switch; null if there was none.
 */
public record FailoverStatus(
    String name, String clusterId, String active, long generation, List<UpstreamStatus> upstreams, SwitchRecord lastSwitch)
{
    /**
     * One upstream of the cluster.
     *
     * @param name             {@code primary} or {@code standby}.
     * @param bootstrapServers its bootstrap servers, {@code host:port}.
     * @param lastProbe        its latest probe; null before the first.
     */
    public record UpstreamStatus(String name, List<String> bootstrapServers, ProbeResult lastProbe)
    {
        /**
         * Describes one upstream.
         *
         * @param name      its name.
         * @param servers   its bootstrap servers.
         * @param lastProbe its latest probe, or null.
         * @return the status.
         */
        public static UpstreamStatus of(final String name, final List<HostPort> servers, final ProbeResult lastProbe)
        {
            return new UpstreamStatus(name, servers.stream().map(HostPort::toString).toList(), lastProbe);
        }
    }
}

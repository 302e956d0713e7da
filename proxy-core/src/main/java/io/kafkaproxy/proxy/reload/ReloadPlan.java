package io.kafkaproxy.proxy.reload;

import io.kafkaproxy.proxy.config.ClusterConfig;
import io.kafkaproxy.proxy.config.ListenerConfig;
import io.kafkaproxy.proxy.config.ProxyConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * What a reload will do: the configuration the proxy will run with (the new file's live sections, the running
 * values of its restart-only ones), the paths that change now and the paths that wait for a restart. Immutable.
 *
 * @param config          the configuration to apply, validated as a whole.
 * @param changed         the YAML paths whose new values apply now.
 * @param restartRequired the YAML paths that changed but apply only after a restart; their running values stay.
 */
record ReloadPlan(ProxyConfig config, List<String> changed, List<String> restartRequired)
{
    /**
     * Freezes the lists.
     */
    public ReloadPlan
    {
        changed = List.copyOf(changed);
        restartRequired = List.copyOf(restartRequired);
    }

    /**
     * Plans the move from the running configuration to a new one.
     *
     * @param running  the configuration the proxy runs with.
     * @param fromFile the new configuration, as read.
     * @return the plan, or why the new configuration cannot run alongside the restart-only values that stay (a new
     *         frame limit must still fit the running pool).
     */
    public static StepResult<ReloadPlan> plan(final ProxyConfig running, final ProxyConfig fromFile)
    {
        if ((running.http() != null || running.mqtt() != null) && fromFile.cluster(running.gatewayCluster().name()) == null)
        {
            return new StepResult.Failed<>("clusters: the cluster the gateway serves cannot be removed by a reload: " +
                running.gatewayCluster().name());
        }
        final List<String> restartRequired = ConfigChangeDetector.detect(running, fromFile).restartOnly();
        final ProxyConfig effective;
        try
        {
            // Restart-only settings keep their running values; the record's checks then judge the result as a whole.
            effective = fromFile.toBuilder()
                .listener(ConfigChangeDetector.withLiveSecurity(running.listener(), fromFile.listener()))
                .listeners(liveListeners(running.listeners(), fromFile.listeners()))
                .clusters(liveClusters(running, fromFile))
                .network(fromFile.network().withIoThreads(running.network().ioThreads()).withSocketOptionsOf(running.network())
                    .withCutThrough(running.network().cutThrough()))
                .memory(running.memory())
                .admin(running.admin())
                .audit(fromFile.audit().withRingSizeBytes(running.audit().ringSizeBytes()))
                .http(running.http() == null || fromFile.http() == null ? running.http() :
                    running.http().withLiveSecurity(fromFile.http().tls(), fromFile.http().auth()))
                .mqtt(running.mqtt() == null || fromFile.mqtt() == null ? running.mqtt() :
                    running.mqtt().withLiveSecurity(fromFile.mqtt().tls(), fromFile.mqtt().auth()))
                .gateway(running.gateway())
                .routing(running.routing())
                .build();
        }
        catch (final IllegalArgumentException e)
        {
            return new StepResult.Failed<>(e.getMessage());
        }
        final List<String> changed = ConfigChangeDetector.detect(running, effective).live();
        return new StepResult.Done<>(new ReloadPlan(effective, changed, restartRequired));
    }

    private static List<ClusterConfig> liveClusters(final ProxyConfig running, final ProxyConfig fromFile)
    {
        // Each cluster takes its new sections but keeps its running listeners (with their new TLS and SASL) and id.
        final List<ClusterConfig> live = new ArrayList<>(fromFile.clusters().size());
        for (int c = 0; c < fromFile.clusters().size(); c++)
        {
            final ClusterConfig after = fromFile.clusters().get(c);
            final ClusterConfig before = running.cluster(after.name());
            if (before == null)
            {
                // A new cluster: built and bound whole, but its mirror waits for a restart (its slice comes out of
                // the pool, which is sized at start).
                live.add(after.withMirror(null));
                continue;
            }
            // The failover state (active upstream, generation, probes) is built at start for the standby it names.
            live.add(new ClusterConfig(before.name(), before.clusterId(),
                after.upstream().withStandby(before.upstream().standby(), before.upstream().failover()),
                ConfigChangeDetector.withLiveSecurity(before.listener(), after.listener()),
                liveListeners(before.listeners(), after.listeners()), after.acl(), after.quotas(), after.circuitBreaker(),
                before.mirror()));
        }
        return live;
    }

    private static List<ListenerConfig> liveListeners(final List<ListenerConfig> running, final List<ListenerConfig> next)
    {
        // Each entry keeps its running settings but takes its new TLS; a list of another length stays as it runs.
        if (next.size() != running.size())
        {
            return running;
        }
        final List<ListenerConfig> live = new ArrayList<>(next.size());
        for (int i = 0; i < next.size(); i++)
        {
            live.add(ConfigChangeDetector.withLiveSecurity(running.get(i), next.get(i)));
        }
        return live;
    }
}

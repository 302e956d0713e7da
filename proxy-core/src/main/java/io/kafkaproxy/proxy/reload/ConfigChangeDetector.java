package io.kafkaproxy.proxy.reload;

import io.kafkaproxy.proxy.config.ClusterConfig;
import io.kafkaproxy.proxy.config.ListenerConfig;
import io.kafkaproxy.proxy.config.ProxyConfig;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Names every section that differs between the running configuration and a new one, and tells the sections a
 * running proxy applies live from those that need a restart (listener addresses, thread count, memory pool, admin
 * listener, audit ring).
 *
 * <p>Stateless.
 */
final class ConfigChangeDetector
{
    private ConfigChangeDetector()
    {
    }

    /**
     * Compares two configurations.
     *
     * @param running the configuration the proxy runs with.
     * @param next    the new configuration.
     * @return the changed paths, live and restart-only, each in the file's order.
     */
    public static ConfigChanges detect(final ProxyConfig running, final ProxyConfig next)
    {
        return new ConfigChanges(liveChanges(running, next), restartOnlyChanges(running, next));
    }

    private static List<String> restartOnlyChanges(final ProxyConfig running, final ProxyConfig next)
    {
        final List<String> changed = new ArrayList<>();
        // TLS material and SASL credentials are read at every snapshot compile: a listener's tls and sasl apply to the
        // next connections, live. Its sni section decides which ports are bound, so that waits for a restart.
        for (int c = 0; c < next.clusters().size(); c++)
        {
            // A cluster that runs on keeps its listeners until a restart; one added or removed is applied live.
            final String path = next.clusterPath(c);
            final ClusterConfig after = next.clusters().get(c);
            final ClusterConfig before = running.cluster(after.name());
            if (before != null)
            {
                changedIf(changed, path + "listener", restartOnly(before.listener()), restartOnly(after.listener()));
                changedIf(changed, path + "listeners", before.listeners().stream().map(ConfigChangeDetector::restartOnly).toList(),
                    after.listeners().stream().map(ConfigChangeDetector::restartOnly).toList());
                changedIf(changed, path + "clusterId", before.clusterId(), after.clusterId());
                // The failover state (active upstream, generation, probes) is built at start for the standby it names.
                changedIf(changed, path + "upstream.standby", before.upstream().standby(), after.upstream().standby());
                changedIf(changed, path + "upstream.failover", before.upstream().failover(), after.upstream().failover());
            }
            // A mirror's slice is taken out of the pool at start, and its sender and connections built then: a
            // cluster keeps the mirror it started with, and one added by a reload starts without its mirror.
            changedIf(changed, path + "mirror", before == null ? null : before.mirror(), after.mirror());
        }
        changedIf(changed, "network.ioThreads", running.network().ioThreads(), next.network().ioThreads());
        // The event loops and every channel are of the transport chosen at start.
        changedIf(changed, "network.transport", running.network().transport(), next.network().transport());
        // Socket options are set on the listeners' and the broker connector's bootstraps, built at start.
        changedIf(changed, "network.brokerTcpQuickAck", running.network().brokerTcpQuickAck(), next.network().brokerTcpQuickAck());
        changedIf(changed, "network.socketReceiveBufferBytes", running.network().socketReceiveBufferBytes(),
            next.network().socketReceiveBufferBytes());
        changedIf(changed, "network.socketSendBufferBytes", running.network().socketSendBufferBytes(), next.network().socketSendBufferBytes());
        // Read when the proxy builds its connection services: restart-only, like the threads.
        changedIf(changed, "network.cutThrough", running.network().cutThrough(), next.network().cutThrough());
        changedIf(changed, "memory", running.memory(), next.memory());
        changedIf(changed, "admin", running.admin(), next.admin());
        changedIf(changed, "audit.ringSizeBytes", running.audit().ringSizeBytes(), next.audit().ringSizeBytes());
        // A gateway listener's address and limits, and the shared producer and feeds, are set at start.
        changedIf(changed, "http", running.http() == null ? null : running.http().withLiveSecurity(null, null),
            next.http() == null ? null : next.http().withLiveSecurity(null, null));
        changedIf(changed, "mqtt", running.mqtt() == null ? null : running.mqtt().withLiveSecurity(null, null),
            next.mqtt() == null ? null : next.mqtt().withLiveSecurity(null, null));
        changedIf(changed, "gateway", running.gateway(), next.gateway());
        // The routing listener is bound, and its rules compiled, at start.
        changedIf(changed, "routing", running.routing(), next.routing());
        return changed;
    }

    private static List<String> liveChanges(final ProxyConfig running, final ProxyConfig next)
    {
        final List<String> changed = new ArrayList<>();
        for (int c = 0; c < next.clusters().size(); c++)
        {
            final ClusterConfig after = next.clusters().get(c);
            final ClusterConfig before = running.cluster(after.name());
            if (before == null)
            {
                changed.add(next.clusterPath(c).isEmpty() ? "clusters" : next.clusterPath(c).substring(0, next.clusterPath(c).length() - 1));
            }
            else
            {
                clusterLiveChanges(changed, next.clusterPath(c), before, after, !next.singleClusterForm());
            }
        }
        for (int c = 0; c < running.clusters().size(); c++)
        {
            if (next.cluster(running.clusters().get(c).name()) == null)
            {
                // Removed: named by its place in the running file.
                changed.add(running.clusterPath(c).isEmpty() ? "clusters" :
                    running.clusterPath(c).substring(0, running.clusterPath(c).length() - 1));
            }
        }
        changedIf(changed, "network.maxRequestSizeBytes", running.network().maxRequestSizeBytes(), next.network().maxRequestSizeBytes());
        changedIf(changed, "network.maxResponseSizeBytes", running.network().maxResponseSizeBytes(), next.network().maxResponseSizeBytes());
        changedIf(changed, "network.idleTimeout", running.network().idleTimeout(), next.network().idleTimeout());
        changedIf(changed, "logging", running.logging(), next.logging());
        changedIf(changed, "shutdown.drainTimeout", running.shutdown().drainTimeout(), next.shutdown().drainTimeout());
        final boolean oneCluster = sameClusters(running, next) && next.singleClusterForm();
        if (oneCluster)
        {
            // A one-cluster file's policy sections sit among the proxy-wide ones: named in the file's order.
            changedIf(changed, "acl", running.acl(), next.acl());
        }
        // The ring's size is restart-only; the audit section's other settings apply live.
        changedIf(changed, "audit", running.audit(), next.audit().withRingSizeBytes(running.audit().ringSizeBytes()));
        if (oneCluster)
        {
            changedIf(changed, "quotas", running.quotas(), next.quotas());
            changedIf(changed, "circuitBreaker", running.circuitBreaker(), next.circuitBreaker());
        }
        if (running.http() != null && next.http() != null)
        {
            changedIf(changed, "http.tls", running.http().tls(), next.http().tls());
            changedIf(changed, "http.auth", running.http().auth(), next.http().auth());
        }
        if (running.mqtt() != null && next.mqtt() != null)
        {
            changedIf(changed, "mqtt.tls", running.mqtt().tls(), next.mqtt().tls());
            changedIf(changed, "mqtt.auth", running.mqtt().auth(), next.mqtt().auth());
        }
        return changed;
    }

    private static void clusterLiveChanges(
        final List<String> changed, final String path, final ClusterConfig running, final ClusterConfig next,
        final boolean withPolicy)
    {
        changedIf(changed, path + "listener.tls", running.listener().tls(), next.listener().tls());
        changedIf(changed, path + "listener.sasl", running.listener().sasl(), next.listener().sasl());
        if (running.listeners().size() == next.listeners().size())
        {
            for (int i = 0; i < running.listeners().size(); i++)
            {
                changedIf(changed, path + "listeners[" + i + "].tls", running.listeners().get(i).tls(), next.listeners().get(i).tls());
                changedIf(changed, path + "listeners[" + i + "].sasl", running.listeners().get(i).sasl(), next.listeners().get(i).sasl());
            }
        }
        changedIf(changed, path + "upstream.bootstrapServers", running.upstream().bootstrapServers(), next.upstream().bootstrapServers());
        changedIf(changed, path + "upstream.connectTimeout", running.upstream().connectTimeout(), next.upstream().connectTimeout());
        // Their files are re-read by every reload whether or not these change; new broker connections use them.
        changedIf(changed, path + "upstream.tls", running.upstream().tls(), next.upstream().tls());
        changedIf(changed, path + "upstream.sasl", running.upstream().sasl(), next.upstream().sasl());
        if (withPolicy)
        {
            changedIf(changed, path + "acl", running.acl(), next.acl());
            changedIf(changed, path + "quotas", running.quotas(), next.quotas());
            changedIf(changed, path + "circuitBreaker", running.circuitBreaker(), next.circuitBreaker());
        }
    }

    /**
     * Whether two configurations have the same clusters, by name and in the same order.
     *
     * @param running the running configuration.
     * @param next    the new one.
     * @return true when only the clusters' sections may differ.
     */
    static boolean sameClusters(final ProxyConfig running, final ProxyConfig next)
    {
        return clusterNames(running).equals(clusterNames(next));
    }

    private static List<String> clusterNames(final ProxyConfig config)
    {
        return config.clusters().stream().map(ClusterConfig::name).toList();
    }

    /**
     * A listener as far as a restart is needed to change it: everything but its TLS material and SASL settings.
     *
     * @param listener the listener.
     * @return its restart-only settings, comparable with {@code equals}.
     */
    static List<Object> restartOnly(final ListenerConfig listener)
    {
        return Arrays.asList(listener.withTls(null).withSasl(null), listener.tls() == null ? null : listener.tls().sni());
    }

    /**
     * A running listener with the TLS material and SASL settings of its new configuration; the TLS only unless the
     * new one changes what needs a restart (its sni section): then the running TLS stays whole.
     *
     * @param running  the running listener.
     * @param fromFile the same listener in the new configuration.
     * @return the listener to run with.
     */
    static ListenerConfig withLiveSecurity(final ListenerConfig running, final ListenerConfig fromFile)
    {
        final boolean sameSni = Objects.equals(running.tls() == null ? null : running.tls().sni(),
            fromFile.tls() == null ? null : fromFile.tls().sni());
        return (sameSni ? running.withTls(fromFile.tls()) : running).withSasl(fromFile.sasl());
    }

    private static void changedIf(final List<String> changed, final String path, final Object before, final Object after)
    {
        if (!Objects.equals(before, after))
        {
            changed.add(path);
        }
    }
}

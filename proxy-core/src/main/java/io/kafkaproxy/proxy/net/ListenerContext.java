package io.kafkaproxy.proxy.net;

import io.kafkaproxy.proxy.config.ListenerConfig;
import io.kafkaproxy.proxy.config.SniConfig;
import io.kafkaproxy.proxy.routing.BrokerNodeRegistry;
import io.kafkaproxy.proxy.routing.SniHostNames;
import io.netty.util.concurrent.EventExecutor;

import java.net.InetAddress;

/**
 * One client listener of a cluster: its settings, the address it binds, and its own node registry, which
 * advertises each broker node under this listener's host and node port. A connection accepted by this listener
 * rewrites broker addresses with this registry, so a client is only ever told of the listener it came in by. A
 * listener routed by SNI binds no node ports: its registry advertises each node by name on the bootstrap port.
 *
 * <p>Built by its {@link ClusterContext} on the lifecycle thread; immutable but for the registry, which is
 * thread-safe.
 */
final class ListenerContext
{
    private final ListenerConfig config;
    private final String path;
    private final InetAddress bindAddress;
    private final ClusterContext cluster;
    private final BrokerNodeRegistry nodes;
    private final SniHostNames sniHostNames;

    /**
     * Builds the context of one listener; nothing is bound until {@link ProxyListeners#bindBootstrapListener}.
     *
     * @param config      the listener's settings.
     * @param path        its YAML path, for messages: {@code listener} or {@code listeners[i]}.
     * @param bindAddress the resolved host of its bind address.
     * @param cluster     the cluster its connections go to.
     * @param listeners   binds its node listeners.
     * @param notifier    where its node registry runs its callbacks.
     */
    ListenerContext(
        final ListenerConfig config,
        final String path,
        final InetAddress bindAddress,
        final ClusterContext cluster,
        final ProxyListeners listeners,
        final EventExecutor notifier)
    {
        this.config = config;
        this.path = path;
        this.bindAddress = bindAddress;
        this.cluster = cluster;
        final SniConfig sni = config.tls() == null ? null : config.tls().sni();
        this.sniHostNames = sni == null ? null : new SniHostNames(sni.bootstrapHost(), sni.nodeHostPattern());
        this.nodes = sniHostNames != null ? BrokerNodeRegistry.sharedPort(sniHostNames, notifier) : new BrokerNodeRegistry(
            config.advertisedHost(), config.nodePorts().first(), config.nodePorts().count(),
            // Called only once discovery or a response names a node, after this constructor has returned.
            (nodeId, port) -> listeners.bindNodeListener(this, nodeId, port), notifier);
    }

    /**
     * The listener's name, unique in the proxy.
     *
     * @return the name.
     */
    String name()
    {
        return config.name();
    }

    /**
     * The listener's YAML path, for messages.
     *
     * @return {@code listener} or {@code listeners[i]}.
     */
    String path()
    {
        return path;
    }

    ListenerConfig config()
    {
        return config;
    }

    InetAddress bindAddress()
    {
        return bindAddress;
    }

    ClusterContext cluster()
    {
        return cluster;
    }

    BrokerNodeRegistry nodes()
    {
        return nodes;
    }

    /**
     * The host names of a listener routed by SNI.
     *
     * @return the names, or null when the listener binds a port per node.
     */
    SniHostNames sniHostNames()
    {
        return sniHostNames;
    }

    /**
     * The host clients bootstrap with: the SNI bootstrap host, else the advertised host.
     *
     * @return the host.
     */
    String advertisedBootstrapHost()
    {
        return sniHostNames != null ? sniHostNames.bootstrapHost() : config.advertisedHost();
    }
}

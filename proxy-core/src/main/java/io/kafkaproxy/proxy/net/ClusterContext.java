package io.kafkaproxy.proxy.net;

import io.kafkaproxy.proxy.audit.AuditLog;
import io.kafkaproxy.proxy.circuit.BrokerCircuitBreakers;
import io.kafkaproxy.proxy.cluster.ClusterSnapshot;
import io.kafkaproxy.proxy.cluster.ClusterSnapshotReference;
import io.kafkaproxy.proxy.codec.FrameSizeLimit;
import io.kafkaproxy.proxy.cluster.UpstreamSettings;
import io.kafkaproxy.proxy.config.ListenerConfig;
import io.kafkaproxy.proxy.connection.BrokerConnector;
import io.kafkaproxy.proxy.failover.ClusterFailover;
import io.kafkaproxy.proxy.failover.FailoverTarget;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.memory.PoolByteBufAllocator;
import io.kafkaproxy.proxy.metrics.PolicyMetrics;
import io.kafkaproxy.proxy.policy.PolicyServices;
import io.kafkaproxy.proxy.routing.BrokerNodeDiscovery;
import io.kafkaproxy.proxy.routing.BrokerNodeRegistry;
import io.kafkaproxy.proxy.sasl.FailedLoginLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoop;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.concurrent.EventExecutor;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything that belongs to one upstream cluster: its published {@link ClusterSnapshot}, its client listeners
 * (each with its broker nodes' port allocation), node discovery, the connector to its brokers, its policy and its circuit breakers,
 * its failover between primary and standby upstream ({@link ClusterFailover}) and its client connections. A proxy
 * in front of several clusters holds one context per cluster.
 *
 * <p>Built and published to by the lifecycle thread (start, reload); read by the event loops only through the
 * snapshot reference and the thread-safe parts it holds.
 */
final class ClusterContext
{
    private static final Logger LOGGER = LoggerFactory.getLogger(ClusterContext.class);

    private final ClusterSnapshotReference snapshots;
    // The frame decoders read a FrameSizeLimit at each size field; these two follow the snapshot on each publish.
    private final FrameSizeLimit requestLimit;
    private final FrameSizeLimit responseLimit;
    private final List<ListenerContext> listeners;
    private final NettyBrokerConnector connector;
    private final PolicyServices policy;
    private final BrokerCircuitBreakers breakers;
    private final PolicyMetrics policyMetrics;
    private final FailedLoginLimiter failedLogins = new FailedLoginLimiter();
    private final ClusterFailover failover;
    // The cluster's own client connections, which a failover closes so that they re-bootstrap.
    private final ChannelGroup clientChannels;

    /**
     * Builds the context of a cluster; nothing connects until {@link #discoverNodes}.
     *
     * @param listenerConfigs the cluster's listeners, the first one first: advertised host and node port range of each.
     * @param bindAddresses   the resolved bind host of each listener, in the same order.
     * @param initial         the cluster's first snapshot.
     * @param transport       the socket transport.
     * @param resolver        resolves broker host names without blocking.
     * @param allocator       the pool allocator of every channel.
     * @param audit           the audit log, started.
     * @param policyMetrics   the policy meters (not labelled by cluster yet).
     * @param registry        where the circuits' meters live (not labelled by cluster yet).
     * @param listeners       binds the listeners of this cluster's nodes.
     * @param notifier        where the node registry runs its callbacks.
     * @param name            the virtual cluster's name, in the admin API and the failover meters.
     * @param failoverLoop    where the failover probes and switches run.
     */
    ClusterContext(
        final String name,
        final EventLoop failoverLoop,
        final List<ListenerConfig> listenerConfigs,
        final List<InetAddress> bindAddresses,
        final ClusterSnapshot initial,
        final Transport transport,
        final AddressResolverGroup<InetSocketAddress> resolver,
        final PoolByteBufAllocator allocator,
        final AuditLog audit,
        final PolicyMetrics policyMetrics,
        final MeterRegistry registry,
        final ProxyListeners listeners,
        final EventExecutor notifier)
    {
        this.snapshots = new ClusterSnapshotReference(initial);
        this.requestLimit = new FrameSizeLimit(initial.maxRequestSizeBytes());
        this.responseLimit = new FrameSizeLimit(initial.maxResponseSizeBytes());
        final List<ListenerContext> contexts = new ArrayList<>(listenerConfigs.size());
        final List<BrokerNodeRegistry> registries = new ArrayList<>(listenerConfigs.size());
        for (int i = 0; i < listenerConfigs.size(); i++)
        {
            final ListenerContext listener = new ListenerContext(listenerConfigs.get(i), ProxyConfig.listenerPath(i),
                bindAddresses.get(i), this, listeners, notifier);
            contexts.add(listener);
            registries.add(listener.nodes());
        }
        // Discovery feeds the first listener's registry, and a response feeds its connection's: all must learn it.
        BrokerNodeRegistry.shareNodes(registries);
        this.listeners = List.copyOf(contexts);
        this.connector = new NettyBrokerConnector(transport, resolver, snapshots, responseLimit, allocator);
        this.policy = new PolicyServices(snapshots, audit, policyMetrics);
        this.policyMetrics = policyMetrics;
        this.breakers = new BrokerCircuitBreakers(() -> snapshots.current().circuitBreaker(), registry);
        this.clientChannels = new DefaultChannelGroup("kafka-proxy-clients-" + name, GlobalEventExecutor.INSTANCE);
        this.failover = new ClusterFailover(name, failoverLoop, snapshots::current, new UpstreamSwitch(failoverLoop),
            connector.template(), responseLimit.maxMessageSizeBytes(), audit, registry, System::currentTimeMillis);
        if (initial.standby() != null)
        {
            // The virtual cluster id changes at a switch so that KIP-1242 clients re-bootstrap; without a standby the
            // brokers' own id is presented, as before issue 14.
            for (final BrokerNodeRegistry nodes : registries)
            {
                nodes.presentClusterId(failover::clusterId);
            }
        }
        if (initial.brokerTls() != null)
        {
            // Once at start: which implementation the broker handshakes run on, and whether the proxy logs in.
            LOGGER.atInfo()
                .addKeyValue("provider", initial.brokerTls().provider())
                .addKeyValue("login", initial.brokerLogin() == null ? "none" : initial.brokerLogin().mechanism().mechanismName())
                .log("brokers reached over TLS");
        }
    }

    /**
     * Publishes a new snapshot: connections read it from their next frame, request, connect or accept, and the
     * stateful parts (frame limits, connection limiter, audit, breakers) follow it now.
     *
     * @param snapshot the new snapshot, compiled from a validated configuration.
     */
    void publish(final ClusterSnapshot snapshot)
    {
        synchronized (snapshots)
        {
            // A reload compiles the primary's upstream fields; after a failover the standby's stay in force.
            snapshots.publish(snapshot.withActiveUpstream(failover.activeSettings(snapshot)));
        }
        requestLimit.set(snapshot.maxRequestSizeBytes());
        responseLimit.set(snapshot.maxResponseSizeBytes());
        policy.onPublished(snapshot);
        breakers.onSettingsPublished();
    }

    /**
     * Starts learning the cluster's broker nodes from its bootstrap servers, so their listeners are bound before
     * the first client asks.
     *
     * @param executor where discovery runs.
     */
    void discoverNodes(final EventLoop executor)
    {
        final ClusterSnapshot snapshot = snapshots.current();
        new BrokerNodeDiscovery(connector.template(), executor, snapshot.bootstrapServers(), nodes(),
            responseLimit.maxMessageSizeBytes(), snapshot.brokerTls(), snapshot.connectTimeoutMillis()).start();
        failover.start();
    }

    /**
     * The cluster's failover state: active upstream, generation, probes, switches.
     *
     * @return the failover state; without a standby it only refuses to switch.
     */
    ClusterFailover failover()
    {
        return failover;
    }

    /**
     * The connector of a client connection accepted now, fenced by the failover generation of this moment.
     *
     * @return the connector.
     */
    BrokerConnector connectorForNewConnection()
    {
        return connector.forNewConnection(failover);
    }

    /**
     * The cluster's client connections: each accepted channel is added, and leaves when it closes.
     *
     * @return the group.
     */
    ChannelGroup clientChannels()
    {
        return clientChannels;
    }

    /**
     * Stops what the cluster runs by itself (the failover probes).
     */
    void close()
    {
        failover.close();
    }

    /**
     * A switch as it applies to this cluster: the snapshot's upstream, the node registries, the client connections.
     */
    private final class UpstreamSwitch implements FailoverTarget
    {
        private final EventLoop failoverLoop;

        UpstreamSwitch(final EventLoop failoverLoop)
        {
            this.failoverLoop = failoverLoop;
        }

        @Override
        public void activate(final UpstreamSettings upstream)
        {
            synchronized (snapshots)
            {
                snapshots.publish(snapshots.current().withActiveUpstream(upstream));
            }
            for (final ListenerContext listener : listeners)
            {
                listener.nodes().forgetBrokerAddresses();
            }
        }

        @Override
        public void onSwitched(final UpstreamSettings upstream)
        {
            new BrokerNodeDiscovery(connector.template(), failoverLoop, upstream.bootstrapServers(), nodes(),
                responseLimit.maxMessageSizeBytes(), upstream.brokerTls(), upstream.connectTimeoutMillis()).start();
            clientChannels.close();
        }
    }

    ClusterSnapshot snapshot()
    {
        return snapshots.current();
    }

    FrameSizeLimit requestLimit()
    {
        return requestLimit;
    }

    /**
     * The node registry of the first listener (issue 14 generalizes readiness and the node listing to all).
     *
     * @return the registry.
     */
    BrokerNodeRegistry nodes()
    {
        return listeners.get(0).nodes();
    }

    /**
     * The cluster's client listeners, the {@code listener} section first.
     *
     * @return the listeners.
     */
    List<ListenerContext> listeners()
    {
        return listeners;
    }

    NettyBrokerConnector connector()
    {
        return connector;
    }

    PolicyServices policy()
    {
        return policy;
    }

    BrokerCircuitBreakers breakers()
    {
        return breakers;
    }

    /**
     * The policy meters, where refused connections are counted.
     *
     * @return the meters.
     */
    PolicyMetrics policyMetrics()
    {
        return policyMetrics;
    }

    /**
     * The failed SASL logins per client address, when the listener terminates SASL.
     *
     * @return the cluster's limiter, shared by every event loop.
     */
    FailedLoginLimiter failedLogins()
    {
        return failedLogins;
    }
}

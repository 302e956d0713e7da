package io.kafkaproxy.proxy.net;

import io.kafkaproxy.proxy.audit.AuditLog;
import io.kafkaproxy.proxy.circuit.BrokerCircuitBreakers;
import io.kafkaproxy.proxy.cluster.ClusterSnapshot;
import io.kafkaproxy.proxy.cluster.ClusterSnapshotReference;
import io.kafkaproxy.proxy.codec.FrameSizeLimit;
import io.kafkaproxy.proxy.config.ListenerConfig;
import io.kafkaproxy.proxy.memory.PoolByteBufAllocator;
import io.kafkaproxy.proxy.metrics.PolicyMetrics;
import io.kafkaproxy.proxy.policy.PolicyServices;
import io.kafkaproxy.proxy.routing.BrokerNodeDiscovery;
import io.kafkaproxy.proxy.routing.BrokerNodeRegistry;
import io.kafkaproxy.proxy.sasl.FailedLoginLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoop;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.concurrent.EventExecutor;

import java.net.InetSocketAddress;

/**
 * Everything that belongs to one upstream cluster: its published {@link ClusterSnapshot}, its broker nodes (and
 * their port allocation and discovery), the connector to its brokers, its policy and its circuit breakers. A proxy
 * in front of several clusters holds one context per cluster.
 *
 * <p>Built and published to by the lifecycle thread (start, reload); read by the event loops only through the
 * snapshot reference and the thread-safe parts it holds.
 */
final class ClusterContext
{
    private final ClusterSnapshotReference snapshots;
    // The frame decoders read a FrameSizeLimit at each size field; these two follow the snapshot on each publish.
    private final FrameSizeLimit requestLimit;
    private final FrameSizeLimit responseLimit;
    private final BrokerNodeRegistry nodes;
    private final NettyBrokerConnector connector;
    private final PolicyServices policy;
    private final BrokerCircuitBreakers breakers;
    private final FailedLoginLimiter failedLogins = new FailedLoginLimiter();

    /**
     * Builds the context of a cluster; nothing connects until {@link #discoverNodes}.
     *
     * @param listener        the listener section: advertised host and node port range.
     * @param initial         the cluster's first snapshot.
     * @param transport       the socket transport.
     * @param resolver        resolves broker host names without blocking.
     * @param allocator       the pool allocator of every channel.
     * @param audit           the audit log, started.
     * @param policyMetrics   the policy meters (not labelled by cluster yet).
     * @param registry        where the circuits' meters live (not labelled by cluster yet).
     * @param listeners       binds the listeners of this cluster's nodes.
     * @param notifier        where the node registry runs its callbacks.
     */
    ClusterContext(
        final ListenerConfig listener,
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
        this.nodes = new BrokerNodeRegistry(
            listener.advertisedHost(), listener.nodePorts().first(), listener.nodePorts().count(),
            // Called only once discovery or a response names a node, after this constructor has returned.
            (nodeId, port) -> listeners.bindNodeListener(this, nodeId, port), notifier);
        this.connector = new NettyBrokerConnector(transport, resolver, snapshots, responseLimit, allocator);
        this.policy = new PolicyServices(snapshots, audit, policyMetrics);
        this.breakers = new BrokerCircuitBreakers(() -> snapshots.current().circuitBreaker(), registry);
    }

    /**
     * Publishes a new snapshot: connections read it from their next frame, request, connect or accept, and the
     * stateful parts (frame limits, connection limiter, audit, breakers) follow it now.
     *
     * @param snapshot the new snapshot, compiled from a validated configuration.
     */
    void publish(final ClusterSnapshot snapshot)
    {
        snapshots.publish(snapshot);
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
        new BrokerNodeDiscovery(connector.template(), executor, snapshot.bootstrapServers(), nodes,
            responseLimit.maxMessageSizeBytes()).start();
    }

    ClusterSnapshot snapshot()
    {
        return snapshots.current();
    }

    FrameSizeLimit requestLimit()
    {
        return requestLimit;
    }

    BrokerNodeRegistry nodes()
    {
        return nodes;
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
     * The failed SASL logins per client address, when the listener terminates SASL.
     *
     * @return the cluster's limiter, shared by every event loop.
     */
    FailedLoginLimiter failedLogins()
    {
        return failedLogins;
    }
}

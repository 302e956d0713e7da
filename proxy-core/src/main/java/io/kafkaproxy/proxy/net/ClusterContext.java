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
import io.kafkaproxy.proxy.config.MemoryConfig;
import io.kafkaproxy.proxy.config.MirrorConfig;
import io.kafkaproxy.proxy.memory.PoolByteBufAllocator;
import io.kafkaproxy.proxy.metrics.PolicyMetrics;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.mirror.MirrorTap;
import io.kafkaproxy.proxy.mirror.ProduceMirror;
import io.kafkaproxy.proxy.policy.PolicyServices;
import io.kafkaproxy.proxy.routing.BrokerApiVersions;
import io.kafkaproxy.proxy.routing.BrokerNodeDiscovery;
import io.kafkaproxy.proxy.routing.BrokerNodeRegistry;
import io.kafkaproxy.proxy.sasl.FailedLoginLimiter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.netty.channel.EventLoop;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything that belongs to one upstream cluster: its published {@link ClusterSnapshot}, its client listeners
 * (each with its broker nodes' port allocation), node discovery, the connector to its brokers, its policy and its circuit breakers,
 * its failover between primary and standby upstream ({@link ClusterFailover}), its produce mirror if it has one, and its
 * client connections. A proxy
 * in front of several clusters holds one context per cluster.
 *
 * <p>Built and published to by the lifecycle thread (start, reload); read by the event loops only through the
 * snapshot reference and the thread-safe parts it holds.
 */
final class ClusterContext
{
    private static final Logger LOGGER = LoggerFactory.getLogger(ClusterContext.class);

    private final String name;
    private final ClusterSnapshotReference snapshots;
    // The frame decoders read a FrameSizeLimit at each size field; these two follow the snapshot on each publish.
    private final FrameSizeLimit requestLimit;
    private final FrameSizeLimit responseLimit;
    private final List<ListenerContext> listeners;
    private final NettyBrokerConnector connector;
    private final PolicyServices policy;
    private final BrokerCircuitBreakers breakers;
    private final PolicyMetrics policyMetrics;
    private final ProxyMetrics metrics;
    private final FailedLoginLimiter failedLogins = new FailedLoginLimiter();
    /** What the brokers advertise, for a routing listener that answers ApiVersions before it knows the cluster. */
    private final BrokerApiVersions brokerApiVersions = new BrokerApiVersions();
    // Thread-safe groups: a reload that removes the cluster closes its listeners and drains its connections.
    private final ChannelGroup listenerChannels = new DefaultChannelGroup("kafka-proxy-cluster-listeners", GlobalEventExecutor.INSTANCE);
    // The cluster's own client connections, which a failover closes so that they re-bootstrap.
    private final ChannelGroup clientChannels = new DefaultChannelGroup("kafka-proxy-cluster-clients", GlobalEventExecutor.INSTANCE);
    private final MeterRegistry registry;
    private final Gauge connections;
    private final ClusterFailover failover;
    private ProduceMirror mirror;

    /**
     * Builds the context of a cluster; nothing connects until {@link #discoverNodes}.
     *
     * @param name            the cluster's name: in the admin API, the logs and the {@code cluster} label of its meters.
     * @param clusterId       the id its clients see ({@code clusterId}), or null: derived from the name when the
     *                        cluster has a standby, the brokers' own otherwise.
     * @param failoverLoop    where the failover probes and switches run.
     * @param listenerConfigs the cluster's listeners, the first one first: advertised host and node port range of each.
     * @param listenerPaths   the YAML path of each listener, in the same order.
     * @param bindAddresses   the resolved bind host of each listener, in the same order.
     * @param initial         the cluster's first snapshot.
     * @param transport       the socket transport.
     * @param resolver        resolves broker host names without blocking.
     * @param allocator       the pool allocator of every channel.
     * @param audit           the audit log, started.
     * @param policyMetrics   the cluster's policy meters, labelled with its name.
     * @param metrics         the meters of the cluster's connections and requests, labelled with its name.
     * @param registry        where the circuits' meters live, labelled with the cluster's name.
     * @param listeners       binds the listeners of this cluster's nodes.
     * @param notifier        where the node registry runs its callbacks.
     */
    ClusterContext(
        final String name,
        final String clusterId,
        final EventLoop failoverLoop,
        final List<ListenerConfig> listenerConfigs,
        final List<String> listenerPaths,
        final List<InetAddress> bindAddresses,
        final ClusterSnapshot initial,
        final Transport transport,
        final AddressResolverGroup<InetSocketAddress> resolver,
        final PoolByteBufAllocator allocator,
        final AuditLog audit,
        final PolicyMetrics policyMetrics,
        final ProxyMetrics metrics,
        final MeterRegistry registry,
        final ProxyListeners listeners,
        final EventExecutor notifier)
    {
        this.name = name;
        this.snapshots = new ClusterSnapshotReference(initial);
        this.requestLimit = new FrameSizeLimit(initial.maxRequestSizeBytes());
        this.responseLimit = new FrameSizeLimit(initial.maxResponseSizeBytes());
        final List<ListenerContext> contexts = new ArrayList<>(listenerConfigs.size());
        final List<BrokerNodeRegistry> registries = new ArrayList<>(listenerConfigs.size());
        for (int i = 0; i < listenerConfigs.size(); i++)
        {
            final ListenerContext listener = new ListenerContext(listenerConfigs.get(i), listenerPaths.get(i),
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
        this.metrics = metrics;
        this.breakers = new BrokerCircuitBreakers(() -> snapshots.current().circuitBreaker(), registry,
            Tags.of(ProxyMetrics.CLUSTER, name));
        this.registry = registry;
        this.connections = Gauge.builder(ProxyMetrics.CLUSTER_CONNECTIONS, clientChannels, ChannelGroup::size)
            .tag(ProxyMetrics.CLUSTER, name)
            .description("Open client connections of one virtual cluster")
            .register(registry);
        this.failover = new ClusterFailover(name, clusterId, failoverLoop, snapshots::current, new UpstreamSwitch(failoverLoop),
            connector.template(), responseLimit.maxMessageSizeBytes(), audit, registry, System::currentTimeMillis);
        if (initial.standby() != null || clusterId != null)
        {
            // The virtual cluster id changes at a switch so that KIP-1242 clients re-bootstrap; without a standby or
            // a configured id the brokers' own id is presented, as before issue 14.
            for (final BrokerNodeRegistry nodes : registries)
            {
                nodes.presentClusterId(failover::clusterId);
            }
        }
        if (initial.brokerTls() != null)
        {
            // Once at start: which implementation the broker handshakes run on, and whether the proxy logs in.
            LOGGER.atInfo()
                .addKeyValue("cluster", name)
                .addKeyValue("provider", initial.brokerTls().provider())
                .addKeyValue("login", initial.brokerLogin() == null ? "none" : initial.brokerLogin().mechanism().mechanismName())
                .log("brokers reached over TLS");
        }
    }

    /**
     * The cluster's name.
     *
     * @return the name, unique in the proxy.
     */
    String name()
    {
        return name;
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
            responseLimit.maxMessageSizeBytes(), snapshot.brokerTls(), snapshot.connectTimeoutMillis())
            .recordingApiVersions(brokerApiVersions).start();
        failover.start();
    }

    /**
     * The api versions the cluster's brokers advertise, as its node discovery last heard them.
     *
     * @return the versions; unknown until a discovery reached a broker.
     */
    BrokerApiVersions brokerApiVersions()
    {
        return brokerApiVersions;
    }

    /**
     * Asks the active upstream for its api versions now, unless they are known or were asked for lately (a routing
     * connection waits for them).
     *
     * @param executor where the discovery runs.
     */
    void learnApiVersions(final EventLoop executor)
    {
        if (brokerApiVersions.tryDemand(System.nanoTime()))
        {
            final ClusterSnapshot snapshot = snapshots.current();
            new BrokerNodeDiscovery(connector.template(), executor, snapshot.bootstrapServers(), nodes(),
                responseLimit.maxMessageSizeBytes(), snapshot.brokerTls(), snapshot.connectTimeoutMillis())
                .recordingApiVersions(brokerApiVersions).start();
        }
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
     * Stops what the cluster runs by itself (the failover probes), when the proxy stops.
     */
    void stopProbes()
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
                responseLimit.maxMessageSizeBytes(), upstream.brokerTls(), upstream.connectTimeoutMillis())
                .recordingApiVersions(brokerApiVersions).start();
            clientChannels.close();
        }
    }

    /**
     * Gives the cluster a produce mirror to a shadow cluster; connections accepted from now on offer it their
     * Produce requests. Nothing connects until {@link #startMirror()}.
     *
     * @param config   the cluster's {@code mirror} section, or null for none.
     * @param memory   the {@code memory} section, whose chunk size and backing the mirror's slice takes.
     * @param loop     the event loop the mirror's sender runs on.
     * @param registry where the mirror's meters live.
     * @throws IllegalArgumentException naming {@code mirror.tls} or {@code mirror.sasl} when their files do not load.
     */
    void attachMirror(final MirrorConfig config, final MemoryConfig memory, final EventLoop loop, final MeterRegistry registry)
    {
        if (config != null)
        {
            mirror = new ProduceMirror(config, memory, name, loop, connector.template(), policy.topicIds(), registry,
                responseLimit.maxMessageSizeBytes());
        }
    }

    /**
     * Starts the mirror learning the shadow's metadata, if the cluster has one.
     */
    void startMirror()
    {
        if (mirror != null)
        {
            mirror.start();
        }
    }

    /**
     * Closes the mirror's connections, if the cluster has one.
     */
    void closeMirror()
    {
        if (mirror != null)
        {
            mirror.close();
        }
    }

    /**
     * Where the cluster's connections offer their Produce requests.
     *
     * @return the mirror's tap, or {@link MirrorTap#NONE} without a mirror.
     */
    MirrorTap mirrorTap()
    {
        return mirror == null ? MirrorTap.NONE : mirror.tap();
    }

    /**
     * The cluster's produce mirror.
     *
     * @return the mirror, or null without one.
     */
    ProduceMirror mirror()
    {
        return mirror;
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
     * The node registry of the first listener: the one discovery feeds, which every listener of the cluster shares.
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
     * The meters of the cluster's connections and requests, which every connection it serves records into (a
     * routed one once it is routed).
     *
     * @return the cluster's meters, labelled with its name.
     */
    ProxyMetrics metrics()
    {
        return metrics;
    }

    /**
     * The cluster's bound listener channels (bootstrap and node ports); a port shared with other clusters' SNI
     * listeners is not among them.
     *
     * @return the thread-safe group.
     */
    ChannelGroup listenerChannels()
    {
        return listenerChannels;
    }

    /**
     * The cluster's open client connections.
     *
     * @return the thread-safe group; closed channels leave it by themselves.
     */
    ChannelGroup clientChannels()
    {
        return clientChannels;
    }

    /**
     * Stops the cluster, for a reload that removes it: closes its listeners, lets its connections finish the
     * requests they have read (up to the drain timeout), then closes what is left. Other clusters are not touched.
     * Called by the lifecycle thread; it waits.
     *
     * @param drainTimeout how long requests already read may take to be answered.
     * @param timeoutMillis how long to wait for channels to close.
     * @return how many connections were drained within the time.
     */
    int close(final Duration drainTimeout, final long timeoutMillis)
    {
        failover.close();
        listenerChannels.close().awaitUninterruptibly(timeoutMillis);
        final int drained = new ConnectionDrainer(clientChannels).drain(drainTimeout);
        clientChannels.close().awaitUninterruptibly(timeoutMillis);
        registry.remove(connections);
        metrics.close();
        closeMirror();
        // What else carries the cluster's label (policy, circuits, failover) goes with it: a removed cluster's series
        // would otherwise be exported until a restart.
        for (final Meter meter : registry.getMeters())
        {
            if (name.equals(meter.getId().getTag(ProxyMetrics.CLUSTER)))
            {
                registry.remove(meter);
            }
        }
        return drained;
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

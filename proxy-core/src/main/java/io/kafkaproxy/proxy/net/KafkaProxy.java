package io.kafkaproxy.proxy.net;

import io.kafkaproxy.mempool.MemoryPool;
import io.kafkaproxy.mempool.MemoryPoolSettings;
import io.kafkaproxy.mempool.MemoryPoolStats;
import io.kafkaproxy.proxy.admin.AdminServer;
import io.kafkaproxy.proxy.admin.BrokerReadinessProbe;
import io.kafkaproxy.proxy.admin.ClusterAdmin;
import io.kafkaproxy.proxy.admin.MemoryReadiness;
import io.kafkaproxy.proxy.audit.AuditLog;
import io.kafkaproxy.proxy.cluster.ClusterSnapshot;
import io.kafkaproxy.proxy.config.ClusterConfig;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.ListenerConfig;
import io.kafkaproxy.proxy.config.MemoryConfig;
import io.kafkaproxy.proxy.gateway.Gateway;
import io.kafkaproxy.proxy.gateway.GatewayNetwork;
import io.kafkaproxy.proxy.gateway.settings.GatewaySettings;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.config.RoutingConfig;
import io.kafkaproxy.proxy.connection.ConnectionLogLimits;
import io.kafkaproxy.proxy.failover.ClusterFailover;
import io.kafkaproxy.proxy.failover.FailoverStatus;
import io.kafkaproxy.proxy.failover.SwitchOutcome;
import io.kafkaproxy.proxy.failover.SwitchTrigger;
import io.kafkaproxy.proxy.memory.FramePromises;
import io.kafkaproxy.proxy.memory.PoolByteBufAllocator;
import io.kafkaproxy.proxy.metrics.CertificateExpiry;
import io.kafkaproxy.proxy.metrics.JvmMetricsBinding;
import io.kafkaproxy.proxy.metrics.PolicyMetrics;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.mirror.ProduceMirror;
import io.kafkaproxy.proxy.routing.BrokerNodeRegistry;
import io.kafkaproxy.proxy.routing.ClusterRoutes;
import io.kafkaproxy.proxy.sasl.FailedLoginLimiter;
import io.kafkaproxy.proxy.sasl.SaslCredentials;
import io.kafkaproxy.proxy.tls.ClientTlsContext;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.agrona.concurrent.SystemNanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A running proxy's lifecycle: it starts its parts in order (event loops, memory pool, cluster contexts, listeners,
 * node discovery, meters, admin listener) and closes them in the reverse order, draining connections on the way.
 *
 * <p>This is the lifecycle API the command line, the demo and the tests use: {@link #builder} then
 * {@link KafkaProxyBuilder#start()}, {@link #reconfigure}, and {@link #close()}. Start, reconfigure and close are called
 * from an ordinary thread, never from an event loop. What belongs to one upstream cluster is in its
 * {@link ClusterContext}; the proxy holds a list of them, one per virtual cluster, which a reload may change.
 *
 * <p>A little over 400 lines: half of it is the documented accessors of the lifecycle API that the command line and
 * the tests use; the rest is the start and close order, which reads best in one place.
 */
public final class KafkaProxy implements AutoCloseable
{
    private static final Logger LOGGER = LoggerFactory.getLogger(KafkaProxy.class);
    private static final long SHUTDOWN_TIMEOUT_MILLIS = 5_000;
    /** The name of the one cluster of a file in the single-cluster form (top-level {@code upstream}). */
    public static final String DEFAULT_CLUSTER_NAME = ClusterConfig.DEFAULT_NAME;

    private volatile ProxyConfig config;
    private final Transport transport;
    private final ProxyEventLoops eventLoops;
    private final ChannelGroup clientChannels;
    private final DnsAddressResolverGroup resolver;
    private final ProxyMetrics metrics;
    private final MemoryPool memoryPool;
    private final AuditLog audit;
    // Replaced whole by a reload that adds or removes a cluster (on the reload thread); read by any thread.
    private volatile List<ClusterContext> clusters;
    private final PoolByteBufAllocator allocator;
    private final ProxyListeners listeners;
    private final ConnectionServices services;
    private final ConnectionDrainer drainer;
    private final BrokerReadinessProbe readinessProbe;
    private final MemoryReadiness memoryReadiness;
    private final MeterRegistry meterRegistry;
    private final JvmMetricsBinding jvmMetrics = new JvmMetricsBinding();
    private final long startNanos;
    private AdminServer adminServer;
    private Gateway gateway;
    private volatile InetSocketAddress bootstrapAddress;
    private final Map<String, InetSocketAddress> bootstrapAddresses = new ConcurrentHashMap<>();
    private volatile boolean stopping;

    private KafkaProxy(final KafkaProxyBuilder builder)
    {
        this.startNanos = System.nanoTime();
        this.config = builder.config();
        this.transport = Transport.of(config.network().transport()).withSocketOptions(config.network());
        this.eventLoops = new ProxyEventLoops(transport, config.network().ioThreads());
        this.clientChannels = new DefaultChannelGroup("kafka-proxy-clients", GlobalEventExecutor.INSTANCE);
        this.resolver = new DnsAddressResolverGroup(new DnsNameResolverBuilder()
            .datagramChannelType(transport.datagramChannelClass())
            .socketChannelType(transport.socketChannelClass()));
        this.meterRegistry = builder.meterRegistry() != null ? builder.meterRegistry() :
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        JvmMetricsBinding.lintCleanNames(meterRegistry);
        this.metrics = new ProxyMetrics(meterRegistry);
        this.memoryPool = new MemoryPool(poolSettings(config.memory(), gatewayMemorySlice(config) + mirrorMemorySlice(config)));
        metrics.bindMemoryPool(memoryPool);
        this.allocator = new PoolByteBufAllocator(memoryPool, FramePromises.forPool(memoryPool,
            config.memory().frameTimeout(), config.memory().minFrameBytesPerSecond()));
        metrics.bindFramePromises(allocator.framePromises(), FramePromises::promisedBytes, FramePromises::timedOutFrames);
        this.audit = new AuditLog(config.audit(), meterRegistry);
        audit.start();
        this.services = new ConnectionServices(allocator, metrics, clientChannels, builder.pipelineCustomizer(),
            new ConnectionLogLimits(SystemNanoClock.INSTANCE), config.network().cutThrough());
        this.listeners = new ProxyListeners(eventLoops.acceptor(), eventLoops.io(), transport, services);
        final List<ClusterContext> contexts = new ArrayList<>(config.clusters().size());
        for (int i = 0; i < config.clusters().size(); i++)
        {
            contexts.add(newCluster(config, i, ClusterSnapshot.compile(config, config.clusters().get(i))));
        }
        this.clusters = List.copyOf(contexts);
        publishTlsMetrics();
        this.drainer = new ConnectionDrainer(clientChannels);
        this.readinessProbe = new BrokerReadinessProbe(eventLoops.acceptor());
        this.memoryReadiness = new MemoryReadiness(memoryPool, MemoryReadiness.DEFAULT_GRACE);
        // One thread only, as the pool asks; the acceptor loop has the least to do.
        eventLoops.acceptor().next().scheduleAtFixedRate(memoryPool::releaseIdleMemory, 1, 1, TimeUnit.SECONDS);
    }

    private static List<InetAddress> bindAddresses(final List<ListenerConfig> listenerConfigs, final List<String> paths)
    {
        final List<InetAddress> addresses = new ArrayList<>(listenerConfigs.size());
        for (int i = 0; i < listenerConfigs.size(); i++)
        {
            final HostPort bind = listenerConfigs.get(i).bindAddress();
            try
            {
                // At start, off the event loops: the one blocking name lookup of a listener.
                addresses.add(InetAddress.getByName(bind.host()));
            }
            catch (final UnknownHostException e)
            {
                throw new ProxyStartException("cannot resolve the bind host: " + paths.get(i) +
                    ".bindAddress=" + bind, e);
            }
        }
        return addresses;
    }

    private ClusterContext newCluster(final ProxyConfig config, final int index, final ClusterSnapshot initial)
    {
        final ClusterConfig cluster = config.clusters().get(index);
        final List<ListenerConfig> listenerConfigs = cluster.allListeners();
        final List<String> paths = new ArrayList<>(listenerConfigs.size());
        for (int i = 0; i < listenerConfigs.size(); i++)
        {
            paths.add(config.clusterPath(index) + ProxyConfig.listenerPath(i));
        }
        final ClusterContext context = new ClusterContext(cluster.name(), cluster.clusterId(), eventLoops.acceptor().next(),
            listenerConfigs, paths, bindAddresses(listenerConfigs, paths), initial, transport, resolver, allocator, audit,
            new PolicyMetrics(meterRegistry, cluster.name()), metrics.forCluster(cluster.name()), meterRegistry, listeners, eventLoops.acceptor().next());
        // The mirror's sender gets an acceptor loop, as node discovery does: it competes with no client's I/O.
        context.attachMirror(cluster.mirror(), config.memory(), eventLoops.acceptor().next(), meterRegistry);
        return context;
    }

    private static long gatewayMemorySlice(final ProxyConfig config)
    {
        // The gateway producer's budget is part of the one memory budget (validated by ProxyConfig).
        if (config.http() == null && config.mqtt() == null)
        {
            return 0;
        }
        // Whole chunks, as the pool is made of them.
        final long chunk = config.memory().chunkSizeBytes();
        return (config.gateway().producer().bufferMemoryBytes() + chunk - 1) / chunk * chunk;
    }

    private static long mirrorMemorySlice(final ProxyConfig config)
    {
        // The mirrors' slices are part of the one memory budget too (validated by ProxyConfig).
        return config.mirrorSlicesBytes();
    }

    private static MemoryPoolSettings poolSettings(final MemoryConfig memory, final long gatewaySlice)
    {
        return new MemoryPoolSettings(memory.poolSizeBytes() - gatewaySlice, memory.chunkSizeBytes(),
            MemoryPoolSettings.defaultReadReserveBytes(memory.chunkSizeBytes()),
            memory.backing() == MemoryConfig.Backing.DIRECT ? MemoryPoolSettings.Backing.DIRECT : MemoryPoolSettings.Backing.MAPPED_FILE,
            memory.mappedFileDirectory());
    }

    /**
     * Starts describing a proxy.
     *
     * @param config the configuration.
     * @return a builder.
     */
    public static KafkaProxyBuilder builder(final ProxyConfig config)
    {
        return new KafkaProxyBuilder(config);
    }

    private void bindBootstrapListeners()
    {
        // Listeners routed by SNI on one port (validated disjoint) share its socket; every other listener has its own.
        final Map<Integer, List<ListenerContext>> sniPorts = new HashMap<>();
        for (final ClusterContext cluster : clusters)
        {
            for (final ListenerContext listener : cluster.listeners())
            {
                final int port = listener.config().bindAddress().port();
                if (listener.sniHostNames() != null && port != 0)
                {
                    sniPorts.computeIfAbsent(port, key -> new ArrayList<>()).add(listener);
                }
            }
        }
        final Map<Integer, InetSocketAddress> sharedBound = new HashMap<>();
        for (final ClusterContext cluster : clusters)
        {
            bindBootstrapListeners(cluster, sniPorts, sharedBound);
        }
    }

    private void bindBootstrapListeners(
        final ClusterContext cluster, final Map<Integer, List<ListenerContext>> sniPorts,
        final Map<Integer, InetSocketAddress> sharedBound)
    {
        for (final ListenerContext listener : cluster.listeners())
        {
            final HostPort bind = listener.config().bindAddress();
            final List<ListenerContext> sharing = sniPorts.get(bind.port());
            final InetSocketAddress bound;
            try
            {
                if (sharing != null && sharing.size() > 1)
                {
                    final InetSocketAddress earlier = sharedBound.get(bind.port());
                    bound = earlier != null ? earlier : listeners.bindSharedSniListener(sharing);
                    sharedBound.put(bind.port(), bound);
                }
                else
                {
                    bound = listeners.bindBootstrapListener(listener);
                }
            }
            catch (final Exception e)
            {
                // Exception, not RuntimeException: Netty's syncUninterruptibly rethrows a bind's IOException unchecked.
                throw new ProxyStartException("cannot bind the bootstrap listener: " + listener.path() + ".bindAddress=" +
                    bind + ": " + e.getMessage(), e);
            }
            bootstrapAddresses.put(listener.name(), bound);
            if (bootstrapAddress == null)
            {
                bootstrapAddress = bound;
            }
            LOGGER.atInfo()
                .addKeyValue("cluster", cluster.name())
                .addKeyValue("listener", listener.name())
                .addKeyValue("bindAddress", bind.host() + ":" + bound.getPort())
                .addKeyValue("advertisedHost", listener.config().advertisedHost())
                .addKeyValue("nodePorts", listener.config().bindsNodePorts() ? listener.config().nodePorts() : "none: sni")
                .addKeyValue("upstream", cluster.snapshot().bootstrapServers())
                .addKeyValue("transport", transport.name())
                .addKeyValue("tls", tlsName(cluster.snapshot().clientTls(listener.name())))
                .addKeyValue("ioThreads", config.network().ioThreads())
                .addKeyValue("startupMillis", startupMillis())
                .log("bootstrap listener bound");
        }
    }

    private void bindRoutingListener()
    {
        final RoutingConfig routing = config.routing();
        if (routing == null)
        {
            return;
        }
        final ListenerConfig listener = routing.listener();
        final HostPort bind = listener.bindAddress();
        final InetSocketAddress bound;
        try
        {
            final ClientTlsContext tls = listener.tls() == null ? null :
                ClientTlsContext.compile(listener.tls(), "routing.listener.tls", listener.name());
            // Refused connections of no cluster: labelled with an empty cluster, as every meter of the name has one.
            final Counter unrouted = Counter.builder(PolicyMetrics.CONNECTIONS_REJECTED)
                .tag(ProxyMetrics.REASON, ClusterRoutingHandler.REJECTED_REASON)
                .tag(ProxyMetrics.CLUSTER, "")
                .description("Client connections refused by a connection limit")
                .register(meterRegistry);
            final ClusterRoutes routes = ClusterRoutes.compile(routing);
            // The routing section is restart-only: its credential files are read once, here.
            final RoutingListenerContext saslRouting = listener.sasl() == null ? null : new RoutingListenerContext(
                listener.name(), supplierOf(SaslCredentials.load(listener.sasl(), "routing.listener.sasl")),
                new FailedLoginLimiter(), this::cluster, routes.clusterNames(), unrouted::increment,
                services.logLimits()::tryAcquireNoRoute, config.network().maxRequestSizeBytes());
            final RoutingChannelInitializer initializer = new RoutingChannelInitializer(listener.name(), tls,
                routes, this::cluster, services, unrouted::increment,
                config.network().maxRequestSizeBytes(), config.network().idleTimeout().toMillis(), saslRouting);
            // At start, off the event loops: the one blocking name lookup of the listener.
            bound = listeners.bindRoutingListener(new InetSocketAddress(InetAddress.getByName(bind.host()), bind.port()),
                initializer);
        }
        catch (final Exception e)
        {
            // Exception, not RuntimeException: Netty's syncUninterruptibly rethrows a bind's IOException unchecked.
            throw new ProxyStartException("cannot bind the routing listener: routing.listener.bindAddress=" + bind + ": " +
                e.getMessage(), e);
        }
        bootstrapAddresses.put(listener.name(), bound);
        LOGGER.atInfo()
            .addKeyValue("listener", listener.name())
            .addKeyValue("bindAddress", bind.host() + ":" + bound.getPort())
            .addKeyValue("advertisedHost", listener.advertisedHost())
            .addKeyValue("rules", routing.rules().size())
            .addKeyValue("defaultCluster", routing.defaultCluster())
            .addKeyValue("tls", listener.tls() == null ? "none" : "on")
            .addKeyValue("sasl", listener.sasl() == null ? "none" : listener.sasl().mechanisms())
            .log("routing listener bound");
    }

    private static Supplier<SaslCredentials> supplierOf(final SaslCredentials credentials)
    {
        return () -> credentials;
    }

    private void startGateway()
    {
        final ClusterContext cluster = cluster(config.gatewayCluster().name());
        gateway = Gateway.start(config, cluster::snapshot, cluster.failover(), meterRegistry,
            new GatewayNetwork(eventLoops.acceptor(), eventLoops.io(), transport.serverChannelClass()));
    }

    /**
     * The HTTP and MQTT gateway.
     *
     * @return the gateway; null when the configuration has neither an {@code http} nor an {@code mqtt} section.
     */
    public Gateway gateway()
    {
        return gateway;
    }

    private void discoverNodes()
    {
        for (final ClusterContext cluster : clusters)
        {
            cluster.discoverNodes(eventLoops.acceptor().next());
            cluster.startMirror();
        }
    }

    private void startAdmin()
    {
        // JVM and process meters load the management beans: after the listeners, off the start-up path clients wait on.
        jvmMetrics.bindTo(meterRegistry);
        if (!config.admin().enabled())
        {
            return;
        }
        if (!(meterRegistry instanceof PrometheusMeterRegistry))
        {
            throw new IllegalStateException("the admin listener exports a Prometheus registry; this proxy was given a " +
                meterRegistry.getClass().getSimpleName());
        }
        final HostPort bind = config.admin().bindAddress();
        adminServer = AdminServer.bind(eventLoops.startAdmin(), transport.serverChannelClass(),
            new InetSocketAddress(bind.host(), bind.port()), (PrometheusMeterRegistry)meterRegistry, this::readiness,
            new ClusterSwitches());
    }

    /**
     * Whether the proxy can serve clients: its bootstrap listener is bound, its memory pool has not been under
     * pressure (clients not read) for more than a few seconds, and, of every cluster, one upstream bootstrap server
     * accepts a TCP connection within the connect timeout.
     *
     * @return completes with null when ready, else with the reason.
     */
    public CompletionStage<String> readiness()
    {
        if (stopping)
        {
            return CompletableFuture.completedFuture("stopping");
        }
        if (bootstrapAddress == null)
        {
            return CompletableFuture.completedFuture("the bootstrap listener is not bound");
        }
        final String memory = memoryReadiness.check();
        if (memory != null)
        {
            return CompletableFuture.completedFuture(memory);
        }
        CompletionStage<String> ready = CompletableFuture.completedFuture(null);
        for (final ClusterContext cluster : clusters)
        {
            // One cluster after the other, the first unready one named: the probes are few and short.
            ready = ready.thenCompose(reason -> reason != null ? CompletableFuture.completedFuture(reason) :
                readinessProbe.probe(cluster.connector().template(), cluster.snapshot().bootstrapServers())
                    .thenApply(notReady -> notReady == null || clusters.size() == 1 ? notReady :
                        "cluster " + cluster.name() + ": " + notReady));
        }
        return ready;
    }

    /**
     * The admin listener's address, when it runs.
     *
     * @return its bound address, or null when {@code admin.enabled} is false.
     */
    public InetSocketAddress adminAddress()
    {
        return adminServer == null ? null : adminServer.address();
    }

    /**
     * The produce mirror of the first cluster.
     *
     * @return the mirror, or null when the configuration has no {@code mirror} section.
     */
    public ProduceMirror mirror()
    {
        return clusters.get(0).mirror();
    }

    /**
     * The registry the proxy's meters live in.
     *
     * @return the registry.
     */
    public MeterRegistry meterRegistry()
    {
        return meterRegistry;
    }

    private long startupMillis()
    {
        // From the process's start when the OS tells it (JVM start-up included), else from this object's.
        return ProcessHandle.current().info().startInstant()
            .map(started -> System.currentTimeMillis() - started.toEpochMilli())
            .orElseGet(() -> TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
    }

    /**
     * The socket transport the proxy runs on: what {@code network.transport} asked for, or its fallback.
     *
     * @return {@code epoll}, {@code io_uring} or {@code nio}.
     */
    public String transportName()
    {
        return transport.name();
    }

    /**
     * The bootstrap listener's bound address (useful when it was configured with port 0).
     *
     * @return the local address of the bootstrap listener of the {@code listener} section.
     */
    public InetSocketAddress bootstrapAddress()
    {
        return bootstrapAddress;
    }

    /**
     * A listener's bound bootstrap address.
     *
     * @param listenerName the listener's name ({@code default} for an unnamed {@code listener} section).
     * @return its local address, or null if no listener of that name is bound.
     */
    public InetSocketAddress bootstrapAddress(final String listenerName)
    {
        return bootstrapAddresses.get(listenerName);
    }

    /**
     * The address clients should use as {@code bootstrap.servers}.
     *
     * @return advertised host and bootstrap port of the {@code listener} section.
     */
    public String advertisedBootstrapServers()
    {
        return new HostPort(config.listener().advertisedHost(), bootstrapAddress.getPort()).toString();
    }

    /**
     * The address clients of one listener should use as {@code bootstrap.servers}.
     *
     * @param listenerName the listener's name.
     * @return its advertised host and bootstrap port.
     * @throws IllegalArgumentException if no listener has that name.
     */
    public String advertisedBootstrapServers(final String listenerName)
    {
        if (config.routing() != null && config.routing().listener().name().equals(listenerName))
        {
            return new HostPort(config.routing().listener().advertisedHost(),
                bootstrapAddresses.get(listenerName).getPort()).toString();
        }
        final ListenerContext listener = listener(listenerName);
        return new HostPort(listener.advertisedBootstrapHost(), bootstrapAddresses.get(listenerName).getPort()).toString();
    }

    /**
     * The broker nodes met so far and their listeners (of the first cluster's first listener).
     *
     * @return the registry.
     */
    public BrokerNodeRegistry nodes()
    {
        return clusters.get(0).nodes();
    }

    /**
     * The broker nodes met so far and the ports one listener advertises them under.
     *
     * @param listenerName the listener's name.
     * @return its registry.
     * @throws IllegalArgumentException if no listener has that name.
     */
    public BrokerNodeRegistry nodes(final String listenerName)
    {
        return listener(listenerName).nodes();
    }

    private ListenerContext listener(final String listenerName)
    {
        for (final ClusterContext cluster : clusters)
        {
            for (final ListenerContext listener : cluster.listeners())
            {
                if (listener.name().equals(listenerName))
                {
                    return listener;
                }
            }
        }
        throw new IllegalArgumentException("no listener named " + listenerName);
    }

    private ClusterContext cluster(final String clusterName)
    {
        for (final ClusterContext cluster : clusters)
        {
            if (cluster.name().equals(clusterName))
            {
                return cluster;
            }
        }
        throw new IllegalArgumentException("no cluster named " + clusterName);
    }

    /**
     * The broker nodes met so far of one cluster, as its first listener advertises them.
     *
     * @param clusterName the cluster's name.
     * @return its registry.
     * @throws IllegalArgumentException if no cluster has that name.
     */
    public BrokerNodeRegistry clusterNodes(final String clusterName)
    {
        return cluster(clusterName).nodes();
    }

    /**
     * The failover state of every cluster, by name: the handle the admin API and the tests switch clusters with.
     *
     * @return the clusters' failover states, in configuration order.
     */
    public List<ClusterFailover> clusterFailovers()
    {
        return clusters.stream().map(ClusterContext::failover).toList();
    }

    /**
     * The failover state of one cluster.
     *
     * @param clusterName the cluster's name ({@value #DEFAULT_CLUSTER_NAME} for the top-level {@code upstream}).
     * @return its failover state, or null if no cluster has that name.
     */
    public ClusterFailover clusterFailover(final String clusterName)
    {
        for (final ClusterContext cluster : clusters)
        {
            if (cluster.failover().name().equals(clusterName))
            {
                return cluster.failover();
            }
        }
        return null;
    }

    /**
     * The proxy's meters.
     *
     * @return the metrics.
     */
    public ProxyMetrics metrics()
    {
        return metrics;
    }

    /**
     * The memory pool's accounting now.
     *
     * @return a snapshot of the pool's figures.
     */
    public MemoryPoolStats memoryStats()
    {
        return memoryPool.stats();
    }

    /**
     * The configuration the proxy runs with.
     *
     * @return the configuration.
     */
    public ProxyConfig config()
    {
        return config;
    }

    /**
     * Applies the settings of a new configuration that can change while connections stay open (see
     * {@link ClusterSnapshot}): compiles each cluster's snapshot and publishes it to that cluster.
     *
     * @param newConfig the new configuration, validated, whose restart-only settings are the running ones (as a
     *                  reload plan makes them).
     * @throws IllegalArgumentException if its rules do not compile; nothing is published then.
     */
    public void reconfigure(final ProxyConfig newConfig)
    {
        publish(newConfig, ClusterSnapshot.compile(newConfig));
    }

    /**
     * Applies a new configuration's clusters: compiles the snapshot of each cluster that changed (and of each that
     * reads files, which a reload re-reads), builds and binds each cluster that is new, publishes each changed
     * snapshot to its cluster only, then closes each cluster that is gone (its listeners, then its connections,
     * drained as at stop). A cluster that did not change keeps its snapshot object and its connections. Connections
     * take a new snapshot at their next request, connect or accept.
     *
     * @param newConfig the configuration, validated, whose clusters that also run keep their restart-only settings
     *                  (as a reload plan makes them).
     * @param snapshot  the first cluster's snapshot, compiled from it.
     * @throws IllegalArgumentException if a cluster's rules do not compile, or a new cluster's listener cannot be
     *                                  bound; nothing is published then, and no cluster is added or removed.
     */
    public void publish(final ProxyConfig newConfig, final ClusterSnapshot snapshot)
    {
        final ProxyConfig running = config;
        final List<ClusterContext> before = clusters;
        final List<ClusterConfig> next = newConfig.clusters();
        final List<ClusterSnapshot> snapshots = new ArrayList<>(next.size());
        for (int i = 0; i < next.size(); i++)
        {
            final ClusterConfig cluster = next.get(i);
            final ClusterConfig runningCluster = running.cluster(cluster.name());
            if (runningCluster != null && !needsNewSnapshot(running, newConfig, runningCluster, cluster))
            {
                snapshots.add(null);
            }
            else
            {
                snapshots.add(i == 0 ? snapshot : ClusterSnapshot.compile(newConfig, cluster));
            }
        }
        final List<ClusterContext> added = new ArrayList<>();
        final List<ClusterContext> after = new ArrayList<>(next.size());
        try
        {
            for (int i = 0; i < next.size(); i++)
            {
                final ClusterContext existing = find(before, next.get(i).name());
                if (existing != null)
                {
                    after.add(existing);
                    continue;
                }
                final ClusterContext cluster = newCluster(newConfig, i, snapshots.get(i));
                added.add(cluster);
                after.add(cluster);
                bindBootstrapListeners(cluster, Map.of(), new HashMap<>());
            }
        }
        catch (final RuntimeException e)
        {
            for (final ClusterContext cluster : added)
            {
                cluster.close(Duration.ZERO, SHUTDOWN_TIMEOUT_MILLIS);
            }
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        for (int i = 0; i < next.size(); i++)
        {
            if (snapshots.get(i) != null && !added.contains(after.get(i)))
            {
                after.get(i).publish(snapshots.get(i));
            }
        }
        clusters = List.copyOf(after);
        config = newConfig;
        for (final ClusterContext cluster : added)
        {
            cluster.discoverNodes(eventLoops.acceptor().next());
            cluster.startMirror();
            LOGGER.atInfo().addKeyValue("cluster", cluster.name()).log("cluster added");
        }
        for (final ClusterContext cluster : before)
        {
            if (!after.contains(cluster))
            {
                for (final ListenerContext listener : cluster.listeners())
                {
                    bootstrapAddresses.remove(listener.name());
                }
                final int drained = cluster.close(newConfig.shutdown().drainTimeout(), SHUTDOWN_TIMEOUT_MILLIS);
                LOGGER.atInfo()
                    .addKeyValue("cluster", cluster.name())
                    .addKeyValue("drainedConnections", drained)
                    .log("cluster removed");
            }
        }
        publishTlsMetrics();
    }

    /**
     * Whether a running cluster needs a new snapshot: its section changed, a proxy-wide setting its snapshot holds
     * changed, or it names files (TLS material, credentials), which every reload re-reads. A proxy of one cluster
     * always publishes, as it did before clusters.
     */
    private static boolean needsNewSnapshot(
        final ProxyConfig running, final ProxyConfig next, final ClusterConfig runningCluster, final ClusterConfig nextCluster)
    {
        if (next.clusters().size() == 1 || !runningCluster.equals(nextCluster) || readsFiles(nextCluster))
        {
            return true;
        }
        final boolean gatewayCluster = nextCluster.name().equals(next.gatewayCluster().name());
        return running.network().maxRequestSizeBytes() != next.network().maxRequestSizeBytes() ||
            running.network().maxResponseSizeBytes() != next.network().maxResponseSizeBytes() ||
            !running.network().idleTimeout().equals(next.network().idleTimeout()) ||
            !running.audit().equals(next.audit()) ||
            gatewayCluster && (!Objects.equals(running.http(), next.http()) || !Objects.equals(running.mqtt(), next.mqtt()) ||
                !running.gatewayCluster().name().equals(nextCluster.name()));
    }

    private static boolean readsFiles(final ClusterConfig cluster)
    {
        for (final ListenerConfig listener : cluster.allListeners())
        {
            if (listener.tls() != null || listener.sasl() != null)
            {
                return true;
            }
        }
        return cluster.upstream().tls() != null || cluster.upstream().sasl() != null;
    }

    private static ClusterContext find(final List<ClusterContext> clusters, final String name)
    {
        for (final ClusterContext cluster : clusters)
        {
            if (cluster.name().equals(name))
            {
                return cluster;
            }
        }
        return null;
    }

    /**
     * The snapshot a cluster's connections read now.
     *
     * @param clusterName the cluster's name.
     * @return its snapshot.
     * @throws IllegalArgumentException if no cluster has that name.
     */
    public ClusterSnapshot clusterSnapshot(final String clusterName)
    {
        return cluster(clusterName).snapshot();
    }

    private void publishTlsMetrics()
    {
        final List<CertificateExpiry> brokerCertificates = new ArrayList<>();
        for (final ClusterContext cluster : clusters)
        {
            final ClusterSnapshot snapshot = cluster.snapshot();
            for (final ListenerContext listener : cluster.listeners())
            {
                final ClientTlsContext tls = snapshot.clientTls(listener.name());
                metrics.onTlsCertificatesLoaded(listener.name(), tls == null ? List.of() : tls.certificates());
            }
            if (snapshot.brokerTls() != null)
            {
                brokerCertificates.addAll(snapshot.brokerTls().certificates());
            }
        }
        final GatewaySettings gatewaySettings = cluster(config.gatewayCluster().name()).snapshot().gateway();
        if (gatewaySettings != null && gatewaySettings.httpTls() != null)
        {
            metrics.onTlsCertificatesLoaded(GatewaySettings.HTTP_LISTENER, gatewaySettings.httpTls().certificates());
        }
        if (gatewaySettings != null && gatewaySettings.mqttTls() != null)
        {
            metrics.onTlsCertificatesLoaded(GatewaySettings.MQTT_LISTENER, gatewaySettings.mqttTls().certificates());
        }
        metrics.onBrokerTlsCertificatesLoaded(brokerCertificates);
    }

    private static String tlsName(final ClientTlsContext tls)
    {
        return tls == null ? "none" : tls.providerName();
    }

    /**
     * Stops: closes the listeners, lets every connection finish the requests it has read (up to
     * {@code shutdown.drainTimeout}), closes what is left, and stops the event loops. Idempotent.
     */
    @Override
    public void close()
    {
        close(config.shutdown().drainTimeout());
    }

    /**
     * Stops, draining connections for at most the given time.
     *
     * @param drainTimeout how long requests already read may take to be answered.
     */
    public void close(final Duration drainTimeout)
    {
        synchronized (this)
        {
            if (stopping)
            {
                return;
            }
            stopping = true;
        }
        LOGGER.atInfo()
            .addKeyValue("bindAddress", bootstrapAddress)
            .addKeyValue("openConnections", clientChannels.size())
            .addKeyValue("drainTimeout", drainTimeout)
            .log("stopping");
        listeners.close(SHUTDOWN_TIMEOUT_MILLIS);
        for (final ClusterContext cluster : clusters)
        {
            cluster.stopProbes();
        }
        if (gateway != null)
        {
            gateway.close();
        }
        final double unansweredBefore = metrics.requestsUnanswered();
        final int drained = drainer.drain(drainTimeout);
        final int forced = clientChannels.size();
        clientChannels.close().awaitUninterruptibly(SHUTDOWN_TIMEOUT_MILLIS);
        if (adminServer != null)
        {
            adminServer.close();
        }
        for (final ClusterContext cluster : clusters)
        {
            cluster.closeMirror();
        }
        eventLoops.shutdown(SHUTDOWN_TIMEOUT_MILLIS);
        resolver.close();
        memoryPool.close();
        audit.close();
        jvmMetrics.close();
        LOGGER.atInfo()
            .addKeyValue("drainedConnections", drained)
            .addKeyValue("closedAfterDrainTimeout", forced)
            .addKeyValue("unansweredRequests", (long)(metrics.requestsUnanswered() - unansweredBefore))
            .log("stopped");
    }

    /**
     * Starts a proxy in order: its parts, the bootstrap listener, node discovery, then the meters and admin
     * listener; on a failure, closes what started.
     */
    static KafkaProxy start(final KafkaProxyBuilder builder)
    {
        final ProxyConfig config = builder.config();
        final KafkaProxy proxy = new KafkaProxy(builder);
        try
        {
            proxy.bindBootstrapListeners();
            proxy.bindRoutingListener();
            proxy.startGateway();
        }
        catch (final ProxyStartException e)
        {
            proxy.close();
            throw e;
        }
        catch (final RuntimeException e)
        {
            proxy.close();
            throw new ProxyStartException("cannot start the gateway: " + e.getMessage(), e);
        }
        try
        {
            proxy.discoverNodes();
            proxy.startAdmin();
            return proxy;
        }
        catch (final Exception e)
        {
            // Exception, not RuntimeException: Netty's syncUninterruptibly rethrows a bind's IOException unchecked.
            proxy.close();
            throw new ProxyStartException("cannot bind the admin listener: admin.bindAddress=" + config.admin().bindAddress() +
                ": " + e.getMessage(), e);
        }
    }

    /**
     * The admin API's handle on the clusters: their state, and the operator's switches, by cluster name.
     */
    private final class ClusterSwitches implements ClusterAdmin
    {
        @Override
        public List<FailoverStatus> clusters()
        {
            return clusterFailovers().stream().map(ClusterFailover::status).toList();
        }

        @Override
        public CompletionStage<SwitchOutcome> failover(final String name, final String reason)
        {
            final ClusterFailover cluster = clusterFailover(name);
            return cluster == null ? null : cluster.failover(SwitchTrigger.MANUAL, reason);
        }

        @Override
        public CompletionStage<SwitchOutcome> failback(final String name, final String reason)
        {
            final ClusterFailover cluster = clusterFailover(name);
            return cluster == null ? null : cluster.failback(SwitchTrigger.MANUAL, reason);
        }
    }

    /**
     * The proxy could not start.
     */
    public static final class ProxyStartException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        ProxyStartException(final String message, final Throwable cause)
        {
            super(message, cause);
        }
    }
}

package io.kafkaproxy.proxy.net;

import io.kafkaproxy.mempool.MemoryPool;
import io.kafkaproxy.mempool.MemoryPoolSettings;
import io.kafkaproxy.mempool.MemoryPoolStats;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.MemoryConfig;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.memory.PoolByteBufAllocator;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.routing.BootstrapTarget;
import io.kafkaproxy.proxy.routing.BrokerNodeRegistry;
import io.kafkaproxy.proxy.routing.BrokerTarget;
import io.kafkaproxy.proxy.routing.NodeTarget;
import io.kafkaproxy.proxy.routing.BrokerNodeDiscovery;
import io.micrometer.core.instrument.MeterRegistry;
import io.kafkaproxy.proxy.admin.AdminServer;
import io.kafkaproxy.proxy.audit.AuditLog;
import io.kafkaproxy.proxy.circuit.BrokerCircuitBreakers;
import io.kafkaproxy.proxy.metrics.PolicyMetrics;
import io.kafkaproxy.proxy.policy.PolicyServices;
import io.kafkaproxy.proxy.connection.DrainEvent;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A running proxy: its event loops, its bootstrap listener and the listeners of the broker nodes it has met.
 *
 * <p>This is the lifecycle API the command line, the demo and the tests use: {@link #builder} then
 * {@link Builder#start()}, and {@link #close()}. Start and close are called from an ordinary thread, never from
 * an event loop.
 */
public final class KafkaProxy implements AutoCloseable
{
    private static final Logger LOGGER = LoggerFactory.getLogger(KafkaProxy.class);
    private static final long SHUTDOWN_QUIET_MILLIS = 0;
    private static final long SHUTDOWN_TIMEOUT_MILLIS = 5_000;
    private static final long DRAIN_POLL_MILLIS = 10;

    private volatile ProxyConfig config;
    private final LiveSettings settings;
    private final Transport transport;
    private final EventLoopGroup acceptorGroup;
    private final EventLoopGroup ioGroup;
    private final ChannelGroup listenerChannels;
    private final ChannelGroup clientChannels;
    private final DnsAddressResolverGroup resolver;
    private final InetAddress bindAddress;
    private final ProxyMetrics metrics;
    private final MemoryPool memoryPool;
    private final PoolByteBufAllocator allocator;
    private final BrokerNodeRegistry nodes;
    private final NettyBrokerConnector connector;
    private final ConnectionServices services;
    private final AuditLog audit;
    private final PolicyServices policy;
    private final BrokerCircuitBreakers breakers;
    private final MeterRegistry meterRegistry;
    private final List<AutoCloseable> meterBinders = new ArrayList<>();
    private final long startNanos;
    private EventLoopGroup adminGroup;
    private AdminServer adminServer;
    private volatile InetSocketAddress bootstrapAddress;
    private volatile boolean stopping;

    private KafkaProxy(final Builder builder) throws UnknownHostException
    {
        this.startNanos = System.nanoTime();
        this.config = builder.config;
        this.settings = new LiveSettings(config);
        this.transport = Transport.detect();
        this.bindAddress = InetAddress.getByName(config.listener().bindAddress().host());
        this.acceptorGroup = new MultiThreadIoEventLoopGroup(1,
            new DefaultThreadFactory("kafka-proxy-acceptor"), transport.ioHandlerFactory());
        this.ioGroup = new MultiThreadIoEventLoopGroup(config.network().ioThreads(),
            new DefaultThreadFactory("kafka-proxy-io"), transport.ioHandlerFactory());
        this.listenerChannels = new DefaultChannelGroup("kafka-proxy-listeners", GlobalEventExecutor.INSTANCE);
        this.clientChannels = new DefaultChannelGroup("kafka-proxy-clients", GlobalEventExecutor.INSTANCE);
        this.resolver = new DnsAddressResolverGroup(new DnsNameResolverBuilder()
            .datagramChannelType(transport.datagramChannelClass())
            .socketChannelType(transport.socketChannelClass()));
        this.meterRegistry = builder.meterRegistry != null ? builder.meterRegistry :
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        lintCleanNames(meterRegistry);
        this.metrics = new ProxyMetrics(meterRegistry);
        this.memoryPool = new MemoryPool(poolSettings(config.memory()));
        metrics.bindMemoryPool(memoryPool);
        this.allocator = new PoolByteBufAllocator(memoryPool);
        final EventExecutor acceptor = acceptorGroup.next();
        this.nodes = new BrokerNodeRegistry(
            config.listener().advertisedHost(),
            config.listener().nodePorts().first(),
            config.listener().nodePorts().count(),
            this::startNodeListener,
            acceptor);
        this.connector = new NettyBrokerConnector(transport, resolver, settings, allocator);
        this.audit = new AuditLog(config.audit(), meterRegistry);
        audit.start();
        this.policy = new PolicyServices(config, audit, new PolicyMetrics(meterRegistry));
        this.breakers = new BrokerCircuitBreakers(config.circuitBreaker(), meterRegistry);
        this.services = new ConnectionServices(
            settings,
            allocator,
            connector,
            nodes,
            metrics,
            policy,
            breakers,
            clientChannels,
            builder.pipelineCustomizer);
    }

    private static MemoryPoolSettings poolSettings(final MemoryConfig memory)
    {
        return new MemoryPoolSettings(memory.poolSizeBytes(), memory.chunkSizeBytes(),
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
    public static Builder builder(final ProxyConfig config)
    {
        return new Builder(config);
    }

    private void bindBootstrapListener()
    {
        final List<HostPort> bootstrapServers = settings.bootstrapServers();
        final HostPort bind = config.listener().bindAddress();
        // Each connection reads the list when it is accepted, so a reload changes where the next ones go.
        final ChannelFuture bound = serverBootstrap(() -> new BootstrapTarget(settings.bootstrapServers()))
            .bind(new InetSocketAddress(bindAddress, bind.port()))
            .syncUninterruptibly();
        listenerChannels.add(bound.channel());
        bootstrapAddress = (InetSocketAddress)bound.channel().localAddress();
        LOGGER.atInfo()
            .addKeyValue("bindAddress", bind.host() + ":" + bootstrapAddress.getPort())
            .addKeyValue("advertisedHost", config.listener().advertisedHost())
            .addKeyValue("nodePorts", config.listener().nodePorts())
            .addKeyValue("upstream", bootstrapServers)
            .addKeyValue("transport", transport.name())
            .addKeyValue("ioThreads", config.network().ioThreads())
            .addKeyValue("startupMillis", startupMillis())
            .log("bootstrap listener bound");
    }

    private void startAdmin()
    {
        // JVM and process meters load the management beans: after the listeners, off the start-up path clients wait on.
        bindJvmMetrics();
        if (!config.admin().enabled())
        {
            return;
        }
        if (!(meterRegistry instanceof PrometheusMeterRegistry))
        {
            throw new IllegalStateException("the admin listener exports a Prometheus registry; this proxy was given a " +
                meterRegistry.getClass().getSimpleName());
        }
        adminGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("kafka-proxy-admin"), transport.ioHandlerFactory());
        final HostPort bind = config.admin().bindAddress();
        adminServer = AdminServer.bind(adminGroup, transport.serverChannelClass(),
            new InetSocketAddress(bind.host(), bind.port()), (PrometheusMeterRegistry)meterRegistry, this::readiness);
    }

    private static void lintCleanNames(final MeterRegistry registry)
    {
        // Two of Micrometer's names break Prometheus naming rules (promtool check metrics): a counter in "ns" and a
        // gauge ending in "_count". process_cpu_usage covers the first; the second gets a name that lints.
        registry.config()
            .meterFilter(MeterFilter.denyNameStartsWith("process.cpu.time"))
            .meterFilter(new MeterFilter()
            {
                @Override
                public Meter.Id map(final Meter.Id id)
                {
                    return id.getName().equals("system.cpu.count") ? id.withName("system.cpus.available") : id;
                }
            });
    }

    private void bindJvmMetrics()
    {
        final JvmGcMetrics gc = new JvmGcMetrics();
        meterBinders.add(gc);
        for (final MeterBinder binder : new MeterBinder[] {
            new JvmMemoryMetrics(), gc, new JvmThreadMetrics(), new ClassLoaderMetrics(), new ProcessorMetrics(),
            new UptimeMetrics(), new FileDescriptorMetrics()})
        {
            binder.bindTo(meterRegistry);
        }
    }

    /**
     * Whether the proxy can serve clients: its bootstrap listener is bound and one upstream bootstrap server
     * accepts a TCP connection within the connect timeout.
     *
     * @return completes with null when ready, else with the reason.
     */
    public CompletionStage<String> readiness()
    {
        final CompletableFuture<String> result = new CompletableFuture<>();
        if (stopping)
        {
            result.complete("stopping");
            return result;
        }
        if (bootstrapAddress == null)
        {
            result.complete("the bootstrap listener is not bound");
            return result;
        }
        probeBrokers(settings.bootstrapServers(), 0, result);
        return result;
    }

    private void probeBrokers(final List<HostPort> servers, final int index, final CompletableFuture<String> result)
    {
        final HostPort server = servers.get(index);
        connector.template()
            .group(acceptorGroup.next())
            .handler(new ChannelInboundHandlerAdapter())
            .connect(InetSocketAddress.createUnresolved(server.host(), server.port()))
            .addListener((ChannelFuture connected) ->
            {
                if (connected.isSuccess())
                {
                    connected.channel().close();
                    result.complete(null);
                }
                else if (index + 1 < servers.size())
                {
                    probeBrokers(servers, index + 1, result);
                }
                else
                {
                    result.complete("no upstream bootstrap server reachable; last tried " + server + ": " +
                        connected.cause().getMessage());
                }
            });
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

    private void discoverNodes()
    {
        new BrokerNodeDiscovery(connector.template(), acceptorGroup.next(), settings.bootstrapServers(), nodes,
            settings.responseLimit().maxMessageSizeBytes()).start();
    }

    private Future<Integer> startNodeListener(final int nodeId, final int port)
    {
        final Promise<Integer> bound = acceptorGroup.next().newPromise();
        final NodeTarget target = new NodeTarget(nodeId, nodes);
        serverBootstrap(() -> target)
            .bind(new InetSocketAddress(bindAddress, port))
            .addListener((ChannelFuture future) ->
            {
                if (future.isSuccess())
                {
                    listenerChannels.add(future.channel());
                    bound.setSuccess(((InetSocketAddress)future.channel().localAddress()).getPort());
                }
                else
                {
                    bound.setFailure(future.cause());
                }
            });
        return bound;
    }

    private ServerBootstrap serverBootstrap(final Supplier<BrokerTarget> targets)
    {
        return new ServerBootstrap()
            .group(acceptorGroup, ioGroup)
            .channel(transport.serverChannelClass())
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.AUTO_READ, false)
            .childOption(ChannelOption.ALLOCATOR, allocator)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.SO_KEEPALIVE, true)
            .childHandler(new ClientChannelInitializer(targets, services));
    }

    /**
     * The bootstrap listener's bound address (useful when it was configured with port 0).
     *
     * @return the local address of the bootstrap listener.
     */
    public InetSocketAddress bootstrapAddress()
    {
        return bootstrapAddress;
    }

    /**
     * The address clients should use as {@code bootstrap.servers}.
     *
     * @return advertised host and bootstrap port.
     */
    public String advertisedBootstrapServers()
    {
        return new HostPort(config.listener().advertisedHost(), bootstrapAddress.getPort()).toString();
    }

    /**
     * The broker nodes met so far and their listeners.
     *
     * @return the registry.
     */
    public BrokerNodeRegistry nodes()
    {
        return nodes;
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
     * Applies the settings of a new configuration that can change while connections stay open: upstream bootstrap
     * servers and connect timeout, frame size limits, idle timeout (for new connections). The caller has
     * validated the configuration and compared what cannot change live ({@link #restartOnlyChanges}).
     *
     * @param newConfig the new configuration; its restart-only settings must equal the running ones.
     */
    public void reconfigure(final ProxyConfig newConfig)
    {
        final List<String> restartOnly = restartOnlyChanges(newConfig);
        if (!restartOnly.isEmpty())
        {
            throw new IllegalArgumentException("restart-only settings differ: " + restartOnly);
        }
        settings.apply(newConfig);
        policy.apply(newConfig);
        breakers.reconfigure(newConfig.circuitBreaker());
        config = newConfig;
    }

    /**
     * The settings of a configuration that differ from the running ones and need a restart to apply: listener
     * addresses, thread count, memory pool, admin listener, audit ring.
     *
     * @param newConfig the configuration to compare.
     * @return the YAML paths that differ, empty if none.
     */
    public List<String> restartOnlyChanges(final ProxyConfig newConfig)
    {
        final ProxyConfig running = config;
        final List<String> changed = new ArrayList<>();
        if (!running.listener().equals(newConfig.listener()))
        {
            changed.add("listener");
        }
        if (running.network().ioThreads() != newConfig.network().ioThreads())
        {
            changed.add("network.ioThreads");
        }
        if (!running.memory().equals(newConfig.memory()))
        {
            changed.add("memory");
        }
        if (!running.admin().equals(newConfig.admin()))
        {
            changed.add("admin");
        }
        if (running.audit().ringSizeBytes() != newConfig.audit().ringSizeBytes())
        {
            changed.add("audit.ringSizeBytes");
        }
        return changed;
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
        listenerChannels.close().awaitUninterruptibly(SHUTDOWN_TIMEOUT_MILLIS);
        final double unansweredBefore = metrics.requestsUnanswered();
        final int drained = drain(drainTimeout);
        final int forced = clientChannels.size();
        clientChannels.close().awaitUninterruptibly(SHUTDOWN_TIMEOUT_MILLIS);
        if (adminServer != null)
        {
            adminServer.close();
        }
        final Future<?> io = ioGroup.shutdownGracefully(SHUTDOWN_QUIET_MILLIS, SHUTDOWN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        final Future<?> acceptor = acceptorGroup.shutdownGracefully(SHUTDOWN_QUIET_MILLIS, SHUTDOWN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        final Future<?> admin = adminGroup == null ? null :
            adminGroup.shutdownGracefully(SHUTDOWN_QUIET_MILLIS, SHUTDOWN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        io.awaitUninterruptibly();
        acceptor.awaitUninterruptibly();
        if (admin != null)
        {
            admin.awaitUninterruptibly();
        }
        resolver.close();
        memoryPool.close();
        audit.close();
        for (final AutoCloseable binder : meterBinders)
        {
            try
            {
                binder.close();
            }
            catch (final Exception e)
            {
                LOGGER.atDebug().setCause(e).log("closing a meter binder failed");
            }
        }
        LOGGER.atInfo()
            .addKeyValue("drainedConnections", drained)
            .addKeyValue("closedAfterDrainTimeout", forced)
            .addKeyValue("unansweredRequests", (long)(metrics.requestsUnanswered() - unansweredBefore))
            .log("stopped");
    }

    private int drain(final Duration drainTimeout)
    {
        final int open = clientChannels.size();
        if (open == 0)
        {
            return 0;
        }
        for (final Channel client : clientChannels)
        {
            client.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE);
        }
        final long deadline = System.nanoTime() + drainTimeout.toNanos();
        // Closed channels leave the group by themselves; poll rather than wire a callback into every connection.
        while (!clientChannels.isEmpty() && System.nanoTime() - deadline < 0)
        {
            try
            {
                Thread.sleep(DRAIN_POLL_MILLIS);
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return open - clientChannels.size();
    }

    /**
     * Describes a proxy before it starts.
     */
    public static final class Builder
    {
        private final ProxyConfig config;
        private MeterRegistry meterRegistry;
        private Consumer<ChannelPipeline> pipelineCustomizer = pipeline -> { };

        private Builder(final ProxyConfig config)
        {
            this.config = config;
        }

        /**
         * Where the proxy's meters are registered.
         *
         * @param registry the registry; by default a Prometheus registry of the proxy's own, which the admin
         *                 listener exports (the admin listener needs a Prometheus registry).
         * @return this builder.
         */
        public Builder meterRegistry(final MeterRegistry registry)
        {
            this.meterRegistry = registry;
            return this;
        }

        /**
         * A hook run on every client pipeline once it is built, for embedding (tracing, capture).
         *
         * @param customizer called on the channel's event loop with the complete pipeline.
         * @return this builder.
         */
        public Builder clientPipelineCustomizer(final Consumer<ChannelPipeline> customizer)
        {
            this.pipelineCustomizer = customizer;
            return this;
        }

        /**
         * Starts the proxy and binds its bootstrap listener.
         *
         * @return the running proxy.
         * @throws ProxyStartException if the listener cannot be bound or the bind host cannot be resolved.
         */
        public KafkaProxy start()
        {
            final KafkaProxy proxy;
            try
            {
                proxy = new KafkaProxy(this);
            }
            catch (final UnknownHostException e)
            {
                throw new ProxyStartException("cannot resolve the bind host: listener.bindAddress=" +
                    config.listener().bindAddress(), e);
            }
            try
            {
                proxy.bindBootstrapListener();
                proxy.discoverNodes();
                proxy.startAdmin();
                return proxy;
            }
            catch (final RuntimeException e)
            {
                proxy.close();
                throw new ProxyStartException(proxy.bootstrapAddress == null ?
                    "cannot bind the bootstrap listener: listener.bindAddress=" + config.listener().bindAddress() +
                        ": " + e.getMessage() :
                    "cannot bind the admin listener: admin.bindAddress=" + config.admin().bindAddress() + ": " +
                        e.getMessage(), e);
            }
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

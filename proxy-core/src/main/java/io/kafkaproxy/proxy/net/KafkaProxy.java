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
import io.kafkaproxy.proxy.routing.UpstreamNodeDiscovery;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
import java.util.List;
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

    private final ProxyConfig config;
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
    private final UpstreamConnector connector;
    private final ConnectionServices services;
    private InetSocketAddress bootstrapAddress;

    private KafkaProxy(final Builder builder) throws UnknownHostException
    {
        this.config = builder.config;
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
        this.metrics = new ProxyMetrics(builder.meterRegistry);
        this.memoryPool = new MemoryPool(poolSettings(config.memory()));
        this.allocator = new PoolByteBufAllocator(memoryPool);
        final EventExecutor acceptor = acceptorGroup.next();
        this.nodes = new BrokerNodeRegistry(
            config.listener().advertisedHost(),
            config.listener().nodePorts().first(),
            config.listener().nodePorts().count(),
            this::startNodeListener,
            acceptor);
        this.connector = new UpstreamConnector(transport, resolver, config.upstream().connectTimeout(),
            config.network().maxResponseSizeBytes(), allocator);
        this.services = new ConnectionServices(
            config.network(),
            allocator,
            connector,
            nodes,
            metrics,
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
        final List<HostPort> bootstrapServers = config.upstream().bootstrapServers();
        final HostPort bind = config.listener().bindAddress();
        final ChannelFuture bound = serverBootstrap(() -> new BootstrapTarget(bootstrapServers))
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
            .log("bootstrap listener bound");
    }

    private void discoverNodes()
    {
        new UpstreamNodeDiscovery(connector.template(), acceptorGroup.next(), config.upstream().bootstrapServers(), nodes,
            config.network().maxResponseSizeBytes()).start();
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
     * Stops listening, closes every connection and stops the event loops.
     */
    @Override
    public void close()
    {
        LOGGER.atInfo().addKeyValue("bindAddress", bootstrapAddress).log("stopping");
        listenerChannels.close().awaitUninterruptibly(SHUTDOWN_TIMEOUT_MILLIS);
        clientChannels.close().awaitUninterruptibly(SHUTDOWN_TIMEOUT_MILLIS);
        final Future<?> io = ioGroup.shutdownGracefully(SHUTDOWN_QUIET_MILLIS, SHUTDOWN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        final Future<?> acceptor = acceptorGroup.shutdownGracefully(SHUTDOWN_QUIET_MILLIS, SHUTDOWN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        io.awaitUninterruptibly();
        acceptor.awaitUninterruptibly();
        resolver.close();
        memoryPool.close();
        LOGGER.atInfo().log("stopped");
    }

    /**
     * Describes a proxy before it starts.
     */
    public static final class Builder
    {
        private final ProxyConfig config;
        private MeterRegistry meterRegistry = new SimpleMeterRegistry();
        private Consumer<ChannelPipeline> pipelineCustomizer = pipeline -> { };

        private Builder(final ProxyConfig config)
        {
            this.config = config;
        }

        /**
         * Where the proxy's meters are registered.
         *
         * @param registry the registry; a simple in-memory one by default.
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
                return proxy;
            }
            catch (final RuntimeException e)
            {
                proxy.close();
                throw new ProxyStartException("cannot bind the bootstrap listener: listener.bindAddress=" +
                    config.listener().bindAddress() + ": " + e.getMessage(), e);
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

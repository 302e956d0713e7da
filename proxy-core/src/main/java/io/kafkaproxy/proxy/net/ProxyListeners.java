package io.kafkaproxy.proxy.net;

import io.kafkaproxy.proxy.routing.BootstrapTarget;
import io.kafkaproxy.proxy.routing.BrokerTarget;
import io.kafkaproxy.proxy.routing.DeferredBrokerTarget;
import io.kafkaproxy.proxy.routing.NodeTarget;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;

import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Supplier;

/**
 * Binds the proxy's client listeners: the bootstrap port of each listener of a cluster, and its port for each broker
 * node (none on a listener routed by SNI), all accepting on the acceptor loop and serving on the I/O loops, with the
 * same channel options and pipeline.
 *
 * <p>Bootstrap listeners are bound by the lifecycle thread; node listeners by the node registry's callbacks, from
 * the acceptor loop. The listener channels are kept in a thread-safe group, so that {@link #close} stops them all.
 */
final class ProxyListeners
{
    private final EventLoopGroup acceptorGroup;
    private final EventLoopGroup ioGroup;
    private final Transport transport;
    private final ConnectionServices services;
    private final ChannelGroup listenerChannels =
        new DefaultChannelGroup("kafka-proxy-listeners", GlobalEventExecutor.INSTANCE);

    /**
     * Creates the binder; nothing is bound yet.
     *
     * @param acceptorGroup accepts connections.
     * @param ioGroup       serves the accepted connections.
     * @param transport     the socket transport.
     * @param services      what every client connection is built with.
     */
    ProxyListeners(
        final EventLoopGroup acceptorGroup,
        final EventLoopGroup ioGroup,
        final Transport transport,
        final ConnectionServices services)
    {
        this.acceptorGroup = acceptorGroup;
        this.ioGroup = ioGroup;
        this.transport = transport;
        this.services = services;
    }

    /**
     * Binds a listener's bootstrap port and waits for it.
     *
     * @param listener the listener; its connections go to its cluster.
     * @return the bound address.
     */
    InetSocketAddress bindBootstrapListener(final ListenerContext listener)
    {
        final ClusterContext cluster = listener.cluster();
        // Each connection reads the servers when it is accepted, so a reload changes where the next ones go.
        // On a listener routed by SNI the target waits for the server name of the ClientHello.
        final Supplier<BrokerTarget> targets = listener.sniHostNames() != null ? DeferredBrokerTarget::new :
            () -> new BootstrapTarget(cluster.snapshot().bootstrapServers());
        final ChannelFuture bound = serverBootstrap(targets, listener)
            .bind(new InetSocketAddress(listener.bindAddress(), listener.config().bindAddress().port()))
            .syncUninterruptibly();
        listenerChannels.add(bound.channel());
        cluster.listenerChannels().add(bound.channel());
        final InetSocketAddress address = (InetSocketAddress)bound.channel().localAddress();
        if (listener.sniHostNames() != null)
        {
            listener.nodes().listenOnSharedPort(address.getPort());
        }
        return address;
    }

    /**
     * Binds a listener's port for one broker node of its cluster, without waiting.
     *
     * @param listener the listener the node is advertised on.
     * @param nodeId  the broker node the listener's connections go to.
     * @param port    the port, or 0 for an ephemeral one.
     * @return completes with the bound port, or fails with the bind error.
     */
    Future<Integer> bindNodeListener(final ListenerContext listener, final int nodeId, final int port)
    {
        final Promise<Integer> bound = acceptorGroup.next().newPromise();
        final NodeTarget target = new NodeTarget(nodeId, listener.nodes());
        final InetSocketAddress address = new InetSocketAddress(listener.bindAddress(), port);
        serverBootstrap(() -> target, listener)
            .bind(address)
            .addListener((ChannelFuture future) ->
            {
                if (future.isSuccess())
                {
                    listenerChannels.add(future.channel());
                    listener.cluster().listenerChannels().add(future.channel());
                    bound.setSuccess(((InetSocketAddress)future.channel().localAddress()).getPort());
                }
                else
                {
                    bound.setFailure(bindFailure("cannot bind the listener of broker node " + nodeId + " on listener " +
                        listener.name(), address, future.cause()));
                }
            });
        return bound;
    }

    /**
     * A bind failure that names the listener and its address, which Netty's own exception does not.
     *
     * @param listener which listener.
     * @param address  the address it could not bind.
     * @param cause    why.
     * @return the failure, caused by the original.
     */
    private static BindException bindFailure(final String listener, final InetSocketAddress address, final Throwable cause)
    {
        final BindException failure = new BindException(listener + ": address=" + address.getAddress().getHostAddress() +
            ":" + address.getPort() + ": " + cause.getMessage());
        failure.initCause(cause);
        return failure;
    }

    /**
     * Binds one port for several listeners routed by SNI (of one cluster or several) and waits for it: the server
     * name of each connection's ClientHello chooses its listener.
     *
     * @param shared the listeners, on the same bind address, their host names disjoint.
     * @return the bound address.
     */
    InetSocketAddress bindSharedSniListener(final List<ListenerContext> shared)
    {
        final ListenerContext first = shared.get(0);
        final ChannelFuture bound = serverBootstrap(new SharedSniChannelInitializer(shared, services))
            .bind(new InetSocketAddress(first.bindAddress(), first.config().bindAddress().port()))
            .syncUninterruptibly();
        listenerChannels.add(bound.channel());
        final InetSocketAddress address = (InetSocketAddress)bound.channel().localAddress();
        for (final ListenerContext listener : shared)
        {
            listener.nodes().listenOnSharedPort(address.getPort());
        }
        return address;
    }

    /**
     * Binds the routing listener's port and waits for it: its connections go to the cluster their identity chooses.
     *
     * @param address     the address to bind.
     * @param initializer builds each connection's pipeline up to its routing.
     * @return the bound address.
     */
    InetSocketAddress bindRoutingListener(final InetSocketAddress address, final RoutingChannelInitializer initializer)
    {
        final ChannelFuture bound = serverBootstrap(initializer).bind(address).syncUninterruptibly();
        listenerChannels.add(bound.channel());
        return (InetSocketAddress)bound.channel().localAddress();
    }

    /**
     * Closes every listener: no new connection is accepted; open ones stay.
     *
     * @param timeoutMillis how long to wait for the listeners to close.
     */
    void close(final long timeoutMillis)
    {
        listenerChannels.close().awaitUninterruptibly(timeoutMillis);
    }

    private ServerBootstrap serverBootstrap(final Supplier<BrokerTarget> targets, final ListenerContext listener)
    {
        return serverBootstrap(new ClientChannelInitializer(targets, listener, services));
    }

    private ServerBootstrap serverBootstrap(final ChannelHandler initializer)
    {
        return transport.applyClientSocketOptions(new ServerBootstrap())
            .group(acceptorGroup, ioGroup)
            .channel(transport.serverChannelClass())
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.AUTO_READ, false)
            .childOption(ChannelOption.ALLOCATOR, services.allocator())
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.SO_KEEPALIVE, true)
            .childHandler(initializer);
    }
}

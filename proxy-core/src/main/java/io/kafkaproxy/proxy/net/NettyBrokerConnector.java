package io.kafkaproxy.proxy.net;

import io.kafkaproxy.proxy.cluster.BrokerLoginCredentials;
import io.kafkaproxy.proxy.cluster.ClusterSnapshot;
import io.kafkaproxy.proxy.cluster.ClusterSnapshotReference;
import io.kafkaproxy.proxy.codec.FrameSizeLimit;
import io.kafkaproxy.proxy.connection.BrokerConnector;
import io.kafkaproxy.proxy.connection.ClientConnectionStateMachine;
import io.kafkaproxy.proxy.failover.ClusterFailover;
import io.kafkaproxy.proxy.failover.GenerationFenceHandler;
import io.kafkaproxy.proxy.memory.PoolByteBufAllocator;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslHandler;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;

import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;

/**
 * Opens broker connections on the event loop of the client connection they serve, with the same transport,
 * resolving broker host names with Netty's non-blocking DNS resolver.
 *
 * <p>With TLS to the brokers ({@code upstream.tls}), a connect completes once the TLS handshake has: nothing is
 * written to a broker before, and a failed handshake fails the connect. The handshake may take the connect timeout
 * again.
 *
 * <p>With a standby upstream, each client connection gets its own connector ({@link #forNewConnection}) whose broker
 * channels carry a {@link GenerationFenceHandler}: once the cluster switches upstream they carry nothing more.
 *
 * <p>Immutable and shared by all connections of one cluster; the connect timeout, TLS material and login are read
 * from the cluster's snapshot at each connect; each connect clones the template onto the caller's loop.
 */
final class NettyBrokerConnector implements BrokerConnector
{
    private final Bootstrap template;
    private final ClusterSnapshotReference snapshots;
    private final FrameSizeLimit responseLimit;
    private final PoolByteBufAllocator allocator;

    NettyBrokerConnector(
        final Transport transport,
        final AddressResolverGroup<InetSocketAddress> resolver,
        final ClusterSnapshotReference snapshots,
        final FrameSizeLimit responseLimit,
        final PoolByteBufAllocator allocator)
    {
        this.allocator = allocator;
        this.snapshots = snapshots;
        this.responseLimit = responseLimit;
        this.template = transport.applyBrokerSocketOptions(new Bootstrap()
            .channel(transport.socketChannelClass())
            .resolver(resolver)
            .option(ChannelOption.ALLOCATOR, allocator)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.SO_KEEPALIVE, true));
    }

    /**
     * The template broker connections are made from, for other connections to the cluster (node discovery).
     *
     * @return a copy of the template with the connect timeout now, without a group or handler.
     */
    Bootstrap template()
    {
        return template.clone().option(ChannelOption.CONNECT_TIMEOUT_MILLIS, snapshots.current().connectTimeoutMillis());
    }

    @Override
    public ChannelFuture connect(
        final EventLoop eventLoop, final InetSocketAddress brokerAddress, final ClientConnectionStateMachine connection)
    {
        return connect(eventLoop, brokerAddress, connection, null);
    }

    /**
     * The connector of one client connection accepted now: its broker connections belong to the failover generation
     * of this moment and are fenced once the cluster switches upstream.
     *
     * @param failover the cluster's failover state.
     * @return a connector for that one connection; this one when the cluster has no standby (nothing to fence).
     */
    BrokerConnector forNewConnection(final ClusterFailover failover)
    {
        if (!failover.hasStandby())
        {
            return this;
        }
        final long generation = failover.generation();
        return new BrokerConnector()
        {
            @Override
            public ChannelFuture connect(
                final EventLoop eventLoop, final InetSocketAddress brokerAddress, final ClientConnectionStateMachine connection)
            {
                return NettyBrokerConnector.this.connect(eventLoop, brokerAddress, connection,
                    new GenerationFenceHandler(failover, generation));
            }

            @Override
            public BrokerLoginCredentials loginCredentials()
            {
                return NettyBrokerConnector.this.loginCredentials();
            }

            @Override
            public long connectTimeoutMillis()
            {
                return NettyBrokerConnector.this.connectTimeoutMillis();
            }
        };
    }

    private ChannelFuture connect(final EventLoop eventLoop, final InetSocketAddress brokerAddress,
        final ClientConnectionStateMachine connection, final GenerationFenceHandler fence)
    {
        final ClusterSnapshot snapshot = snapshots.current();
        final ChannelFuture connected = template.clone(eventLoop)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, snapshot.connectTimeoutMillis())
            .handler(new BrokerChannelInitializer(
                responseLimit, allocator, connection, snapshot.brokerTls(), brokerAddress, snapshot.connectTimeoutMillis(), fence))
            .connect(brokerAddress);
        return snapshot.brokerTls() == null ? connected : handshaken(connected);
    }

    @Override
    public BrokerLoginCredentials loginCredentials()
    {
        return snapshots.current().brokerLogin();
    }

    @Override
    public long connectTimeoutMillis()
    {
        return snapshots.current().connectTimeoutMillis();
    }

    private static ChannelFuture handshaken(final ChannelFuture connected)
    {
        final ChannelPromise ready = connected.channel().newPromise();
        connected.addListener((ChannelFutureListener)future ->
        {
            if (!future.isSuccess())
            {
                ready.tryFailure(future.cause());
                return;
            }
            final GenericFutureListener<Future<Channel>> onHandshake = handshake ->
            {
                if (handshake.isSuccess())
                {
                    ready.trySuccess();
                }
                else
                {
                    ready.tryFailure(handshake.cause());
                }
            };
            final SslHandler sslHandler = future.channel().pipeline().get(SslHandler.class);
            if (sslHandler == null)
            {
                // Closed between connecting and this listener: the pipeline is already taken apart.
                ready.tryFailure(new ClosedChannelException());
                return;
            }
            sslHandler.handshakeFuture().addListener(onHandshake);
        });
        return ready;
    }
}

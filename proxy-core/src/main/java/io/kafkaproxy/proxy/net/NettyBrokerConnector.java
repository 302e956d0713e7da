package io.kafkaproxy.proxy.net;

import io.kafkaproxy.proxy.cluster.ClusterSnapshotReference;
import io.kafkaproxy.proxy.codec.FrameSizeLimit;
import io.kafkaproxy.proxy.connection.BrokerConnector;
import io.kafkaproxy.proxy.connection.ClientConnectionStateMachine;
import io.kafkaproxy.proxy.memory.PoolByteBufAllocator;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.resolver.AddressResolverGroup;

import java.net.InetSocketAddress;

/**
 * Opens broker connections on the event loop of the client connection they serve, with the same transport,
 * resolving broker host names with Netty's non-blocking DNS resolver.
 *
 * <p>Immutable and shared by all connections of one cluster; the connect timeout is read from the cluster's
 * snapshot at each connect; each connect clones the template onto the caller's loop.
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
        this.template = new Bootstrap()
            .channel(transport.socketChannelClass())
            .resolver(resolver)
            .option(ChannelOption.ALLOCATOR, allocator)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.SO_KEEPALIVE, true);
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
        return template.clone(eventLoop)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, snapshots.current().connectTimeoutMillis())
            .handler(new BrokerChannelInitializer(responseLimit, allocator, connection))
            .connect(brokerAddress);
    }
}

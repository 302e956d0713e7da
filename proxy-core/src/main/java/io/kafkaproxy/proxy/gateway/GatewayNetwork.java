package io.kafkaproxy.proxy.gateway;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;

/**
 * The proxy's networking a gateway listener binds with: the same acceptor and I/O event loops as the Kafka
 * listeners, and the same transport (epoll where it loads).
 *
 * @param acceptor           the acceptor loop group.
 * @param io                 the I/O loop group.
 * @param serverChannelClass the transport's server channel.
 */
public record GatewayNetwork(EventLoopGroup acceptor, EventLoopGroup io, Class<? extends ServerChannel> serverChannelClass)
{
}

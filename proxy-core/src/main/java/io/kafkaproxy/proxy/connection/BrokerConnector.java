package io.kafkaproxy.proxy.connection;

import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;

import java.net.InetSocketAddress;

/**
 * Opens the broker side of a proxied connection.
 */
@FunctionalInterface
public interface BrokerConnector
{
    /**
     * Connects to a broker on the client's event loop, with a pipeline that reports to the connection.
     *
     * @param eventLoop     the client channel's event loop, which the broker channel must share.
     * @param brokerAddress the broker, unresolved; resolved without blocking.
     * @param connection    the connection the broker channel belongs to.
     * @return the connect future.
     */
    ChannelFuture connect(EventLoop eventLoop, InetSocketAddress brokerAddress, ClientConnectionStateMachine connection);
}

package io.kafkaproxy.proxy.connection;

import io.kafkaproxy.proxy.cluster.BrokerLoginCredentials;
import io.kafkaproxy.proxy.config.BrokerClusterConfig;
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
     * @return a future that completes once the channel can carry requests: connected, and its TLS handshake done when
     *         the brokers are reached over TLS (a failed handshake fails it with an {@code SSLException}).
     */
    ChannelFuture connect(EventLoop eventLoop, InetSocketAddress brokerAddress, ClientConnectionStateMachine connection);

    /**
     * The credentials the proxy logs in to the brokers with before it forwards anything ({@code upstream.sasl}), as
     * the cluster's current snapshot has them.
     *
     * @return the credentials, or null when the proxy does not log in (the default).
     */
    default BrokerLoginCredentials loginCredentials()
    {
        return null;
    }

    /**
     * How long a broker connection may take, as the cluster's current snapshot has it: the connect, the TLS
     * handshake and the proxy's own login each get this long.
     *
     * @return the timeout in milliseconds; by default {@link BrokerClusterConfig#DEFAULT_CONNECT_TIMEOUT}.
     */
    default long connectTimeoutMillis()
    {
        return BrokerClusterConfig.DEFAULT_CONNECT_TIMEOUT.toMillis();
    }
}

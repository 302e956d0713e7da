package io.kafkaproxy.proxy.connection;

import io.kafkaproxy.proxy.circuit.BrokerCircuitBreakers;
import io.kafkaproxy.proxy.cluster.BrokerLoginCredentials;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.routing.BrokerTarget;
import io.kafkaproxy.proxy.tls.BrokerTlsHandshakeFailures;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;

import java.net.InetSocketAddress;

/**
 * Makes the broker connection of one client connection: tries the target's addresses in turn, skips the nodes whose
 * circuit is open, and reports to the circuit breakers how each attempt ended.
 *
 * <p>Reports back to the {@link ClientConnectionStateMachine}, which owns the states: each attempt that starts, the
 * connection made, or no address left. Confined to the client channel's event loop.
 */
final class BrokerConnectAttempts
{
    private final Channel clientChannel;
    private final BrokerTarget target;
    private final BrokerConnector connector;
    private final BrokerCircuitBreakers breakers;
    private final ProxyMetrics metrics;
    private final ConnectionLog log;
    private final ClientConnectionStateMachine connection;
    private String brokerKey;

    /**
     * Creates the attempts of one client connection.
     *
     * @param clientChannel the client's channel.
     * @param target        where its broker connection goes.
     * @param connector     opens the broker connection.
     * @param breakers      the circuit breakers of the broker nodes.
     * @param metrics       the proxy's meters.
     * @param log           the connection's log.
     * @param connection    the connection's state machine.
     */
    BrokerConnectAttempts(
        final Channel clientChannel,
        final BrokerTarget target,
        final BrokerConnector connector,
        final BrokerCircuitBreakers breakers,
        final ProxyMetrics metrics,
        final ConnectionLog log,
        final ClientConnectionStateMachine connection)
    {
        this.clientChannel = clientChannel;
        this.target = target;
        this.connector = connector;
        this.breakers = breakers;
        this.metrics = metrics;
        this.log = log;
        this.connection = connection;
    }

    /**
     * The circuit-breaker key of the node of the latest attempt.
     *
     * @return {@code host:port}, or null before the first attempt.
     */
    String brokerKey()
    {
        return brokerKey;
    }

    /**
     * The credentials the proxy logs in to the broker with, from the cluster's current snapshot.
     *
     * @return the credentials, or null when the proxy does not log in.
     */
    BrokerLoginCredentials loginCredentials()
    {
        return connector.loginCredentials();
    }

    /**
     * How long the proxy's own login may take.
     *
     * @return the connect timeout in milliseconds, from the cluster's current snapshot.
     */
    long loginTimeoutMillis()
    {
        return connector.connectTimeoutMillis();
    }

    /**
     * Connects to the target's address of an attempt, or the next one whose circuit is closed.
     *
     * @param attempt which address of the target to try.
     */
    void connect(final int attempt)
    {
        final InetSocketAddress brokerAddress = target.brokerAddress(attempt);
        if (brokerAddress == null)
        {
            log.onNoBrokerReachable();
            connection.closeBoth();
            return;
        }
        final String key = brokerAddress.getHostString() + ":" + brokerAddress.getPort();
        if (!breakers.allowConnect(key, System.nanoTime()))
        {
            // The node's circuit is open: fail fast so the client refreshes its metadata instead of waiting.
            log.onBrokerCircuitOpen(key);
            connect(attempt + 1);
            return;
        }
        brokerKey = key;
        connection.onBrokerConnecting(attempt, brokerAddress);
        connector.connect(clientChannel.eventLoop(), brokerAddress, connection)
            .addListener((ChannelFutureListener)future -> onConnectComplete(future, attempt));
    }

    private void onConnectComplete(final ChannelFuture future, final int attempt)
    {
        if (!connection.isConnecting())
        {
            // The client left while we were connecting.
            future.channel().close();
            return;
        }
        if (!future.isSuccess())
        {
            // A failed TLS handshake is a failed connect to the circuit breaker: the broker cannot be used.
            breakers.onFailure(brokerKey, System.nanoTime());
            metrics.onBrokerConnectFailed();
            final Throwable cause = future.cause();
            if (BrokerTlsHandshakeFailures.isHandshakeFailure(cause))
            {
                final String reason = BrokerTlsHandshakeFailures.reason(cause);
                log.onBrokerTlsHandshakeFailed(brokerKey, reason, cause);
                future.channel().close();
            }
            else
            {
                log.onBrokerConnectFailed(brokerKey, cause);
            }
            connect(attempt + 1);
            return;
        }
        breakers.onConnectSuccess(brokerKey);
        connection.onBrokerConnected(new NettyBrokerLink(future.channel()));
    }
}

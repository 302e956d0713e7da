package io.kafkaproxy.proxy.connection;

import io.netty.channel.Channel;

import java.net.InetSocketAddress;

/**
 * Where a proxied connection is in its life.
 *
 * <pre>
 *   Accepted --client active--> Connecting(0) --connect failed, next address--> Connecting(n+1)
 *                                   |                        \--no address left--> Closed
 *                                   \--connected--> Forwarding(broker) --either side closed or failed--> Closed
 * </pre>
 */
sealed interface ClientConnectionState
{
    /**
     * The client's socket is accepted; nothing is connected upstream yet.
     */
    record Accepted() implements ClientConnectionState
    {
    }

    /**
     * A broker connection is being made; the client's reads are off until it is.
     *
     * @param attempt       which address of the target is being tried.
     * @param brokerAddress the address being connected to.
     */
    record Connecting(int attempt, InetSocketAddress brokerAddress) implements ClientConnectionState
    {
    }

    /**
     * Frames flow both ways.
     *
     * @param brokerChannel the broker connection.
     */
    record Forwarding(Channel brokerChannel) implements ClientConnectionState
    {
    }

    /**
     * Both sides are closed or closing; every buffer still held has been released.
     */
    record Closed() implements ClientConnectionState
    {
    }
}

package io.kafkaproxy.proxy.connection;

import io.netty.buffer.ByteBuf;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;

/**
 * Where a proxied connection is in its life. {@link ClientConnectionStateMachine} owns the transitions; its class
 * javadoc draws them.
 *
 * <p>Holding and draining are states, not flags: a connection holding responses remembers the state it goes back to.
 */
sealed interface ClientConnectionState
{
    /**
     * A state with a broker connection.
     */
    sealed interface Linked extends ClientConnectionState
    {
        /**
         * The broker side.
         *
         * @return the link.
         */
        BrokerLink broker();
    }

    /**
     * The client's socket is accepted and read; nothing is connected upstream until its first request frame is whole,
     * so a client that sends nothing, or a frame it never finishes, costs no broker connection.
     */
    record Accepted() implements ClientConnectionState
    {
    }

    /**
     * A broker connection is being made; the client's reads are off until it is.
     *
     * @param attempt       which address of the target is being tried.
     * @param brokerAddress the address being connected to; null while the first address is being chosen.
     * @param requests      the client's first request frame and any others that came in the same read, oldest
     *                      first, their headers not yet decided; owned by this state until forwarded or released.
     */
    record Connecting(int attempt, InetSocketAddress brokerAddress, ArrayDeque<ByteBuf> requests) implements ClientConnectionState
    {
    }

    /**
     * The proxy logs in to the broker with its own credentials ({@code upstream.sasl}) before anything of the
     * client's is forwarded; the client's reads stay off, as in {@link Connecting}.
     *
     * @param broker   the broker connection, made (and TLS handshaken) but carrying only the login.
     * @param requests the client's first request frames, kept from {@link Connecting}; owned by this state until
     *                 forwarded or released.
     * @param login    the login exchange.
     */
    record LoggingIn(BrokerLink broker, ArrayDeque<ByteBuf> requests, BrokerSaslLogin login) implements Linked
    {
    }

    /**
     * The client authenticates to the proxy before anything is forwarded: where SASL termination will run.
     *
     * <p>Never entered today: SASL passes through to the broker, and a connection goes from {@link Connecting}
     * straight to {@link Forwarding}.
     *
     * @param broker the broker connection, made but not yet used.
     */
    record Authenticating(BrokerLink broker) implements Linked
    {
    }

    /**
     * Frames flow both ways.
     *
     * @param broker the broker connection.
     */
    record Forwarding(BrokerLink broker) implements Linked
    {
    }

    /**
     * A response names a broker node whose proxy listener is still starting: it is held, with every response after
     * it, and broker reads are paused until the listeners are bound. Requests still flow to the broker.
     *
     * @param broker the broker connection.
     * @param held   the held responses, oldest first; owned by this state until sent or released.
     * @param resume the state to go back to once every held response is sent: {@link Forwarding} or {@link Draining}.
     */
    record Holding(BrokerLink broker, ArrayDeque<ByteBuf> held, Linked resume) implements Linked
    {
    }

    /**
     * The proxy is stopping: no more requests are read; the connection closes once every request read is answered.
     *
     * @param broker the broker connection.
     */
    record Draining(BrokerLink broker) implements Linked
    {
    }

    /**
     * Both sides are closed or closing; every buffer still held has been released.
     */
    record Closed() implements ClientConnectionState
    {
    }
}

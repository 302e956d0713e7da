package io.kafkaproxy.proxy.net;

import io.kafkaproxy.proxy.routing.SniHostNames;
import io.kafkaproxy.proxy.tls.ClientTlsContext;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.Mapping;

import java.util.List;

/**
 * Builds the first part of the pipeline of each client channel accepted on a port that listeners routed by SNI (of one
 * or several clusters) share: an {@code SniHandler} that presents the certificate of the listener the ClientHello's
 * server name belongs to, then the {@link SharedSniRoutingHandler}, which builds the rest for that listener.
 *
 * <p>Shared by all channels of the port (it keeps no per-channel state). Runs on the accepted channel's event loop.
 */
final class SharedSniChannelInitializer extends ChannelInitializer<Channel>
{
    private final List<ListenerContext> listeners;
    private final ConnectionServices services;

    /**
     * Creates the initializer of a shared port.
     *
     * @param listeners the listeners sharing it, their host names disjoint.
     * @param services  what every client connection is built with.
     */
    SharedSniChannelInitializer(final List<ListenerContext> listeners, final ConnectionServices services)
    {
        this.listeners = List.copyOf(listeners);
        this.services = services;
    }

    @Override
    protected void initChannel(final Channel channel)
    {
        services.clientChannels().add(channel);
        channel.pipeline()
            .addLast(ClientChannelInitializer.SSL_HANDLER_NAME, new SniHandler((Mapping<String, SslContext>)this::sslContextOf))
            .addLast("sniRouting", new SharedSniRoutingHandler(listeners, services));
    }

    private SslContext sslContextOf(final String serverName)
    {
        // An unknown name still gets a handshake, with the first listener's certificate: the routing handler then
        // refuses it, counted and logged as on a listener of its own.
        final ListenerContext listener = listenerOf(listeners, serverName);
        final ListenerContext chosen = listener == null ? listeners.get(0) : listener;
        final ClientTlsContext tls = chosen.cluster().snapshot().clientTls(chosen.name());
        return tls.sslContext();
    }

    /**
     * The listener a server name belongs to.
     *
     * @param listeners  the listeners sharing a port.
     * @param serverName the name, or null.
     * @return the listener whose bootstrap or node host it is, or null.
     */
    static ListenerContext listenerOf(final List<ListenerContext> listeners, final String serverName)
    {
        for (final ListenerContext listener : listeners)
        {
            if (listener.sniHostNames().route(serverName) != SniHostNames.UNKNOWN)
            {
                return listener;
            }
        }
        return null;
    }
}

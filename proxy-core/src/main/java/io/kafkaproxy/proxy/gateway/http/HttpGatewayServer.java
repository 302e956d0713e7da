package io.kafkaproxy.proxy.gateway.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.handler.ssl.SslContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The HTTP gateway's listener: HTTP/1.1 with keep-alive, h2c (prior knowledge and {@code Upgrade: h2c}) and, with TLS,
 * h2 and HTTP/1.1 chosen by ALPN; requests go to the routes of a {@link HttpRouter} (see
 * {@link HttpGatewayInitializer} for the pipeline).
 *
 * <p>Accepts on the proxy's acceptor loop and serves on its I/O loops, beside the Kafka connections, with the same
 * transport. Bound and closed by the lifecycle thread.
 */
public final class HttpGatewayServer implements AutoCloseable
{
    private static final Logger LOGGER = LoggerFactory.getLogger(HttpGatewayServer.class);

    private final Channel serverChannel;

    private HttpGatewayServer(final Channel serverChannel)
    {
        this.serverChannel = serverChannel;
    }

    /**
     * Binds the listener and waits for it.
     *
     * @param acceptorGroup accepts connections.
     * @param ioGroup       serves them.
     * @param channelClass  the transport's server channel type.
     * @param address       where to listen.
     * @param tls           the TLS context of each new connection (ALPN {@code h2}, {@code http/1.1}); null for clear text.
     * @param router        the routes, complete: not changed once bound.
     * @param authenticator the identity stage.
     * @param observer      the meters.
     * @param maxBodyBytes  the largest request body a route reads whole (larger: 413).
     * @param idleTimeout   a connection idle this long is closed.
     * @return the bound listener.
     * @throws RuntimeException (Netty's unchecked rethrow of the {@code BindException}) when the address cannot be bound.
     */
    public static HttpGatewayServer bind(
        final EventLoopGroup acceptorGroup,
        final EventLoopGroup ioGroup,
        final Class<? extends ServerChannel> channelClass,
        final InetSocketAddress address,
        final Supplier<SslContext> tls,
        final HttpRouter router,
        final HttpRequestAuthenticator authenticator,
        final HttpRequestObserver observer,
        final long maxBodyBytes,
        final Duration idleTimeout)
    {
        final Channel channel = new ServerBootstrap()
            .group(acceptorGroup, ioGroup)
            .channel(channelClass)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.SO_KEEPALIVE, true)
            .childHandler(new HttpGatewayInitializer(tls, router, authenticator, observer, maxBodyBytes, idleTimeout.toMillis()))
            .bind(address)
            .syncUninterruptibly()
            .channel();
        LOGGER.atInfo()
            .addKeyValue("bindAddress", channel.localAddress())
            .addKeyValue("tls", tls != null)
            .addKeyValue("maxBodyBytes", maxBodyBytes)
            .log("HTTP gateway listener bound");
        return new HttpGatewayServer(channel);
    }

    /**
     * Where the listener is bound.
     *
     * @return its local address.
     */
    public InetSocketAddress address()
    {
        return (InetSocketAddress)serverChannel.localAddress();
    }

    /**
     * Stops accepting connections; open ones stay until the event loops stop.
     */
    @Override
    public void close()
    {
        serverChannel.close().syncUninterruptibly();
    }
}

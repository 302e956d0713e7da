package io.kafkaproxy.proxy.gateway.http;

import io.kafkaproxy.proxy.config.HttpConfig;
import io.kafkaproxy.proxy.gateway.GatewayListener;
import io.kafkaproxy.proxy.gateway.GatewayNetwork;
import io.kafkaproxy.proxy.gateway.GatewayServices;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The HTTP gateway's listener: HTTP/1.1 with keep-alive, h2c (prior knowledge and {@code Upgrade: h2c}) and, with TLS,
 * h2 and HTTP/1.1 chosen by ALPN; requests go to the routes of a {@link HttpRouter} (see
 * {@link HttpGatewayInitializer} for the pipeline).
 *
 * <p>Accepts on the proxy's acceptor loop and serves on its I/O loops, beside the Kafka connections, with the same
 * transport. Bound and closed by the lifecycle thread.
 */
public final class HttpGatewayServer implements GatewayListener, AutoCloseable
{
    private static final Logger LOGGER = LoggerFactory.getLogger(HttpGatewayServer.class);
    private static final long CLOSE_TIMEOUT_MILLIS = 5_000;

    private final Channel serverChannel;
    private final ChannelGroup connections;

    private HttpGatewayServer(final Channel serverChannel, final ChannelGroup connections)
    {
        this.serverChannel = serverChannel;
        this.connections = connections;
    }

    /**
     * Binds the gateway's HTTP listener of an {@code http} section: the REST Proxy routes, the endpoints the caller adds,
     * the TLS and credentials of the cluster's current snapshot (each new connection takes the snapshot's TLS context, so
     * a reload's certificates reach the next connections).
     *
     * @param http      the {@code http} section.
     * @param services  the cluster's gateway services.
     * @param network   the proxy's event loops and transport.
     * @param endpoints adds the routes of other packages (the SSE and WebSocket endpoints) to the router.
     * @return the bound listener.
     * @throws RuntimeException (Netty's unchecked rethrow of the {@code BindException}) when the address cannot be bound.
     */
    public static HttpGatewayServer start(
        final HttpConfig http, final GatewayServices services, final GatewayNetwork network, final Consumer<HttpRouter> endpoints)
    {
        final HttpRouter router = new HttpRouter();
        RestProxyRoutes.register(router, services, http.maxBodyBytes());
        endpoints.accept(router);
        final Supplier<SslContext> tls = http.tls() == null ? null : () -> services.snapshot().gateway().httpTls().sslContext();
        return bind(network.acceptor(), network.io(), network.serverChannelClass(),
            new InetSocketAddress(http.bindAddress().host(), http.bindAddress().port()), tls, router,
            new GatewayHttpAuthenticator(services),
            new GatewayHttpObserver(services.metrics()), http.maxBodyBytes(), http.idleTimeout());
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
        final ChannelGroup connections = new DefaultChannelGroup("kafka-proxy-http", GlobalEventExecutor.INSTANCE);
        final Channel channel = new ServerBootstrap()
            .group(acceptorGroup, ioGroup)
            .channel(channelClass)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.SO_KEEPALIVE, true)
            .childHandler(new HttpGatewayInitializer(tls, router, authenticator, observer, maxBodyBytes, idleTimeout.toMillis(),
                connections))
            .bind(address)
            .syncUninterruptibly()
            .channel();
        LOGGER.atInfo()
            .addKeyValue("bindAddress", channel.localAddress())
            .addKeyValue("tls", tls != null)
            .addKeyValue("maxBodyBytes", maxBodyBytes)
            .log("HTTP gateway listener bound");
        return new HttpGatewayServer(channel, connections);
    }

    @Override
    public InetSocketAddress address()
    {
        return (InetSocketAddress)serverChannel.localAddress();
    }

    @Override
    public void close()
    {
        serverChannel.close().syncUninterruptibly();
        // A request still waiting for Kafka gets no answer: the client sees the connection close, and retries.
        connections.close().awaitUninterruptibly(CLOSE_TIMEOUT_MILLIS);
    }
}

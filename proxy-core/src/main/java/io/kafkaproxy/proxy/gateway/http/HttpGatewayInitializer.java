package io.kafkaproxy.proxy.gateway.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AsciiString;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Builds the pipeline of one HTTP gateway connection. Inbound order:
 *
 * <pre>
 *   idle --> connection --> [ssl --> alpn] --> HTTP/1.1: httpCodec --> expectContinue --> keepAlive --> dispatcher
 *                                          \-> HTTP/2:   h2FrameCodec --> h2Multiplex ==(per stream)==> h2ToHttp --> dispatcher
 *   cleartext: h2cOrHttp1 (prior knowledge, or HTTP/1.1 with an Upgrade: h2c) before expectContinue
 * </pre>
 *
 * <p>Over TLS, ALPN chooses: {@code h2} gets HTTP/2, anything else HTTP/1.1. In clear text the first bytes choose: the
 * HTTP/2 connection preface (prior knowledge) gets HTTP/2, else HTTP/1.1, which a request with {@code Upgrade: h2c}
 * turns into HTTP/2 (its answer on stream 1). Every HTTP/2 stream is a child channel of its own, whose
 * {@link Http2StreamFrameToHttpObjectCodec} turns frames into the same {@code HttpObject}s HTTP/1.1 gives, so routes
 * see one model.
 *
 * <p>Stateless and {@link ChannelHandler.Sharable}: one per listener, every handler it adds is new per channel.
 */
@ChannelHandler.Sharable
final class HttpGatewayInitializer extends ChannelInitializer<Channel>
{
    private static final Logger LOGGER = LoggerFactory.getLogger(HttpGatewayInitializer.class);
    private static final int MAX_INITIAL_LINE_BYTES = 8192;
    private static final int MAX_HEADER_BYTES = 16384;
    private static final int MAX_CHUNK_BYTES = 65536;

    private final Supplier<SslContext> tls;
    private final HttpRouter router;
    private final HttpRequestAuthenticator authenticator;
    private final HttpRequestObserver observer;
    private final long maxBodyBytes;
    private final long idleTimeoutMillis;
    private final ChannelGroup connections;

    /**
     * Creates the initializer of a listener.
     *
     * @param tls               the TLS context of new connections (ALPN {@code h2}, {@code http/1.1}), read per connection so a
     *                          reload reaches the next one; null for clear text.
     * @param router            the routes.
     * @param authenticator     the identity stage.
     * @param observer          the meters.
     * @param maxBodyBytes      the largest request body; an h2c upgrade request's body is held whole up to this.
     * @param idleTimeoutMillis a connection neither read nor written this long is closed.
     * @param connections       the listener's open connections, which every new one joins (closing the listener closes them).
     */
    HttpGatewayInitializer(
        final Supplier<SslContext> tls,
        final HttpRouter router,
        final HttpRequestAuthenticator authenticator,
        final HttpRequestObserver observer,
        final long maxBodyBytes,
        final long idleTimeoutMillis,
        final ChannelGroup connections)
    {
        this.tls = tls;
        this.router = router;
        this.authenticator = authenticator;
        this.observer = observer;
        this.maxBodyBytes = maxBodyBytes;
        this.idleTimeoutMillis = idleTimeoutMillis;
        this.connections = connections;
    }

    @Override
    protected void initChannel(final Channel ch)
    {
        connections.add(ch);
        final ChannelPipeline pipeline = ch.pipeline();
        pipeline.addLast("idle", new IdleStateHandler(0, 0, idleTimeoutMillis, TimeUnit.MILLISECONDS));
        pipeline.addLast("connection", new HttpConnectionHandler(observer));
        if (tls != null)
        {
            pipeline.addLast("ssl", tls.get().newHandler(ch.alloc()));
            pipeline.addLast("alpn", new AlpnHandler());
        }
        else
        {
            final HttpServerCodec codec = newHttpCodec();
            final HttpServerUpgradeHandler upgrade = new HttpServerUpgradeHandler(codec, protocol ->
                AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol) ?
                    new Http2ServerUpgradeCodec(newHttp2FrameCodec(), newHttp2Multiplex()) : null,
                (int)Math.min(Integer.MAX_VALUE, maxBodyBytes));
            pipeline.addLast("h2cOrHttp1", new CleartextHttp2ServerUpgradeHandler(codec, upgrade, new ChannelInitializer<>()
            {
                @Override
                protected void initChannel(final Channel channel)
                {
                    channel.pipeline().addLast(newHttp2FrameCodec(), newHttp2Multiplex());
                }
            }));
            addHttp1Handlers(pipeline, false);
        }
    }

    private void addHttp1Handlers(final ChannelPipeline pipeline, final boolean withCodec)
    {
        if (withCodec)
        {
            pipeline.addLast("httpCodec", newHttpCodec());
        }
        pipeline.addLast("expectContinue", new HttpServerExpectContinueHandler());
        pipeline.addLast("keepAlive", new HttpServerKeepAliveHandler());
        pipeline.addLast("dispatcher", new HttpRequestDispatcher(router, authenticator, observer, false));
    }

    private static HttpServerCodec newHttpCodec()
    {
        return new HttpServerCodec(MAX_INITIAL_LINE_BYTES, MAX_HEADER_BYTES, MAX_CHUNK_BYTES);
    }

    private static Http2FrameCodec newHttp2FrameCodec()
    {
        return Http2FrameCodecBuilder.forServer()
            .initialSettings(Http2Settings.defaultSettings().maxHeaderListSize(MAX_HEADER_BYTES))
            .build();
    }

    private Http2MultiplexHandler newHttp2Multiplex()
    {
        return new Http2MultiplexHandler(new ChannelInitializer<>()
        {
            @Override
            protected void initChannel(final Channel stream)
            {
                stream.pipeline()
                    .addLast("h2ToHttp", new Http2StreamFrameToHttpObjectCodec(true))
                    .addLast("dispatcher", new HttpRequestDispatcher(router, authenticator, observer, true));
            }
        });
    }

    /**
     * Watches one connection's life: counted while open, closed when idle.
     *
     * <p>Per channel, never shared. Confined to the channel's event loop.
     */
    private static final class HttpConnectionHandler extends ChannelInboundHandlerAdapter
    {
        private final HttpRequestObserver observer;
        private boolean counted;

        HttpConnectionHandler(final HttpRequestObserver observer)
        {
            this.observer = observer;
        }

        @Override
        public void channelActive(final ChannelHandlerContext ctx)
        {
            counted = true;
            observer.onConnectionOpened();
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(final ChannelHandlerContext ctx)
        {
            if (counted)
            {
                counted = false;
                observer.onConnectionClosed();
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt)
        {
            if (evt instanceof IdleStateEvent)
            {
                ctx.close();
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }
    }

    /**
     * Completes a TLS connection's pipeline with the protocol ALPN chose.
     */
    private final class AlpnHandler extends ApplicationProtocolNegotiationHandler
    {
        AlpnHandler()
        {
            super(ApplicationProtocolNames.HTTP_1_1);
        }

        @Override
        protected void configurePipeline(final ChannelHandlerContext ctx, final String protocol)
        {
            if (ApplicationProtocolNames.HTTP_2.equals(protocol))
            {
                ctx.pipeline().addLast(newHttp2FrameCodec(), newHttp2Multiplex());
            }
            else
            {
                addHttp1Handlers(ctx.pipeline(), true);
            }
        }

        @Override
        protected void handshakeFailure(final ChannelHandlerContext ctx, final Throwable cause)
        {
            // A failed handshake is the client's problem (an untrusted or missing certificate, a port probe): counted,
            // and logged per connection at DEBUG only.
            observer.onBadRequest("tls_handshake_failed");
            if (LOGGER.isDebugEnabled())
            {
                LOGGER.atDebug()
                    .addKeyValue("channelId", ctx.channel().id().asShortText())
                    .addKeyValue("clientAddress", ctx.channel().remoteAddress())
                    .addKeyValue("error", String.valueOf(cause))
                    .log("HTTP gateway TLS handshake failed");
            }
            ctx.close();
        }
    }
}

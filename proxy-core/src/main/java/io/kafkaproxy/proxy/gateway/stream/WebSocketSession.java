package io.kafkaproxy.proxy.gateway.stream;

import io.kafkaproxy.proxy.gateway.GatewayMetrics;
import io.kafkaproxy.proxy.gateway.http.HttpExchange;
import io.kafkaproxy.proxy.gateway.http.HttpRouteHandler;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One WebSocket subscription of a topic: upgrades a {@code GET /v1/stream/{topic}} request, then writes each record
 * as a text frame (its JSON, see {@link FeedRecordJson}) or, with {@code format=binary}, a binary frame (see
 * {@link FeedRecordBinary}); pings every heartbeatInterval and answers the client's pings.
 *
 * <p>Close codes: 1013 (try again later) for a subscriber dropped as slow or refused for too many subscribers, 1008
 * (policy violation) for a denied one (also at the first ping after a reload took READ away) or an unknown topic,
 * 1001 when the proxy stops, 1011 when the feed failed.
 * A client resumes with {@code offsets=} built from the last record of each partition it took ({@code offset + 1}).
 *
 * <p>Per connection, never shared. Confined to the channel's event loop. Holds no records: what waits for the
 * client waits in the channel.
 */
final class WebSocketSession extends ChannelInboundHandlerAdapter implements FeedSubscriber, HttpRouteHandler
{
    static final String PROTOCOL = "websocket";
    private static final Logger LOGGER = LoggerFactory.getLogger(WebSocketSession.class);
    private static final int MAX_CLIENT_FRAME_BYTES = 64 * 1024;
    private static final long CLOSE_GRACE_MILLIS = 1000;
    private static final WebSocketCloseStatus POLICY_VIOLATION = WebSocketCloseStatus.POLICY_VIOLATION;

    private final Channel channel;
    private final String topic;
    private final GatewayMetrics metrics;
    private final Duration heartbeatInterval;
    private final boolean binary;
    private final BooleanSupplier stillAllowed;
    private FeedSubscription subscription;
    private ScheduledFuture<?> heartbeat;
    private int recordsSinceFlush;
    private boolean streaming;
    private boolean finished;

    private WebSocketSession(
        final Channel channel,
        final String topic,
        final GatewayMetrics metrics,
        final Duration heartbeatInterval,
        final boolean binary,
        final BooleanSupplier stillAllowed)
    {
        this.channel = channel;
        this.topic = topic;
        this.metrics = metrics;
        this.heartbeatInterval = heartbeatInterval;
        this.binary = binary;
        this.stillAllowed = stillAllowed;
    }

    /**
     * Upgrades the request and subscribes; the feed's start or refusal follows.
     *
     * @param exchange          the request.
     * @param feeds             the cluster's feeds.
     * @param request           what it asks for.
     * @param metrics           the meters.
     * @param heartbeatInterval how often to ping.
     * @param stillAllowed      whether the client may still read, asked at each ping (a reload may take READ away).
     * @return what receives the request's (empty) body.
     */
    static HttpRouteHandler subscribe(
        final HttpExchange exchange,
        final TopicFeeds feeds,
        final StreamRequest request,
        final GatewayMetrics metrics,
        final Duration heartbeatInterval,
        final BooleanSupplier stillAllowed)
    {
        final WebSocketSession session = new WebSocketSession(exchange.ctx().channel(), request.topic(), metrics, heartbeatInterval,
            request.binary(), stillAllowed);
        if (!upgrade(exchange, session))
        {
            return HttpRouteHandler.DISCARD;
        }
        session.subscription = request.group() == null
            ? feeds.subscribe(request.topic(), request.start(), session)
            : feeds.subscribeGroup(request.topic(), request.group(), request.start(), session);
        return session;
    }

    /**
     * Upgrades the request, then closes with 1008: a client that may not read the topic learns why, which a browser
     * would not from a refused handshake.
     *
     * @param exchange the request.
     * @param reason   the close reason.
     * @return what receives the request's (empty) body.
     */
    static HttpRouteHandler refuse(final HttpExchange exchange, final String reason)
    {
        final WebSocketSession session = new WebSocketSession(exchange.ctx().channel(), "", null, Duration.ZERO, false, () -> false);
        if (upgrade(exchange, session))
        {
            session.finished = true;
            session.close(POLICY_VIOLATION, reason);
        }
        return HttpRouteHandler.DISCARD;
    }

    private static boolean upgrade(final HttpExchange exchange, final WebSocketSession session)
    {
        final HttpRequest head = exchange.request();
        // The handshaker wants a whole request; a stream GET has no body, so its head is all of it.
        final FullHttpRequest request = new DefaultFullHttpRequest(head.protocolVersion(), head.method(), head.uri(),
            Unpooled.EMPTY_BUFFER, head.headers(), io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE);
        final WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(head.uri(), null, false,
            MAX_CLIENT_FRAME_BYTES).newHandshaker(request);
        final Channel channel = exchange.ctx().channel();
        if (handshaker == null)
        {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(channel);
            exchange.detach(426);
            return false;
        }
        channel.pipeline().addLast("webSocketSession", session);
        handshaker.handshake(channel, request).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        exchange.detach(101);
        return true;
    }

    @Override
    public EventLoop eventLoop()
    {
        return channel.eventLoop();
    }

    @Override
    public void onStart(final FeedSubscription started)
    {
        if (finished)
        {
            return;
        }
        streaming = true;
        metrics.sessions(PROTOCOL).incrementAndGet();
        final long millis = heartbeatInterval.toMillis();
        heartbeat = channel.eventLoop().scheduleAtFixedRate(this::ping, millis, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void onRecord(final FeedRecord record, final FeedSubscription current)
    {
        // The frame's payload is the record's encoding, shared by every subscriber: wrapped, not copied.
        channel.write(binary
            ? new BinaryWebSocketFrame(Unpooled.wrappedBuffer(FeedRecordBinary.of(record)))
            : new TextWebSocketFrame(Unpooled.wrappedBuffer(FeedRecordJson.of(record))));
        recordsSinceFlush++;
    }

    @Override
    public void onFlush()
    {
        channel.flush();
        if (recordsSinceFlush > 0)
        {
            metrics.onRecords(PROTOCOL, "out", topic, recordsSinceFlush);
            recordsSinceFlush = 0;
        }
    }

    @Override
    public long backlogBytes()
    {
        return FeedSubscriber.channelBacklogBytes(channel);
    }

    @Override
    public void onClosed(final FeedCloseReason reason)
    {
        if (finished)
        {
            return;
        }
        if (recordsSinceFlush > 0)
        {
            onFlush();
        }
        if (streaming || reason == FeedCloseReason.MAX_SUBSCRIBERS)
        {
            metrics.onSubscriberDropped(PROTOCOL, reason.label());
        }
        finish();
        switch (reason)
        {
            case SLOW, MAX_SUBSCRIBERS -> close(WebSocketCloseStatus.TRY_AGAIN_LATER, reason.label());
            case UNKNOWN_TOPIC -> close(POLICY_VIOLATION, "Topic " + topic + " not found.");
            case SHUTDOWN -> close(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE, reason.label());
            // The offsets sent so far are the upstream left's: the client subscribes again, without them.
            case UPSTREAM_SWITCHED -> close(WebSocketCloseStatus.SERVICE_RESTART, reason.label());
            default -> close(WebSocketCloseStatus.INTERNAL_SERVER_ERROR, reason.label());
        }
    }

    @Override
    public void onContent(final HttpContent content)
    {
        content.release();
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        try
        {
            if (msg instanceof PingWebSocketFrame ping)
            {
                ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
            }
            else if (msg instanceof CloseWebSocketFrame)
            {
                cancel();
                ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE)).addListener(ChannelFutureListener.CLOSE);
            }
            // Text, binary and pong frames from the client carry nothing the stream needs.
        }
        finally
        {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        // A malformed frame or a reset from a client that left: per connection, so DEBUG; the connection goes.
        LOGGER.atDebug()
            .addKeyValue("channelId", ctx.channel().id().asShortText())
            .addKeyValue("error", String.valueOf(cause))
            .log("WebSocket stream failed");
        cancel();
        ctx.close();
    }

    private void cancel()
    {
        if (subscription != null)
        {
            subscription.cancel();
        }
        finish();
    }

    private void ping()
    {
        if (finished || !channel.isActive())
        {
            return;
        }
        switch (HeartbeatVerdict.of(subscription, stillAllowed, metrics, PROTOCOL))
        {
            case SLOW -> onClosed(FeedCloseReason.SLOW);
            case DENIED ->
            {
                finish();
                close(POLICY_VIOLATION, "Not authorized to read topic " + topic + ".");
            }
            case PING -> channel.writeAndFlush(new PingWebSocketFrame());
        }
    }

    private void close(final WebSocketCloseStatus status, final String reason)
    {
        // A slow client may not read the close frame: it gets a moment, then the channel and its backlog go.
        channel.writeAndFlush(new CloseWebSocketFrame(status.code(), reason)).addListener(ChannelFutureListener.CLOSE);
        channel.eventLoop().schedule(() -> channel.close(), CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void finish()
    {
        if (finished)
        {
            return;
        }
        finished = true;
        if (heartbeat != null)
        {
            heartbeat.cancel(false);
        }
        if (streaming)
        {
            metrics.sessions(PROTOCOL).decrementAndGet();
        }
    }
}

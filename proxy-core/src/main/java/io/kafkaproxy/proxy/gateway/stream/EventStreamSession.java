package io.kafkaproxy.proxy.gateway.stream;

import io.kafkaproxy.proxy.gateway.GatewayMetrics;
import io.kafkaproxy.proxy.gateway.http.HttpExchange;
import io.kafkaproxy.proxy.gateway.http.HttpRouteHandler;
import io.kafkaproxy.proxy.gateway.http.RestErrorBody;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.ScheduledFuture;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One Server-Sent Events stream of a topic: a {@link FeedSubscriber} that writes each record as an event on the
 * response of a {@code GET /v1/stream/{topic}}.
 *
 * <pre>
 * event: start                         once, before any record: where the stream starts
 * id: 0:15,1:22
 * data: {"topic":"orders","positions":{"0":15,"1":22}}
 *
 * id: 0:16,1:22                        per record: the next offset per partition, after this record
 * event: record
 * data: {"topic":"orders","partition":0,"offset":15,...}      (see FeedRecordJson)
 *
 * : ping                               every heartbeatInterval
 *
 * event: overflow                      last, when dropped by the slow-subscriber rule; reconnect with Last-Event-ID
 * data: {"reason":"slow"}
 *
 * event: denied                        last, at the first heartbeat after a reload took READ away
 * data: {"reason":"denied"}
 *
 * event: switched                      last, when the cluster switched upstream (failover, failback): the offsets
 * id                                   sent so far are the other upstream's, so the empty id clears the client's
 * data: {"reason":"upstream_switched"}  Last-Event-ID and an EventSource reconnects as a new subscriber
 * </pre>
 *
 * <p>Per request. Confined to the request channel's event loop, where every callback of the feed and of the
 * dispatcher runs. Holds no records: what waits for the client waits in the channel.
 */
final class EventStreamSession implements FeedSubscriber, HttpRouteHandler
{
    static final String PROTOCOL = "sse";
    private static final String CONTENT_TYPE = "text/event-stream; charset=utf-8";
    private static final byte[] RECORD_EVENT = "\nevent: record\ndata: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT_END = "\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PING = ": ping\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final long CLOSE_GRACE_MILLIS = 1000;

    private final HttpExchange exchange;
    private final Channel channel;
    private final String topic;
    private final GatewayMetrics metrics;
    private final Duration heartbeatInterval;
    private final BooleanSupplier stillAllowed;
    private FeedSubscription subscription;
    private ScheduledFuture<?> heartbeat;
    private int recordsSinceFlush;
    private boolean streaming;
    private boolean finished;

    EventStreamSession(
        final HttpExchange exchange,
        final String topic,
        final GatewayMetrics metrics,
        final Duration heartbeatInterval,
        final BooleanSupplier stillAllowed)
    {
        this.exchange = exchange;
        this.channel = exchange.ctx().channel();
        this.topic = topic;
        this.metrics = metrics;
        this.heartbeatInterval = heartbeatInterval;
        this.stillAllowed = stillAllowed;
    }

    /**
     * Subscribes; the answer follows at the feed's start or refusal.
     *
     * @param feeds   the cluster's feeds.
     * @param request the request.
     */
    void subscribe(final TopicFeeds feeds, final StreamRequest request)
    {
        subscription = request.group() == null
            ? feeds.subscribe(topic, request.start(), this)
            : feeds.subscribeGroup(topic, request.group(), request.start(), this);
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
        // No cache may keep a live stream, and a buffering reverse proxy (nginx) must pass each event at once.
        exchange.startStream(HttpResponseStatus.OK, CONTENT_TYPE,
            new DefaultHttpHeaders().set(HttpHeaderNames.CACHE_CONTROL, "no-cache").set("X-Accel-Buffering", "no"));
        final StringBuilder event = new StringBuilder(64).append("event: start\nid: ");
        started.appendPositions(event).append("\ndata: {\"topic\":");
        appendJsonString(event, topic).append(",\"positions\":{");
        boolean first = true;
        for (final Map.Entry<Integer, Long> position : started.positions().entrySet())
        {
            event.append(first ? "" : ",").append('"').append(position.getKey()).append("\":").append(position.getValue());
            first = false;
        }
        event.append("}}\n\n");
        exchange.writeChunk(ByteBufUtil.writeUtf8(channel.alloc(), event));
        exchange.flush();
        final long millis = heartbeatInterval.toMillis();
        heartbeat = channel.eventLoop().scheduleAtFixedRate(this::ping, millis, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void onRecord(final FeedRecord record, final FeedSubscription current)
    {
        final StringBuilder id = current.appendPositions(new StringBuilder(24).append("id: "));
        // The JSON is the record's, shared by every subscriber: wrapped, not copied.
        final ByteBuf event = Unpooled.wrappedBuffer(
            ByteBufUtil.writeAscii(channel.alloc(), id),
            Unpooled.wrappedBuffer(RECORD_EVENT),
            Unpooled.wrappedBuffer(FeedRecordJson.of(record)),
            Unpooled.wrappedBuffer(EVENT_END));
        exchange.writeChunk(event);
        recordsSinceFlush++;
    }

    @Override
    public void onFlush()
    {
        exchange.flush();
        if (recordsSinceFlush > 0)
        {
            metrics.onRecords(PROTOCOL, "out", topic, recordsSinceFlush);
            recordsSinceFlush = 0;
        }
    }

    @Override
    public long backlogBytes()
    {
        // An HTTP/2 stream writes into its connection, whose buffer holds what waits.
        final Channel parent = channel.parent();
        return FeedSubscriber.channelBacklogBytes(channel) + (parent == null ? 0 : FeedSubscriber.channelBacklogBytes(parent));
    }

    @Override
    public void onClosed(final FeedCloseReason reason)
    {
        if (finished)
        {
            return;
        }
        if (!streaming)
        {
            finished = true;
            refuse(reason);
            return;
        }
        if (recordsSinceFlush > 0)
        {
            onFlush();
        }
        metrics.onSubscriberDropped(PROTOCOL, reason.label());
        if (reason == FeedCloseReason.SLOW)
        {
            exchange.writeChunk(ByteBufUtil.writeAscii(channel.alloc(), "event: overflow\ndata: {\"reason\":\"slow\"}\n\n"));
        }
        else if (reason == FeedCloseReason.UPSTREAM_SWITCHED)
        {
            exchange.writeChunk(ByteBufUtil.writeAscii(channel.alloc(),
                "event: switched\nid\ndata: {\"reason\":\"upstream_switched\"}\n\n"));
        }
        finish();
        // A slow client may not read the last words: they get a moment, then the channel and its backlog go.
        exchange.endStream().addListener(ChannelFutureListener.CLOSE);
        channel.eventLoop().schedule(() -> channel.close(), CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void onContent(final HttpContent content)
    {
        content.release();
    }

    @Override
    public void onAbort()
    {
        if (subscription != null)
        {
            subscription.cancel();
        }
        finish();
    }

    private void refuse(final FeedCloseReason reason)
    {
        switch (reason)
        {
            case UNKNOWN_TOPIC -> exchange.respondError(HttpResponseStatus.NOT_FOUND, RestErrorBody.TOPIC_NOT_FOUND,
                "Topic " + topic + " not found.");
            case MAX_SUBSCRIBERS ->
            {
                metrics.onSubscriberDropped(PROTOCOL, reason.label());
                exchange.respondError(HttpResponseStatus.SERVICE_UNAVAILABLE, 50301, "too many subscribers",
                    new DefaultHttpHeaders().set(HttpHeaderNames.RETRY_AFTER, "5"));
            }
            default -> exchange.respondError(HttpResponseStatus.SERVICE_UNAVAILABLE, RestErrorBody.KAFKA_RETRIABLE_ERROR,
                "subscription failed: " + reason.label(), new DefaultHttpHeaders().set(HttpHeaderNames.RETRY_AFTER, "5"));
        }
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
                exchange.writeChunk(ByteBufUtil.writeAscii(channel.alloc(), "event: denied\ndata: {\"reason\":\"denied\"}\n\n"));
                finish();
                exchange.endStream().addListener(ChannelFutureListener.CLOSE);
            }
            case PING ->
            {
                exchange.writeChunk(Unpooled.wrappedBuffer(PING));
                exchange.flush();
            }
        }
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

    private static StringBuilder appendJsonString(final StringBuilder to, final String value)
    {
        to.append('"');
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            if (c == '"' || c == '\\')
            {
                to.append('\\');
            }
            to.append(c);
        }
        return to.append('"');
    }
}

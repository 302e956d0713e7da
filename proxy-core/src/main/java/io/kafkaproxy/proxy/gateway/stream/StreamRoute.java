package io.kafkaproxy.proxy.gateway.stream;

import io.kafkaproxy.proxy.gateway.GatewayClient;
import io.kafkaproxy.proxy.gateway.GatewayServices;
import io.kafkaproxy.proxy.gateway.http.HttpExchange;
import io.kafkaproxy.proxy.gateway.http.HttpRoute;
import io.kafkaproxy.proxy.gateway.http.HttpRouteHandler;
import io.kafkaproxy.proxy.gateway.http.HttpRouter;
import io.kafkaproxy.proxy.gateway.http.RestErrorBody;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;

import java.net.InetAddress;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /v1/stream/{topic}}: a topic's records live, as Server-Sent Events, or over WebSocket when the request
 * is an upgrade ({@code Upgrade: websocket}). Checks the request and the client's READ permission on the topic (and
 * on the group, for {@code group=}), then hands the request to a session that subscribes to the cluster's
 * {@link TopicFeeds}. The permission is asked again at each heartbeat, so a reload that takes it away ends the stream.
 *
 * <p>Stateless, shared by every connection of the HTTP listener.
 */
public final class StreamRoute implements HttpRoute
{
    /** The route's path template. */
    public static final String TEMPLATE = "/v1/stream/{topic}";

    private final GatewayServices services;
    private final Duration heartbeatInterval;

    /**
     * The route of a cluster's gateway.
     *
     * @param services the cluster's gateway services.
     */
    public StreamRoute(final GatewayServices services)
    {
        this.services = services;
        this.heartbeatInterval = services.settings().subscriptions().heartbeatInterval();
    }

    /**
     * Adds the route to an HTTP listener's router.
     *
     * @param router   the router.
     * @param services the cluster's gateway services.
     */
    public static void register(final HttpRouter router, final GatewayServices services)
    {
        router.add(HttpMethod.GET, TEMPLATE, new StreamRoute(services));
    }

    @Override
    public HttpRouteHandler open(final HttpExchange exchange)
    {
        final boolean webSocket = isWebSocketUpgrade(exchange);
        final String protocol = webSocket ? "websocket" : EventStreamSession.PROTOCOL;
        final String topic = exchange.pathParameter("topic");
        final StreamRequest request;
        try
        {
            Topic.validate(topic);
            request = StreamRequest.parse(topic, exchange.query(), exchange.request().headers());
        }
        catch (final InvalidTopicException e)
        {
            exchange.refuseBadInput(HttpResponseStatus.NOT_FOUND, RestErrorBody.TOPIC_NOT_FOUND, "unknown_topic",
                "Topic " + topic + " not found.");
            return HttpRouteHandler.DISCARD;
        }
        catch (final IllegalArgumentException e)
        {
            exchange.refuseBadInput(HttpResponseStatus.BAD_REQUEST, HttpResponseStatus.BAD_REQUEST.code(), "bad_stream_request",
                e.getMessage());
            return HttpRouteHandler.DISCARD;
        }
        final String principal = exchange.principal();
        final InetAddress address = exchange.clientAddress().getAddress();
        final BooleanSupplier allowed = () -> mayRead(services.access().forClient(principal, address), request);
        if (!allowed.getAsBoolean())
        {
            services.metrics().onSubscriberDropped(protocol, "denied");
            final String denial = "Not authorized to read topic " + topic
                + (request.group() == null ? "" : " in group " + request.group()) + ".";
            if (webSocket)
            {
                return WebSocketSession.refuse(exchange, denial);
            }
            exchange.respondError(HttpResponseStatus.FORBIDDEN, RestErrorBody.FORBIDDEN, denial);
            return HttpRouteHandler.DISCARD;
        }
        if (webSocket)
        {
            return WebSocketSession.subscribe(exchange, services.feeds(), request, services.metrics(), heartbeatInterval, allowed);
        }
        if (request.binary())
        {
            exchange.refuseBadInput(HttpResponseStatus.BAD_REQUEST, HttpResponseStatus.BAD_REQUEST.code(), "bad_stream_request",
                "format=binary needs a WebSocket: Server-Sent Events are text");
            return HttpRouteHandler.DISCARD;
        }
        final EventStreamSession session = new EventStreamSession(exchange, topic, services.metrics(), heartbeatInterval, allowed);
        session.subscribe(services.feeds(), request);
        return session;
    }

    private static boolean mayRead(final GatewayClient client, final StreamRequest request)
    {
        return client.mayRead(request.topic()) && (request.group() == null || client.mayReadGroup(request.group()));
    }

    private static boolean isWebSocketUpgrade(final HttpExchange exchange)
    {
        return !exchange.isHttp2()
            && exchange.request().headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
    }
}

package io.kafkaproxy.proxy.gateway.http;

/**
 * One endpoint of the HTTP gateway: what serves the requests whose method and path match the template it is
 * registered under in a {@link HttpRouter}. This is the seam through which other packages (the SSE and WebSocket
 * endpoints of {@code gateway.stream}) add their endpoints to the HTTP listener.
 *
 * <p>The dispatcher has already decoded the request head, matched the route, authenticated the client and checked
 * nothing else: authorization (which needs the route's resource, a topic) is the route's. The request's body, if any,
 * follows as {@link io.netty.handler.codec.http.HttpContent} messages handed to the returned handler.
 *
 * <p>Implementations are shared by every connection, so they keep no per-request state: that goes in the
 * {@link HttpRouteHandler} they return. {@link #open} runs on the request channel's event loop (a connection's, or an
 * HTTP/2 stream's, which is its connection's) and must not block.
 */
@FunctionalInterface
public interface HttpRoute
{
    /**
     * Starts serving one request.
     *
     * @param exchange the request and the way to answer it; the route answers exactly once, now or later, with one of
     *                 its {@code respond} methods or a streamed response, from the channel's event loop.
     * @return what receives the request's body; {@link HttpRouteHandler#DISCARD} when the route needs no body.
     */
    HttpRouteHandler open(HttpExchange exchange);
}

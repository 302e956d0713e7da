package io.kafkaproxy.proxy.gateway.http;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Receives one request's body, chunk by chunk, as the connection reads it; created by {@link HttpRoute#open} for that
 * request.
 *
 * <p>Per request, never shared. Confined to the request channel's event loop.
 */
public interface HttpRouteHandler
{
    /** A handler that drops the body: for routes that read none, and for requests already answered. */
    HttpRouteHandler DISCARD = content -> content.release();

    /**
     * Takes the next chunk of the body. A {@link LastHttpContent} (possibly empty) ends the body.
     *
     * @param content the chunk; ownership moves to the handler, which releases it.
     */
    void onContent(HttpContent content);

    /**
     * The request's channel closed before its exchange was complete (the client left, the connection failed or idled
     * out): release what is held, and stop answering. Called at most once; not called once the exchange is complete.
     */
    default void onAbort()
    {
    }
}

package io.kafkaproxy.proxy.gateway.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;

import java.util.function.Consumer;

/**
 * Collects a request's body whole, up to the listener's limit, then hands it to the route: for the routes whose body
 * is one JSON document (REST v2 produce). A body over the limit, by its {@code Content-Length} or as it arrives, is
 * answered 413 at once and the rest of it read and dropped, so the connection can serve its next request.
 *
 * <p>Per request, never shared. Confined to the request channel's event loop.
 */
final class BodyAggregator implements HttpRouteHandler
{
    private final HttpExchange exchange;
    private final long maxBodyBytes;
    private final Consumer<ByteBuf> onBody;
    private CompositeByteBuf body;
    private boolean refused;

    /**
     * Starts collecting; answers 413 now if the declared length is over the limit.
     *
     * @param exchange     the request.
     * @param maxBodyBytes the largest body taken.
     * @param onBody       takes the whole body (ownership moves to it) once the request has ended.
     */
    BodyAggregator(final HttpExchange exchange, final long maxBodyBytes, final Consumer<ByteBuf> onBody)
    {
        this.exchange = exchange;
        this.maxBodyBytes = maxBodyBytes;
        this.onBody = onBody;
        final long declared = HttpUtil.getContentLength(exchange.request(), -1L);
        if (declared > maxBodyBytes)
        {
            refuse();
        }
    }

    @Override
    public void onContent(final HttpContent content)
    {
        if (refused)
        {
            content.release();
            return;
        }
        if (body == null)
        {
            body = exchange.ctx().alloc().compositeBuffer(Integer.MAX_VALUE);
        }
        body.addComponent(true, content.content());
        if (body.readableBytes() > maxBodyBytes)
        {
            body.release();
            body = null;
            refuse();
            return;
        }
        if (content instanceof LastHttpContent)
        {
            final ByteBuf whole = body;
            body = null;
            onBody.accept(whole);
        }
    }

    @Override
    public void onAbort()
    {
        if (body != null)
        {
            body.release();
            body = null;
        }
    }

    private void refuse()
    {
        refused = true;
        exchange.refuseBadInput(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code(),
            "body_too_large", "request body larger than http.maxBodyBytes=" + maxBodyBytes);
    }
}

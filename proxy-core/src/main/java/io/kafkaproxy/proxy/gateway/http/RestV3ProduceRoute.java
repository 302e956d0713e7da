package io.kafkaproxy.proxy.gateway.http;

import io.kafkaproxy.proxy.gateway.GatewayClient;
import io.kafkaproxy.proxy.gateway.GatewayServices;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;

/**
 * REST Proxy v3 produce: {@code POST /v3/clusters/{cluster_id}/topics/{topic}/records}, one record
 * ({@code {"partition_id":..,"headers":[..],"key":{"type":..,"data":..},"value":{..}}}) or, in streaming mode (a
 * chunked body, or an HTTP/2 body without a length), any number of records as concatenated JSON, each answered by its
 * own delivery report in the request's order, written as soon as it and those before it are complete.
 *
 * <pre>
 *   content type (415) → WRITE on the topic (403/40301) → per request: {@link RestV3RecordStream}
 *     (cluster id and topic checked once (404), then each record: parse (400) → partition (404) → producer → report)
 * </pre>
 *
 * <p>Shared by every connection.
 */
final class RestV3ProduceRoute implements HttpRoute
{
    private final GatewayServices services;
    private final long maxBodyBytes;

    RestV3ProduceRoute(final GatewayServices services, final long maxBodyBytes)
    {
        this.services = services;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public HttpRouteHandler open(final HttpExchange exchange)
    {
        final String contentType = exchange.request().headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (contentType == null || !mediaType(contentType).equalsIgnoreCase(RestContentTypes.JSON))
        {
            exchange.refuseBadInput(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE.code(),
                "unsupported_content_type", "HTTP 415 Unsupported Media Type");
            return HttpRouteHandler.DISCARD;
        }
        final String topic = exchange.pathParameter("topic");
        final GatewayClient client = services.access().forClient(exchange.principal(), exchange.clientAddress().getAddress());
        if (!client.mayWrite(topic))
        {
            RestTopicRoutes.forbid(exchange, topic);
            return HttpRouteHandler.DISCARD;
        }
        final boolean streaming = exchange.isHttp2() ? !HttpUtil.isContentLengthSet(exchange.request()) :
            HttpUtil.isTransferEncodingChunked(exchange.request());
        if (!streaming && HttpUtil.getContentLength(exchange.request(), 0L) > maxBodyBytes)
        {
            exchange.refuseBadInput(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code(),
                "body_too_large", "request body larger than http.maxBodyBytes=" + maxBodyBytes);
            return HttpRouteHandler.DISCARD;
        }
        return new RestV3RecordStream(exchange, services, client, exchange.pathParameter("cluster_id"), topic, streaming,
            (int)Math.min(Integer.MAX_VALUE, maxBodyBytes));
    }

    static String mediaType(final String contentType)
    {
        final int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
    }
}

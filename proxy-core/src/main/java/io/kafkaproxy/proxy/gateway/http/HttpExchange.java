package io.kafkaproxy.proxy.gateway.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.EventExecutor;

import java.net.InetSocketAddress;
import java.util.Map;

/**
 * One HTTP request and its answer, as a route sees it: the request head, the path parameters, the client's principal,
 * and the ways to answer (a whole response, an error in REST Proxy's form, or a streamed response of chunks).
 *
 * <p>A route answers exactly once; writes after the answer is complete are refused ({@link IllegalStateException}), so
 * a late Kafka acknowledgement for a request already answered (with a 413, say) cannot write into the next request's
 * answer on a keep-alive connection.
 *
 * <p>Confined to the request channel's event loop: every method must be called there (use {@link #executor()} to get
 * back to it from a producer thread). Created by the dispatcher per request.
 */
public final class HttpExchange
{
    private final ChannelHandlerContext ctx;
    private final HttpRequest request;
    private final String route;
    private final Map<String, String> pathParameters;
    private final boolean http2;
    private final long startNanos;
    private final ExchangeListener listener;
    private String principal;
    private QueryStringDecoder query;
    private int status;
    private boolean responseStarted;
    private boolean complete;
    private ChannelFuture lastWrite;

    /**
     * What the dispatcher learns from an exchange.
     */
    interface ExchangeListener
    {
        /**
         * The response is fully written (its last chunk).
         *
         * @param exchange the exchange.
         */
        void onResponseComplete(HttpExchange exchange);

        /**
         * The exchange refuses bad input from the client: count it, and log it if the connection has not yet.
         *
         * @param exchange the exchange.
         * @param reason   the kind of bad input.
         * @param message  what was wrong.
         */
        void onBadInput(HttpExchange exchange, String reason, String message);

        /**
         * Pauses or resumes reading the request channel, for the route's back-pressure.
         *
         * @param paused true to stop reading.
         */
        void onRoutePaused(boolean paused);
    }

    HttpExchange(
        final ChannelHandlerContext ctx, final HttpRequest request, final String route, final Map<String, String> pathParameters,
        final boolean http2, final long startNanos, final ExchangeListener listener)
    {
        this.ctx = ctx;
        this.request = request;
        this.route = route;
        this.pathParameters = pathParameters;
        this.http2 = http2;
        this.startNanos = startNanos;
        this.listener = listener;
    }

    /**
     * The request's head (method, URI, headers); its body goes to the route's handler.
     *
     * @return the request.
     */
    public HttpRequest request()
    {
        return request;
    }

    /**
     * The template of the matched route, which names it in metrics and logs.
     *
     * @return e.g. {@code /topics/{topic}}; {@code unmatched} when no route matched.
     */
    public String route()
    {
        return route;
    }

    /**
     * A path parameter.
     *
     * @param name its name in the route's template.
     * @return its percent-decoded value, or null if the template has no such parameter.
     */
    public String pathParameter(final String name)
    {
        return pathParameters.get(name);
    }

    /**
     * The request's query parameters, decoded on first use.
     *
     * @return the decoder of the request's URI.
     */
    public QueryStringDecoder query()
    {
        if (query == null)
        {
            query = new QueryStringDecoder(request.uri());
        }
        return query;
    }

    /**
     * Whether the request came on an HTTP/2 stream (then {@link #ctx()} is the stream's child channel's).
     *
     * @return true for HTTP/2, false for HTTP/1.x.
     */
    public boolean isHttp2()
    {
        return http2;
    }

    /**
     * The principal the request was authenticated as.
     *
     * @return the principal's name; {@code ANONYMOUS} when no credentials were needed.
     */
    public String principal()
    {
        return principal;
    }

    void principal(final String principal)
    {
        this.principal = principal;
    }

    /**
     * The client's address (of the TCP connection, for HTTP/2 too).
     *
     * @return the remote address.
     */
    public InetSocketAddress clientAddress()
    {
        final io.netty.channel.Channel channel = http2 && ctx.channel().parent() != null ? ctx.channel().parent() : ctx.channel();
        return (InetSocketAddress)channel.remoteAddress();
    }

    /**
     * The request channel's handler context, for a route that takes the channel over (a WebSocket upgrade) or writes
     * a long stream itself; such a route still answers through this exchange, or calls {@link #detach()}.
     *
     * @return the dispatcher's context in the request channel's pipeline.
     */
    public ChannelHandlerContext ctx()
    {
        return ctx;
    }

    /**
     * The request channel's event loop, to come back to from another thread.
     *
     * @return the executor.
     */
    public EventExecutor executor()
    {
        return ctx.executor();
    }

    /**
     * When the dispatcher started the exchange, for latency.
     *
     * @return a {@link System#nanoTime()} reading.
     */
    public long startNanos()
    {
        return startNanos;
    }

    /**
     * The status answered, once the response has started.
     *
     * @return the status code, or 0 before.
     */
    public int status()
    {
        return status;
    }

    /**
     * Whether the answer is complete.
     *
     * @return true once the last byte of the response was written.
     */
    public boolean isComplete()
    {
        return complete;
    }

    /**
     * Whether an answer has started.
     *
     * @return true once a response head was written.
     */
    public boolean isResponseStarted()
    {
        return responseStarted;
    }

    /**
     * Answers with a whole response.
     *
     * @param responseStatus the status.
     * @param contentType    the body's content type.
     * @param body           the body; ownership moves to the exchange.
     * @return the write's future.
     * @throws IllegalStateException if the exchange has already answered (the body is released).
     */
    public ChannelFuture respond(final HttpResponseStatus responseStatus, final String contentType, final ByteBuf body)
    {
        return respond(responseStatus, contentType, body, null);
    }

    /**
     * Answers with a whole response and extra headers.
     *
     * @param responseStatus the status.
     * @param contentType    the body's content type.
     * @param body           the body; ownership moves to the exchange.
     * @param extraHeaders   headers to add, or null.
     * @return the write's future.
     * @throws IllegalStateException if the exchange has already answered (the body is released).
     */
    public ChannelFuture respond(
        final HttpResponseStatus responseStatus, final String contentType, final ByteBuf body, final HttpHeaders extraHeaders)
    {
        if (responseStarted)
        {
            body.release();
            throw new IllegalStateException("exchange already answered: route=" + route + ", status=" + status);
        }
        final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, responseStatus, body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        HttpUtil.setContentLength(response, body.readableBytes());
        if (extraHeaders != null)
        {
            response.headers().add(extraHeaders);
        }
        markStarted(response);
        complete = true;
        lastWrite = ctx.writeAndFlush(response);
        listener.onResponseComplete(this);
        return lastWrite;
    }

    /**
     * Answers with an error in REST Proxy's form, {@code {"error_code":...,"message":...}}.
     *
     * @param responseStatus the status.
     * @param errorCode      REST Proxy's code (see {@link RestErrorBody}).
     * @param message        for people; never credentials or record data.
     * @return the write's future.
     * @throws IllegalStateException if the exchange has already answered.
     */
    public ChannelFuture respondError(final HttpResponseStatus responseStatus, final int errorCode, final String message)
    {
        return respondError(responseStatus, errorCode, message, null);
    }

    /**
     * Answers with an error in REST Proxy's form and extra headers ({@code WWW-Authenticate}, {@code Retry-After}).
     *
     * @param responseStatus the status.
     * @param errorCode      REST Proxy's code (see {@link RestErrorBody}).
     * @param message        for people; never credentials or record data.
     * @param extraHeaders   headers to add, or null.
     * @return the write's future.
     * @throws IllegalStateException if the exchange has already answered.
     */
    public ChannelFuture respondError(
        final HttpResponseStatus responseStatus, final int errorCode, final String message, final HttpHeaders extraHeaders)
    {
        return respond(responseStatus, RestContentTypes.errorBodyType(route), RestErrorBody.encode(ctx.alloc(), errorCode, message),
            extraHeaders);
    }

    /**
     * Refuses bad input from the client (malformed, wrong type, too large, unknown topic or partition): counts it,
     * logs one WARN line if the connection has logged none yet, and answers with the error. The connection stays.
     *
     * @param responseStatus the status.
     * @param errorCode      REST Proxy's code.
     * @param reason         the kind of bad input, a short label for the counter ({@code malformed_json}).
     * @param message        for people; never credentials or record data.
     * @return the write's future.
     * @throws IllegalStateException if the exchange has already answered.
     */
    public ChannelFuture refuseBadInput(
        final HttpResponseStatus responseStatus, final int errorCode, final String reason, final String message)
    {
        listener.onBadInput(this, reason, message);
        return respondError(responseStatus, errorCode, message);
    }

    /**
     * Stops or resumes reading the request's channel: a route that streams its body into Kafka holds the body back
     * while the producer's buffer is full.
     *
     * @param paused true to stop reading, false to resume.
     */
    public void pauseReading(final boolean paused)
    {
        listener.onRoutePaused(paused);
    }

    /**
     * Starts a streamed answer: the head now (chunked on HTTP/1.1), the body as {@link #writeChunk} calls, ended by
     * {@link #endStream()}.
     *
     * @param responseStatus the status.
     * @param contentType    the body's content type.
     * @return the write's future.
     * @throws IllegalStateException if the exchange has already answered.
     */
    public ChannelFuture startStream(final HttpResponseStatus responseStatus, final String contentType)
    {
        if (responseStarted)
        {
            throw new IllegalStateException("exchange already answered: route=" + route + ", status=" + status);
        }
        final HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, responseStatus);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        if (!http2)
        {
            response.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        markStarted(response);
        return ctx.writeAndFlush(response);
    }

    /**
     * Writes one chunk of a streamed answer, without flushing.
     *
     * @param chunk the bytes; ownership moves to the exchange.
     * @return the write's future.
     * @throws IllegalStateException if no stream was started, or it has ended (the chunk is released).
     */
    public ChannelFuture writeChunk(final ByteBuf chunk)
    {
        if (!responseStarted || complete)
        {
            chunk.release();
            throw new IllegalStateException("no open response stream: route=" + route + ", status=" + status);
        }
        return ctx.write(new DefaultHttpContent(chunk));
    }

    /**
     * Flushes the chunks written so far.
     */
    public void flush()
    {
        ctx.flush();
    }

    /**
     * Ends a streamed answer.
     *
     * @return the write's future.
     * @throws IllegalStateException if no stream was started, or it has ended.
     */
    public ChannelFuture endStream()
    {
        if (!responseStarted || complete)
        {
            throw new IllegalStateException("no open response stream: route=" + route + ", status=" + status);
        }
        complete = true;
        lastWrite = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        listener.onResponseComplete(this);
        return lastWrite;
    }

    /**
     * Hands the channel over to the route for good (a WebSocket upgrade): the dispatcher forwards nothing more, and
     * the route, which has replaced the HTTP handlers, answers by its own protocol. Counted as an answer with the
     * status given.
     *
     * @param switchedStatus the status of the hand-over, e.g. 101.
     */
    public void detach(final int switchedStatus)
    {
        responseStarted = true;
        status = switchedStatus;
        complete = true;
        listener.onResponseComplete(this);
    }

    /**
     * The answer's last write.
     *
     * @return its future; a succeeded one when the route took the channel over.
     */
    ChannelFuture lastWrite()
    {
        return lastWrite != null ? lastWrite : ctx.newSucceededFuture();
    }

    private void markStarted(final HttpResponse response)
    {
        responseStarted = true;
        status = response.status().code();
        if (!http2 && !HttpUtil.isKeepAlive(request))
        {
            HttpUtil.setKeepAlive(response, false);
        }
    }
}

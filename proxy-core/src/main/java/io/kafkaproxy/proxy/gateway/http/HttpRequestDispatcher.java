package io.kafkaproxy.proxy.gateway.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

/**
 * Serves the requests of one request channel (an HTTP/1.1 connection, or one HTTP/2 stream): matches each request's
 * route, authenticates it, opens the route and feeds it the body, one request at a time.
 *
 * <pre>
 *   idle --head--> admitting --authenticated--> receiving --last content--> answering --answer complete--> idle
 *                      |                             \--answer complete--> (body discarded by the route) ...
 *                      \--refused: 401, body discarded
 * </pre>
 *
 * <p>HTTP/1.1 answers in order: while a request is being authenticated, or is complete but not yet answered (Kafka has
 * not acknowledged), what the connection reads next (a pipelined request, or body bytes that came before the
 * authentication's outcome) is held and the connection stops reading, so at most one read's worth is held.
 *
 * <p>Per channel, never shared. Confined to the channel's event loop: its fields are plain.
 */
final class HttpRequestDispatcher extends ChannelInboundHandlerAdapter implements HttpExchange.ExchangeListener
{
    private static final Logger LOGGER = LoggerFactory.getLogger(HttpRequestDispatcher.class);
    private static final String UNMATCHED = "unmatched";
    private static final AttributeKey<Boolean> WARNED = AttributeKey.valueOf(HttpRequestDispatcher.class, "warned");

    private final HttpRouter router;
    private final HttpRequestAuthenticator authenticator;
    private final HttpRequestObserver observer;
    private final boolean http2;
    private final ArrayDeque<HttpObject> held = new ArrayDeque<>(4);
    private ChannelHandlerContext ctx;
    private HttpExchange exchange;
    private HttpRouteHandler handler;
    private boolean admitting;
    private boolean requestEnded;
    private boolean dispatching;
    private boolean closeAfterAnswer;
    private boolean holdPaused;
    private boolean routePaused;
    private boolean closed;

    /**
     * Creates the dispatcher of one request channel.
     *
     * @param router        the listener's routes.
     * @param authenticator the identity stage.
     * @param observer      the listener's meters.
     * @param http2         whether the channel is an HTTP/2 stream.
     */
    HttpRequestDispatcher(
        final HttpRouter router, final HttpRequestAuthenticator authenticator, final HttpRequestObserver observer, final boolean http2)
    {
        this.router = router;
        this.authenticator = authenticator;
        this.observer = observer;
        this.http2 = http2;
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (!(msg instanceof HttpObject object))
        {
            ctx.fireChannelRead(msg);
            return;
        }
        if (closed)
        {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (holding())
        {
            held.add(object);
            setHoldPaused(true);
            return;
        }
        dispatch(object);
    }

    private boolean holding()
    {
        return admitting || (exchange != null && requestEnded);
    }

    private void dispatch(final HttpObject msg)
    {
        dispatching = true;
        try
        {
            if (msg instanceof HttpRequest request)
            {
                begin(request);
                if (msg instanceof FullHttpRequest full)
                {
                    // An h2c upgrade's request, and an HTTP/2 request without a body, come whole; the route sees the
                    // body as one last chunk all the same, after the authentication if that is still running.
                    final HttpContent body = new DefaultLastHttpContent(full.content(), full.trailingHeaders());
                    if (holding())
                    {
                        held.addFirst(body);
                        setHoldPaused(true);
                    }
                    else
                    {
                        onContent(body);
                    }
                }
            }
            else if (msg instanceof HttpContent content)
            {
                onContent(content);
            }
            else
            {
                ReferenceCountUtil.release(msg);
            }
        }
        finally
        {
            dispatching = false;
        }
        if (exchange != null && requestEnded && exchange.isComplete())
        {
            finish();
        }
    }

    private void begin(final HttpRequest request)
    {
        final long startNanos = System.nanoTime();
        requestEnded = false;
        if (request.decoderResult().isFailure())
        {
            // The HTTP/1.1 decoder discards all that follows a malformed head: the connection cannot go on.
            closeAfterAnswer = true;
            exchange = new HttpExchange(ctx, request, UNMATCHED, Map.of(), http2, startNanos, this);
            handler = HttpRouteHandler.DISCARD;
            requestEnded = true;
            exchange.refuseBadInput(HttpResponseStatus.BAD_REQUEST, HttpResponseStatus.BAD_REQUEST.code(), "malformed_http",
                "malformed HTTP request: " + request.decoderResult().cause().getMessage());
            return;
        }
        final String path = pathOf(request.uri());
        final HttpRouter.Match match = router.match(request.method(), path);
        exchange = new HttpExchange(ctx, request, match.found() ? match.template() : UNMATCHED, match.parameters(), http2, startNanos,
            this);
        if (!match.found())
        {
            handler = HttpRouteHandler.DISCARD;
            if (match.allowedMethods().isEmpty())
            {
                exchange.respondError(HttpResponseStatus.NOT_FOUND, HttpResponseStatus.NOT_FOUND.code(), "HTTP 404 Not Found");
            }
            else
            {
                final HttpHeaders allow = new DefaultHttpHeaders().set(HttpHeaderNames.ALLOW,
                    match.allowedMethods().stream().map(HttpMethod::name).sorted().collect(Collectors.joining(", ")));
                exchange.respondError(HttpResponseStatus.METHOD_NOT_ALLOWED, HttpResponseStatus.METHOD_NOT_ALLOWED.code(),
                    "HTTP 405 Method Not Allowed", allow);
            }
            return;
        }
        final CompletableFuture<HttpRequestAuthenticator.Authentication> authentication = authenticate(request);
        if (authentication.isDone())
        {
            onAuthenticated(exchange, match.route(), authentication.getNow(null), null);
        }
        else
        {
            admitting = true;
            final HttpExchange current = exchange;
            authentication.whenComplete((outcome, error) -> ctx.executor().execute(() ->
            {
                admitting = false;
                onAuthenticated(current, match.route(), outcome, error);
                drainHeld();
            }));
        }
    }

    private CompletableFuture<HttpRequestAuthenticator.Authentication> authenticate(final HttpRequest request)
    {
        try
        {
            final Channel connection = http2 && ctx.channel().parent() != null ? ctx.channel().parent() : ctx.channel();
            final CompletionStage<HttpRequestAuthenticator.Authentication> stage = authenticator.authenticate(request, connection);
            return stage.toCompletableFuture();
        }
        catch (final RuntimeException e)
        {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void onAuthenticated(
        final HttpExchange current,
        final HttpRoute route,
        final HttpRequestAuthenticator.Authentication outcome,
        final Throwable error)
    {
        if (closed || current != exchange)
        {
            return;
        }
        if (error != null || outcome == null || !outcome.authenticated())
        {
            handler = HttpRouteHandler.DISCARD;
            final String failure = outcome != null && outcome.failure() != null ? outcome.failure() :
                "authentication failed";
            final HttpHeaders challenge = new DefaultHttpHeaders();
            if (outcome != null && outcome.scheme() != null)
            {
                challenge.set(HttpHeaderNames.WWW_AUTHENTICATE, outcome.scheme());
            }
            observer.onBadRequest("unauthenticated");
            exchange.respondError(HttpResponseStatus.UNAUTHORIZED, RestErrorBody.UNAUTHORIZED, failure, challenge);
            return;
        }
        exchange.principal(outcome.principal());
        try
        {
            handler = route.open(exchange);
        }
        catch (final RuntimeException e)
        {
            LOGGER.atWarn()
                .addKeyValue("channelId", ctx.channel().id().asShortText())
                .addKeyValue("route", exchange.route())
                .addKeyValue("error", String.valueOf(e))
                .log("HTTP route failed");
            handler = HttpRouteHandler.DISCARD;
            if (!exchange.isResponseStarted())
            {
                exchange.respondError(HttpResponseStatus.INTERNAL_SERVER_ERROR, 50001, "internal error");
            }
        }
    }

    private void onContent(final HttpContent content)
    {
        if (exchange == null)
        {
            // Body bytes of a request already answered and finished (a stray chunk): nobody wants them.
            content.release();
            return;
        }
        if (content instanceof LastHttpContent)
        {
            requestEnded = true;
        }
        handler.onContent(content);
    }

    private void finish()
    {
        final HttpExchange done = exchange;
        exchange = null;
        handler = null;
        requestEnded = false;
        if (closeAfterAnswer || (!http2 && !HttpUtil.isKeepAlive(done.request())))
        {
            // HttpServerKeepAliveHandler closes once the answer is written; what was held is never served.
            closed = true;
            releaseHeld();
            if (closeAfterAnswer)
            {
                done.lastWrite().addListener(ChannelFutureListener.CLOSE);
            }
            return;
        }
        drainHeld();
    }

    private void drainHeld()
    {
        while (!held.isEmpty() && !holding() && !closed)
        {
            dispatch(held.poll());
        }
        if (held.isEmpty())
        {
            setHoldPaused(false);
        }
    }

    @Override
    public void onResponseComplete(final HttpExchange answered)
    {
        // The route's method and template, never the raw path: the tags stay few.
        observer.onRequest(answered.request().method().name() + " " + answered.route(), answered.status(),
            System.nanoTime() - answered.startNanos());
        if (!dispatching && answered == exchange && requestEnded)
        {
            finish();
        }
    }

    @Override
    public void onBadInput(final HttpExchange refused, final String reason, final String message)
    {
        observer.onBadRequest(reason);
        final Channel connection = http2 && ctx.channel().parent() != null ? ctx.channel().parent() : ctx.channel();
        if (connection.attr(WARNED).setIfAbsent(Boolean.TRUE) == null)
        {
            LOGGER.atWarn()
                .addKeyValue("channelId", connection.id().asShortText())
                .addKeyValue("clientAddress", connection.remoteAddress())
                .addKeyValue("principal", refused.principal())
                .addKeyValue("route", refused.route())
                .addKeyValue("error", reason + ": " + message)
                .log("HTTP request refused for bad input; further bad input on this connection is only counted");
        }
    }

    @Override
    public void onRoutePaused(final boolean paused)
    {
        routePaused = paused;
        updateAutoRead();
    }

    private void setHoldPaused(final boolean paused)
    {
        holdPaused = paused;
        updateAutoRead();
    }

    private void updateAutoRead()
    {
        final boolean read = !holdPaused && !routePaused && !closed;
        if (ctx.channel().config().isAutoRead() != read)
        {
            ctx.channel().config().setAutoRead(read);
            if (read)
            {
                ctx.read();
            }
        }
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt)
    {
        if (!http2 && (evt instanceof HttpServerUpgradeHandler.UpgradeEvent
            || evt instanceof CleartextHttp2ServerUpgradeHandler.PriorKnowledgeUpgradeEvent))
        {
            // The clear-text connection switched to HTTP/2: its streams have dispatchers of their own.
            for (final String name : new String[] {"expectContinue", "keepAlive"})
            {
                if (ctx.pipeline().get(name) != null)
                {
                    ctx.pipeline().remove(name);
                }
            }
            ctx.pipeline().remove(this);
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        closed = true;
        releaseHeld();
        if (exchange != null && !exchange.isComplete() && handler != null)
        {
            handler.onAbort();
        }
        exchange = null;
        handler = null;
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(final ChannelHandlerContext ctx)
    {
        releaseHeld();
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        // Resets and failed writes of a client that left: per connection, so DEBUG; the connection is gone anyway.
        LOGGER.atDebug()
            .addKeyValue("channelId", ctx.channel().id().asShortText())
            .addKeyValue("error", String.valueOf(cause))
            .log("HTTP connection failed");
        ctx.close();
    }

    private void releaseHeld()
    {
        HttpObject object;
        while ((object = held.poll()) != null)
        {
            ReferenceCountUtil.release(object);
        }
    }

    private static String pathOf(final String uri)
    {
        final int query = uri.indexOf('?');
        final String path = query < 0 ? uri : uri.substring(0, query);
        // An absolute-form target (a client speaking to a proxy) still names our path after its authority.
        if (path.startsWith("http://") || path.startsWith("https://"))
        {
            final int slash = path.indexOf('/', path.indexOf("//") + 2);
            return slash < 0 ? "/" : path.substring(slash);
        }
        return path.isEmpty() ? "/" : path;
    }
}

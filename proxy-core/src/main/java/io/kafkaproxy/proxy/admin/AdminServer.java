package io.kafkaproxy.proxy.admin;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.ReadTimeoutHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * The admin HTTP listener: {@code /metrics} (Prometheus text format), {@code /healthz} (the process answers),
 * {@code /readyz} (listeners bound, memory not exhausted, and an upstream broker reachable), and the virtual
 * clusters' state and switches ({@code GET /clusters}, {@code POST /clusters/{name}/failover|failback}, see
 * {@link ClusterAdminRoutes}).
 *
 * <p>Runs on its own event loop so that a scrape (which formats every meter) never delays a Kafka connection.
 * Requests are small GETs: bodies above 8 KiB are refused, and a connection idle for 30 s is closed.
 */
public final class AdminServer implements AutoCloseable
{
    private static final Logger LOGGER = LoggerFactory.getLogger(AdminServer.class);
    private static final int MAX_REQUEST_BYTES = 8192;
    private static final int READ_TIMEOUT_SECONDS = 30;
    private static final String TEXT_PLAIN = "text/plain; charset=utf-8";
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String APPLICATION_JSON = "application/json";

    private final Channel serverChannel;

    /**
     * Why the proxy is not ready, or null when it is.
     */
    @FunctionalInterface
    public interface Readiness
    {
        /**
         * Checks readiness; may take up to the upstream connect timeout.
         *
         * @return completes with null when ready, else with the reason.
         */
        CompletionStage<String> check();
    }

    private AdminServer(final Channel serverChannel)
    {
        this.serverChannel = serverChannel;
    }

    /**
     * Binds the listener.
     *
     * @param group        the event loop group it runs on.
     * @param channelClass the server channel type of the transport.
     * @param address      where to listen.
     * @param registry     the meters {@code /metrics} exports.
     * @param readiness    what {@code /readyz} checks.
     * @param clusters       what {@code /clusters} shows and switches.
     * @return the bound server.
     */
    public static AdminServer bind(
        final EventLoopGroup group,
        final Class<? extends ServerChannel> channelClass,
        final InetSocketAddress address,
        final PrometheusMeterRegistry registry,
        final Readiness readiness,
        final ClusterAdmin clusters)
    {
        final ClusterAdminRoutes clusterRoutes = new ClusterAdminRoutes(clusters);
        final Channel channel = new ServerBootstrap()
            .group(group)
            .channel(channelClass)
            .childHandler(new ChannelInitializer<Channel>()
            {
                @Override
                protected void initChannel(final Channel ch)
                {
                    ch.pipeline()
                        .addLast(new ReadTimeoutHandler(READ_TIMEOUT_SECONDS))
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES))
                        .addLast(new AdminHandler(registry::scrape, readiness, clusterRoutes));
                }
            })
            .bind(address)
            .syncUninterruptibly()
            .channel();
        LOGGER.atInfo().addKeyValue("bindAddress", channel.localAddress()).log("admin listener bound");
        return new AdminServer(channel);
    }

    /**
     * Where the listener is bound.
     *
     * @return its local address.
     */
    public InetSocketAddress address()
    {
        return (InetSocketAddress)serverChannel.localAddress();
    }

    @Override
    public void close()
    {
        serverChannel.close().syncUninterruptibly();
    }

    private static final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest>
    {
        private final Supplier<String> scrape;
        private final Readiness readiness;
        private final ClusterAdminRoutes clusterRoutes;

        AdminHandler(final Supplier<String> scrape, final Readiness readiness, final ClusterAdminRoutes clusterRoutes)
        {
            this.scrape = scrape;
            this.readiness = readiness;
            this.clusterRoutes = clusterRoutes;
        }

        @Override
        protected void channelRead0(final ChannelHandlerContext ctx, final FullHttpRequest request)
        {
            final boolean keepAlive = HttpUtil.isKeepAlive(request);
            final boolean head = HttpMethod.HEAD.equals(request.method());
            final String path = new QueryStringDecoder(request.uri()).path();
            if (path.equals(ClusterAdminRoutes.PATH) || path.startsWith(ClusterAdminRoutes.PATH + "/"))
            {
                clusterRoutes.answer(request.method(), path, String.valueOf(ctx.channel().remoteAddress()))
                    .whenComplete((answer, error) -> ctx.executor().execute(() ->
                    {
                        if (error != null)
                        {
                            respond(ctx, keepAlive, head, HttpResponseStatus.INTERNAL_SERVER_ERROR, TEXT_PLAIN,
                                "failed: " + error + "\n", null);
                            return;
                        }
                        respond(ctx, keepAlive, head, answer.status(), APPLICATION_JSON, answer.json(), answer.allow());
                    }));
                return;
            }
            if (!HttpMethod.GET.equals(request.method()) && !head)
            {
                respond(ctx, keepAlive, head, HttpResponseStatus.METHOD_NOT_ALLOWED, TEXT_PLAIN, "only GET\n");
                return;
            }
            switch (path)
            {
                case "/metrics":
                    respond(ctx, keepAlive, head, HttpResponseStatus.OK, PROMETHEUS_TEXT, scrape.get());
                    break;
                case "/healthz":
                    respond(ctx, keepAlive, head, HttpResponseStatus.OK, TEXT_PLAIN, "ok\n");
                    break;
                case "/readyz":
                    readiness.check().whenComplete((problem, error) -> ctx.executor().execute(() ->
                    {
                        final String reason = error != null ? String.valueOf(error) : problem;
                        if (reason == null)
                        {
                            respond(ctx, keepAlive, head, HttpResponseStatus.OK, TEXT_PLAIN, "ready\n");
                        }
                        else
                        {
                            respond(ctx, keepAlive, head, HttpResponseStatus.SERVICE_UNAVAILABLE, TEXT_PLAIN,
                                "not ready: " + reason + "\n");
                        }
                    }));
                    break;
                default:
                    respond(ctx, keepAlive, head, HttpResponseStatus.NOT_FOUND, TEXT_PLAIN,
                        "not found; try /metrics, /healthz, /readyz or /clusters\n");
                    break;
            }
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            LOGGER.atDebug().addKeyValue("error", String.valueOf(cause)).log("admin connection failed");
            ctx.close();
        }

        private static void respond(
            final ChannelHandlerContext ctx,
            final boolean keepAlive,
            final boolean head,
            final HttpResponseStatus status,
            final String contentType,
            final String body)
        {
            respond(ctx, keepAlive, head, status, contentType, body, null);
        }

        private static void respond(
            final ChannelHandlerContext ctx,
            final boolean keepAlive,
            final boolean head,
            final HttpResponseStatus status,
            final String contentType,
            final String body,
            final String allow)
        {
            final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            final ByteBuf content = head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes);
            final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
            response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
            if (allow != null)
            {
                response.headers().set(HttpHeaderNames.ALLOW, allow);
            }
            if (keepAlive)
            {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                ctx.writeAndFlush(response);
            }
            else
            {
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}

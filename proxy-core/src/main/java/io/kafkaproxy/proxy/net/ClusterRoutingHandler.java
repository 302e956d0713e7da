package io.kafkaproxy.proxy.net;

import io.kafkaproxy.proxy.cluster.ClusterSnapshot;
import io.kafkaproxy.proxy.logging.LogRateLimiter;
import io.kafkaproxy.proxy.policy.CertificatePrincipal;
import io.kafkaproxy.proxy.routing.BootstrapTarget;
import io.kafkaproxy.proxy.routing.ClusterRoutes;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Routes a connection accepted by the routing listener to a cluster, at its first request and after its TLS
 * handshake: the rules see the certificate principal, the client id of the request header and the source address.
 * It then builds the rest of the pipeline as the chosen cluster's first listener would have (its policy, connector,
 * breakers and node registry), tells it the channel is active, and removes itself, handing on every byte it holds.
 * A connection no rule routes is closed: one count, one WARN line within the budget.
 *
 * <p>It reads only the start of the first frame: length, api key, api version, correlation id, then the client id
 * (a nullable string, the same in every request header version from 1). Not a frame decoder: the frame decoder of the
 * chosen cluster gets the bytes whole. Per channel, never shared; runs on the channel's event loop.
 */
final class ClusterRoutingHandler extends ByteToMessageDecoder
{
    /** The {@code reason} label of a connection refused for want of a route. */
    static final String REJECTED_REASON = "no_route";

    private static final Logger LOGGER = LoggerFactory.getLogger(ClusterRoutingHandler.class);
    private static final int SIZE_LENGTH = 4;
    // api key, api version, correlation id.
    private static final int CLIENT_ID_OFFSET = SIZE_LENGTH + 2 + 2 + 4;
    private static final int CLIENT_ID_DATA_OFFSET = CLIENT_ID_OFFSET + 2;

    private final ClusterRoutes routes;
    private final Function<String, ClusterContext> clusters;
    private final CertificatePrincipal certificatePrincipal;
    private final ConnectionServices services;
    private final Runnable onRejected;
    private final LongSupplier warnBudget;
    private final int maxRequestSizeBytes;
    private final long timeoutMillis;
    private final String listenerName;
    private ScheduledFuture<?> timeout;
    private boolean decided;

    /**
     * Creates the handler of one connection.
     *
     * @param routes               the routing rules.
     * @param clusters             the clusters by name.
     * @param certificatePrincipal the principal of the client's certificate, or null when the listener asks none.
     * @param services             what every client connection is built with.
     * @param onRejected           counts a connection refused for want of a route.
     * @param warnBudget           the WARN-line budget of refused connections.
     * @param maxRequestSizeBytes  the largest request frame accepted.
     * @param timeoutMillis        how long a connection may take to send its first request (0: forever).
     * @param listenerName         the routing listener's name, for the log line.
     */
    ClusterRoutingHandler(
        final ClusterRoutes routes,
        final Function<String, ClusterContext> clusters,
        final CertificatePrincipal certificatePrincipal,
        final ConnectionServices services,
        final Runnable onRejected,
        final LongSupplier warnBudget,
        final int maxRequestSizeBytes,
        final long timeoutMillis,
        final String listenerName)
    {
        this.routes = routes;
        this.clusters = clusters;
        this.certificatePrincipal = certificatePrincipal;
        this.services = services;
        this.onRejected = onRejected;
        this.warnBudget = warnBudget;
        this.maxRequestSizeBytes = maxRequestSizeBytes;
        this.timeoutMillis = timeoutMillis;
        this.listenerName = listenerName;
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx)
    {
        // Not passed on: the handlers after this one are built, and told, once the cluster is known.
        if (timeoutMillis > 0)
        {
            timeout = ctx.executor().schedule(() ->
            {
                if (!decided)
                {
                    ctx.close();
                }
            }, timeoutMillis, TimeUnit.MILLISECONDS);
        }
        ctx.read();
    }

    @Override
    protected void decode(final ChannelHandlerContext ctx, final ByteBuf in, final List<Object> out)
    {
        if (decided || in.readableBytes() < CLIENT_ID_DATA_OFFSET)
        {
            return;
        }
        final int start = in.readerIndex();
        final int size = in.getInt(start);
        final short clientIdLength = in.getShort(start + CLIENT_ID_OFFSET);
        if (size < CLIENT_ID_DATA_OFFSET - SIZE_LENGTH || size > maxRequestSizeBytes ||
            clientIdLength > size - (CLIENT_ID_DATA_OFFSET - SIZE_LENGTH))
        {
            // Not a Kafka request: nothing to route by; the connection goes as an unroutable one would.
            refuse(ctx, null, "malformed first request");
            in.skipBytes(in.readableBytes());
            return;
        }
        if (clientIdLength > 0 && in.readableBytes() < CLIENT_ID_DATA_OFFSET + clientIdLength)
        {
            return;
        }
        final String clientId = clientIdLength < 0 ? null :
            in.toString(start + CLIENT_ID_DATA_OFFSET, clientIdLength, StandardCharsets.UTF_8);
        final String principal = certificatePrincipal == null ? null : certificatePrincipal.principal();
        final String clusterName = routes.route(principal, clientId, clientAddress(ctx));
        if (clusterName == null)
        {
            refuse(ctx, clientId, "no routing rule matches");
            in.skipBytes(in.readableBytes());
            return;
        }
        route(ctx, clusters.apply(clusterName));
    }

    private void route(final ChannelHandlerContext ctx, final ClusterContext cluster)
    {
        decided = true;
        cancelTimeout();
        final ListenerContext listener = cluster.listeners().get(0);
        final ClusterSnapshot snapshot = cluster.snapshot();
        ClientChannelInitializer.addConnectionHandlers(ctx.channel(), listener,
            new BootstrapTarget(snapshot.bootstrapServers()), snapshot, false, certificatePrincipal, services);
        services.pipelineCustomizer().accept(ctx.pipeline());
        if (LOGGER.isDebugEnabled())
        {
            LOGGER.atDebug()
                .addKeyValue("channelId", ctx.channel().id().asShortText())
                .addKeyValue("clientAddress", ctx.channel().remoteAddress())
                .addKeyValue("route", cluster.name())
                .log("client connection routed");
        }
        ctx.fireChannelActive();
        // The bytes held so far go to the cluster's frame decoder as this handler leaves.
        ctx.pipeline().remove(this);
    }

    private void refuse(final ChannelHandlerContext ctx, final String clientId, final String why)
    {
        decided = true;
        cancelTimeout();
        onRejected.run();
        final long suppressed = warnBudget.getAsLong();
        if (suppressed != LogRateLimiter.SUPPRESSED)
        {
            final LoggingEventBuilder line = LOGGER.atWarn()
                .addKeyValue("listener", listenerName)
                .addKeyValue("clientAddress", ctx.channel().remoteAddress())
                .addKeyValue("principal", certificatePrincipal == null ? null : certificatePrincipal.principal())
                .addKeyValue("clientId", clientId)
                .addKeyValue("error", why);
            (suppressed > 0 ? line.addKeyValue("suppressed", suppressed) : line)
                .log("client connection refused: no cluster to route it to");
        }
        ctx.close();
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        // Before routing no frontend exists to take it: a failed handshake is counted by its own handler already.
        if (LOGGER.isDebugEnabled())
        {
            LOGGER.atDebug()
                .addKeyValue("channelId", ctx.channel().id().asShortText())
                .addKeyValue("clientAddress", ctx.channel().remoteAddress())
                .addKeyValue("error", cause.toString())
                .log("client connection failed before it was routed");
        }
        ctx.close();
    }

    @Override
    protected void handlerRemoved0(final ChannelHandlerContext ctx)
    {
        cancelTimeout();
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx) throws Exception
    {
        cancelTimeout();
        super.channelInactive(ctx);
    }

    private void cancelTimeout()
    {
        if (timeout != null)
        {
            timeout.cancel(false);
            timeout = null;
        }
    }

    /**
     * The client's address, which routing rules on a source CIDR match; null for a channel without one (a test's).
     *
     * @param ctx the client channel's context.
     * @return the address, or null.
     */
    static InetAddress clientAddress(final ChannelHandlerContext ctx)
    {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress address ? address.getAddress() : null;
    }
}

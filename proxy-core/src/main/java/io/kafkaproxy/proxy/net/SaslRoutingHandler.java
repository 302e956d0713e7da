package io.kafkaproxy.proxy.net;

import io.kafkaproxy.protocol.sasl.SaslAuthenticateRequestFlyweight;
import io.kafkaproxy.protocol.wire.ApiHeaderVersions;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.protocol.wire.FrameDescriptor;
import io.kafkaproxy.protocol.wire.RequestHeaderFlyweight;
import io.kafkaproxy.proxy.cluster.ClusterSnapshot;
import io.kafkaproxy.proxy.codec.ByteBufViews;
import io.kafkaproxy.proxy.codec.SaslFraming;
import io.kafkaproxy.proxy.connection.RoutedLogin;
import io.kafkaproxy.proxy.connection.RoutingSaslLogin;
import io.kafkaproxy.proxy.connection.SaslTerminationSetup;
import io.kafkaproxy.proxy.logging.LogRateLimiter;
import io.kafkaproxy.proxy.policy.CertificatePrincipal;
import io.kafkaproxy.proxy.policy.KafkaMessageFrames;
import io.kafkaproxy.proxy.policy.TerminatedSaslPrincipal;
import io.kafkaproxy.proxy.request.EventLoopFlyweights;
import io.kafkaproxy.proxy.routing.BootstrapTarget;
import io.kafkaproxy.proxy.routing.ClusterRoutes;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Routes a connection accepted by a routing listener that terminates SASL ({@code routing.listener.sasl}) by the
 * principal it logs in as. A client asks for api versions before it logs in, and keeps the answer for the whole
 * connection, so the routing connection answers everything before the login itself:
 *
 * <pre>
 *   ApiVersions ─► answered here: what every cluster the rules can reach takes ({@link RoutingApiVersions});
 *                  a cluster whose versions are not known yet is asked first, the answer waits (bounded)
 *   SaslHandshake v1, SaslAuthenticate v0-v2 ─► {@link RoutingSaslLogin}: the login checked as a cluster listener checks it
 *   login done ─► rules on the SASL principal, client id, source address ─► the cluster's pipeline, logged in; or
 *                 SASL_AUTHENTICATION_FAILED "no cluster for principal", {@code reason="no_route"}, closed
 *   anything else before the login ─► closed, as a broker closes it
 * </pre>
 *
 * <p>Routed, the connection belongs to the chosen cluster as if its first listener had accepted it and logged it in:
 * its broker connection logs in with the cluster's {@code upstream.sasl}, its re-authentications (KIP-368) continue
 * the same login (a principal change is refused), and the bytes held here go to the cluster's frame decoder. The
 * whole login must end within the routing timeout ({@code network.idleTimeout}). Per channel, never shared; runs on
 * the channel's event loop.
 */
final class SaslRoutingHandler extends ByteToMessageDecoder implements RoutingSaslLogin.Router
{
    private static final Logger LOGGER = LoggerFactory.getLogger(SaslRoutingHandler.class);
    /** How often a connection waiting for a cluster's api versions looks again. */
    private static final long VERSIONS_RECHECK_MILLIS = 50;

    private final ClusterRoutes routes;
    private final RoutingListenerContext routing;
    private final CertificatePrincipal certificatePrincipal;
    private final ConnectionServices services;
    private final long timeoutMillis;
    private final RequestHeaderFlyweight header = new RequestHeaderFlyweight();
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final EventLoopFlyweights flyweights = EventLoopFlyweights.current();
    private RoutingSaslLogin login;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timeout;
    private String clientId;
    private boolean clientIdRead;
    private boolean waitingForVersions;
    private boolean decided;

    /**
     * Creates the handler of one connection.
     *
     * @param routes               the routing rules.
     * @param routing              the routing listener's shared parts: clusters, credentials, failed logins, counters.
     * @param certificatePrincipal the principal of the client's certificate, or null when the listener asks none.
     * @param services             what every client connection is built with.
     * @param timeoutMillis        how long a connection may take to log in (0: forever).
     */
    SaslRoutingHandler(
        final ClusterRoutes routes,
        final RoutingListenerContext routing,
        final CertificatePrincipal certificatePrincipal,
        final ConnectionServices services,
        final long timeoutMillis)
    {
        this.routes = routes;
        this.routing = routing;
        this.certificatePrincipal = certificatePrincipal;
        this.services = services;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
        login = new RoutingSaslLogin(ctx.channel(), routing.listenerName(), routing.credentials(), routing.failedLogins(),
            services.metrics(), services.logLimits(), this);
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx)
    {
        // Not passed on: the handlers after this one are built, and told, once the cluster is known.
        if (timeoutMillis > 0)
        {
            timeout = ctx.executor().schedule(this::onTimeout, timeoutMillis, TimeUnit.MILLISECONDS);
        }
        ctx.read();
    }

    @Override
    protected void decode(final ChannelHandlerContext ctx, final ByteBuf in, final List<Object> out)
    {
        while (!decided && in.readableBytes() >= FrameDescriptor.SIZE_FIELD_LENGTH)
        {
            if (waitingForVersions || login.isBusy())
            {
                // A client waits for each answer before the login; one that does not is held to a bound.
                if (in.readableBytes() > SaslFraming.MAX_RECEIVE_SIZE_BYTES)
                {
                    close(ctx, "requests sent before the previous one was answered");
                    in.skipBytes(in.readableBytes());
                }
                return;
            }
            final int size = in.getInt(in.readerIndex());
            if (size < RequestHeaderFlyweight.MIN_LENGTH || size > Math.min(routing.maxRequestSizeBytes(), SaslFraming.MAX_RECEIVE_SIZE_BYTES))
            {
                close(ctx, "malformed request before the login: size=" + size);
                in.skipBytes(in.readableBytes());
                return;
            }
            if (in.readableBytes() < FrameDescriptor.SIZE_FIELD_LENGTH + size)
            {
                return;
            }
            final ByteBuf frame = in.readRetainedSlice(FrameDescriptor.SIZE_FIELD_LENGTH + size);
            try
            {
                onRequest(ctx, frame);
            }
            catch (final RuntimeException e)
            {
                // A malformed header or SASL body: no Kafka client sends one; the connection goes.
                close(ctx, "malformed request before the login: " + e.getMessage());
                in.skipBytes(in.readableBytes());
            }
            finally
            {
                frame.release();
            }
        }
    }

    private void onRequest(final ChannelHandlerContext ctx, final ByteBuf frame)
    {
        ByteBufViews.wrapReadable(view, frame);
        header.wrap(view, FrameDescriptor.MESSAGE_OFFSET, frame.readableBytes() - FrameDescriptor.MESSAGE_OFFSET);
        if (!clientIdRead)
        {
            clientIdRead = true;
            clientId = header.clientId();
        }
        final short apiKey = header.apiKey();
        final short apiVersion = header.apiVersion();
        switch (apiKey)
        {
            case ApiKeyIds.API_VERSIONS:
                onApiVersions(ctx, apiVersion, header.correlationId());
                break;
            case ApiKeyIds.SASL_HANDSHAKE:
                if (!login.onHandshake(apiVersion, header.correlationId(),
                    flyweights.saslHandshake().wrap(view, header.bodyOffset(), header.bodyLength()).mechanism()))
                {
                    close(ctx, "SaslHandshake refused");
                }
                break;
            case ApiKeyIds.SASL_AUTHENTICATE:
                if (apiVersion > RoutingApiVersions.HIGHEST_SASL_AUTHENTICATE_VERSION)
                {
                    login.onUnexpectedRequest(apiKey, apiVersion);
                    close(ctx, "SaslAuthenticate version not taken");
                    break;
                }
                final SaslAuthenticateRequestFlyweight request = flyweights.saslAuthenticate()
                    .wrap(view, header.bodyOffset(), header.bodyLength(), apiVersion);
                final byte[] token = new byte[request.authBytesLength()];
                view.getBytes(request.authBytesOffset(), token);
                if (!login.onAuthenticate(apiVersion, header.correlationId(), token))
                {
                    close(ctx, "SaslAuthenticate refused");
                }
                break;
            default:
                login.onUnexpectedRequest(apiKey, apiVersion);
                close(ctx, "request before the login");
                break;
        }
    }

    private void onApiVersions(final ChannelHandlerContext ctx, final short apiVersion, final int correlationId)
    {
        boolean known = true;
        for (final ClusterContext cluster : routing.reachableClusters())
        {
            if (cluster.brokerApiVersions().latest() == null)
            {
                cluster.learnApiVersions(ctx.channel().eventLoop());
                known = false;
            }
        }
        if (known)
        {
            waitingForVersions = false;
            answerApiVersions(ctx, apiVersion, correlationId);
            return;
        }
        // Looked at again shortly rather than waited on: a listener left on the cluster's future would keep this
        // channel reachable for as long as the cluster stays unreachable, long after the timeout closed it.
        waitingForVersions = true;
        ctx.executor().schedule(() ->
        {
            if (waitingForVersions && !decided && ctx.channel().isActive())
            {
                onApiVersions(ctx, apiVersion, correlationId);
            }
        }, VERSIONS_RECHECK_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void answerApiVersions(final ChannelHandlerContext ctx, final short apiVersion, final int correlationId)
    {
        final List<ApiVersionsResponseData> brokers = new ArrayList<>();
        for (final ClusterContext cluster : routing.reachableClusters())
        {
            brokers.add(cluster.brokerApiVersions().latest());
        }
        final ApiVersionsResponseData answer = RoutingApiVersions.intersect(brokers);
        final boolean supported = apiVersion >= 0 && apiVersion <= RoutingApiVersions.highestApiVersionsVersion(answer);
        // As a broker: a version it does not take is answered at v0, naming the versions it does.
        final short answerVersion = supported ? apiVersion : 0;
        ctx.writeAndFlush(KafkaMessageFrames.response(ctx.alloc(), correlationId,
            ApiHeaderVersions.responseHeaderVersion(ApiKeyIds.API_VERSIONS, answerVersion),
            supported ? answer : RoutingApiVersions.unsupportedVersion(answer), answerVersion), ctx.voidPromise());
    }

    @Override
    public String choose(final String principal)
    {
        return routes.route(principal, clientId, ClusterRoutingHandler.clientAddress(ctx));
    }

    @Override
    public void handOff(final String clusterName, final RoutedLogin routedLogin)
    {
        decided = true;
        cancelTimeout();
        final ClusterContext cluster = routing.cluster(clusterName);
        final ListenerContext listener = cluster.listeners().get(0);
        final ClusterSnapshot snapshot = cluster.snapshot();
        final TerminatedSaslPrincipal principal = new TerminatedSaslPrincipal();
        principal.onAuthenticated(routedLogin.exchange().principal());
        final SaslTerminationSetup sasl = new SaslTerminationSetup(routing.listenerName(), routing.credentials(),
            routing.failedLogins(), principal, new SaslFraming(), routedLogin);
        ClientChannelInitializer.addConnectionHandlers(ctx.channel(), listener,
            new BootstrapTarget(snapshot.bootstrapServers()), snapshot, false, certificatePrincipal, services, sasl);
        services.pipelineCustomizer().accept(ctx.pipeline());
        if (LOGGER.isDebugEnabled())
        {
            LOGGER.atDebug()
                .addKeyValue("channelId", ctx.channel().id().asShortText())
                .addKeyValue("clientAddress", ctx.channel().remoteAddress())
                .addKeyValue("principal", principal.principal())
                .addKeyValue("route", cluster.name())
                .log("client connection logged in and routed");
        }
        ctx.fireChannelActive();
        // The bytes held so far go to the cluster's frame decoder as this handler leaves.
        ctx.pipeline().remove(this);
    }

    @Override
    public void onNoRoute(final String principal)
    {
        decided = true;
        cancelTimeout();
        routing.onRejected().run();
        final long suppressed = routing.warnBudget().getAsLong();
        if (suppressed != LogRateLimiter.SUPPRESSED)
        {
            final LoggingEventBuilder line = LOGGER.atWarn()
                .addKeyValue("listener", routing.listenerName())
                .addKeyValue("clientAddress", ctx.channel().remoteAddress())
                .addKeyValue("principal", principal)
                .addKeyValue("clientId", clientId)
                .addKeyValue("error", "no routing rule matches");
            (suppressed > 0 ? line.addKeyValue("suppressed", suppressed) : line)
                .log("client connection refused: no cluster to route it to");
        }
    }

    private void onTimeout()
    {
        if (decided)
        {
            return;
        }
        final long suppressed = waitingForVersions ? routing.warnBudget().getAsLong() : LogRateLimiter.SUPPRESSED;
        if (suppressed != LogRateLimiter.SUPPRESSED)
        {
            // Operators must hear of it: every connection of this listener waits on that cluster. Within the
            // refusals' budget, as the connections that hit it all fail alike.
            final LoggingEventBuilder line = LOGGER.atWarn()
                .addKeyValue("listener", routing.listenerName())
                .addKeyValue("clientAddress", ctx.channel().remoteAddress())
                .addKeyValue("error", "the api versions of a cluster the rules reach are not known: no broker answered");
            (suppressed > 0 ? line.addKeyValue("suppressed", suppressed) : line).log("client connection closed before its login");
        }
        ctx.close();
    }

    private void close(final ChannelHandlerContext ctx, final String why)
    {
        decided = true;
        cancelTimeout();
        if (LOGGER.isDebugEnabled())
        {
            LOGGER.atDebug()
                .addKeyValue("channelId", ctx.channel().id().asShortText())
                .addKeyValue("clientAddress", ctx.channel().remoteAddress())
                .addKeyValue("error", why)
                .log("client connection closed before it was routed");
        }
        ctx.close();
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        // Before routing no frontend exists to take it: a failed handshake is counted by its own handler already.
        close(ctx, cause.toString());
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
}

package io.kafkaproxy.proxy.net;

import io.kafkaproxy.proxy.cluster.ClusterSnapshot;
import io.kafkaproxy.proxy.config.TlsServerConfig;
import io.kafkaproxy.proxy.logging.LogRateLimiter;
import io.kafkaproxy.proxy.policy.CertificatePrincipal;
import io.kafkaproxy.proxy.routing.BootstrapTarget;
import io.kafkaproxy.proxy.routing.BrokerTarget;
import io.kafkaproxy.proxy.routing.NodeTarget;
import io.kafkaproxy.proxy.routing.SniHostNames;
import io.kafkaproxy.proxy.tls.ClientTlsContext;
import io.kafkaproxy.proxy.tls.ClientTlsHandshakeHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SniCompletionEvent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

import java.util.List;

/**
 * Chooses, on a port shared by listeners routed by SNI, the listener (and so the cluster) of a connection from the
 * server name of its TLS ClientHello, and its target as that listener's {@code SniRoutingHandler} would (the bootstrap
 * host to the bootstrap servers, a node's name to that node). It then builds the rest of the pipeline for that
 * listener (the handshake's handler, then the handlers {@link ClientChannelInitializer#addConnectionHandlers} adds),
 * tells it the channel is active, and removes itself. A name no listener has is refused: one count on the first
 * listener's cluster, one WARN line within the budget, the connection closed; so is a connection without a name once
 * its handshake succeeds.
 *
 * <p>Per channel, never shared; runs on the channel's event loop.
 */
final class SharedSniRoutingHandler extends ChannelInboundHandlerAdapter
{
    private static final Logger LOGGER = LoggerFactory.getLogger(SharedSniRoutingHandler.class);

    private final List<ListenerContext> listeners;
    private final ConnectionServices services;
    private boolean serverNameRead;

    /**
     * Creates the handler of one connection.
     *
     * @param listeners the listeners sharing the port.
     * @param services  what every client connection is built with.
     */
    SharedSniRoutingHandler(final List<ListenerContext> listeners, final ConnectionServices services)
    {
        this.listeners = listeners;
        this.services = services;
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx)
    {
        // Not passed on: the handlers after this one are built, and told, once the listener is known.
        ctx.read();
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt)
    {
        if (evt instanceof SniCompletionEvent)
        {
            serverNameRead = true;
            final String serverName = ((SniCompletionEvent)evt).hostname();
            if (serverName == null)
            {
                // No name: a TLS client that sends none, or bytes that are not TLS; the handshake's outcome tells.
                return;
            }
            final ListenerContext listener = SharedSniChannelInitializer.listenerOf(listeners, serverName);
            if (listener == null)
            {
                ctx.pipeline().remove(this);
                refuse(ctx, serverName);
                return;
            }
            // Built behind this handler, which leaves only then: a context removed first would pass events to the tail.
            build(ctx, listener, serverName);
            ctx.pipeline().remove(this);
            ctx.fireUserEventTriggered(evt);
        }
        else if (evt instanceof SslHandshakeCompletionEvent && serverNameRead)
        {
            ctx.pipeline().remove(this);
            if (((SslHandshakeCompletionEvent)evt).isSuccess())
            {
                refuse(ctx, null);
            }
            else
            {
                ctx.close();
            }
        }
        else
        {
            ctx.fireUserEventTriggered(evt);
        }
    }

    private void build(final ChannelHandlerContext ctx, final ListenerContext listener, final String serverName)
    {
        final ClusterContext cluster = listener.cluster();
        final ClusterSnapshot snapshot = cluster.snapshot();
        final ClientTlsContext tls = snapshot.clientTls(listener.name());
        final CertificatePrincipal certificatePrincipal =
            tls.clientAuth() != TlsServerConfig.ClientAuth.NONE ? new CertificatePrincipal() : null;
        final int route = listener.sniHostNames().route(serverName);
        final BrokerTarget target = route == SniHostNames.BOOTSTRAP ? new BootstrapTarget(snapshot.bootstrapServers()) :
            new NodeTarget(route, listener.nodes());
        ctx.pipeline().addLast("tlsHandshake", new ClientTlsHandshakeHandler(tls, cluster.metrics(),
            services.logLimits()::tryAcquireTlsHandshakeFailure,
            certificatePrincipal == null ? null : certificatePrincipal::onHandshakeCompleted));
        ClientChannelInitializer.addConnectionHandlers(ctx.channel(), listener, target, snapshot, false, certificatePrincipal,
            services);
        services.pipelineCustomizer().accept(ctx.pipeline());
        ctx.fireChannelActive();
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        // Before a listener is chosen no handler after this one exists to count it: the ClientHello was unreadable.
        if (LOGGER.isDebugEnabled())
        {
            LOGGER.atDebug()
                .addKeyValue("channelId", ctx.channel().id().asShortText())
                .addKeyValue("clientAddress", ctx.channel().remoteAddress())
                .addKeyValue("error", cause.toString())
                .log("client connection failed before its listener was chosen");
        }
        ctx.close();
    }

    private void refuse(final ChannelHandlerContext ctx, final String serverName)
    {
        listeners.get(0).cluster().policyMetrics().onConnectionRejected(SniRoutingHandler.REJECTED_REASON);
        final long suppressed = services.logLimits().tryAcquireSniUnknownHost();
        if (suppressed != LogRateLimiter.SUPPRESSED)
        {
            final LoggingEventBuilder line = LOGGER.atWarn()
                .addKeyValue("listener", listeners.get(0).name())
                .addKeyValue("clientAddress", ctx.channel().remoteAddress())
                .addKeyValue("serverName", serverName);
            (suppressed > 0 ? line.addKeyValue("suppressed", suppressed) : line)
                .log("client connection refused: its TLS server name is no listener's on this port");
        }
        ctx.close();
    }
}

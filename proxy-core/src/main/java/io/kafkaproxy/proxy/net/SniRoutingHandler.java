package io.kafkaproxy.proxy.net;

import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.logging.LogRateLimiter;
import io.kafkaproxy.proxy.routing.BootstrapTarget;
import io.kafkaproxy.proxy.routing.BrokerNodeRegistry;
import io.kafkaproxy.proxy.routing.BrokerTarget;
import io.kafkaproxy.proxy.routing.DeferredBrokerTarget;
import io.kafkaproxy.proxy.routing.NodeTarget;
import io.kafkaproxy.proxy.routing.SniHostNames;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SniCompletionEvent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Chooses the target of a connection on a listener routed by SNI from the server name of its TLS ClientHello: the
 * bootstrap host goes to the bootstrap servers, a node's name to that node, anything else (or no name) is refused:
 * one WARN line (within the proxy's budget), one count, and the connection closed. A connection without a name is
 * refused once its handshake succeeds; one whose handshake fails (bytes that are not TLS) is left to be counted as
 * a failed handshake. Removes itself once it has decided.
 *
 * <p>The name is known before the handshake completes, so before the first request frame, at which the broker is
 * connected. Per channel, never shared; runs on the channel's event loop.
 */
final class SniRoutingHandler extends ChannelInboundHandlerAdapter
{
    /** The {@code reason} label of a connection refused for its server name. */
    static final String REJECTED_REASON = "sni_unknown_host";

    private static final Logger LOGGER = LoggerFactory.getLogger(SniRoutingHandler.class);

    private final SniHostNames hostNames;
    private final DeferredBrokerTarget target;
    private final BrokerNodeRegistry nodes;
    private final Supplier<List<HostPort>> bootstrapServers;
    private final Consumer<String> onRejected;
    private final LongSupplier warnBudget;
    private final String listenerName;
    private boolean serverNameRead;

    /**
     * Creates the handler of one connection.
     *
     * @param hostNames        the listener's bootstrap and node host names.
     * @param target           the connection's target, chosen here.
     * @param nodes            the listener's node registry.
     * @param bootstrapServers the cluster's bootstrap servers now.
     * @param onRejected       counts a refused connection, given the reason label.
     * @param warnBudget       the WARN-line budget of refused names.
     * @param listenerName     the listener, for the log line.
     */
    SniRoutingHandler(
        final SniHostNames hostNames,
        final DeferredBrokerTarget target,
        final BrokerNodeRegistry nodes,
        final Supplier<List<HostPort>> bootstrapServers,
        final Consumer<String> onRejected,
        final LongSupplier warnBudget,
        final String listenerName)
    {
        this.hostNames = hostNames;
        this.target = target;
        this.nodes = nodes;
        this.bootstrapServers = bootstrapServers;
        this.onRejected = onRejected;
        this.warnBudget = warnBudget;
        this.listenerName = listenerName;
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt) throws Exception
    {
        if (evt instanceof SniCompletionEvent)
        {
            serverNameRead = true;
            final String serverName = ((SniCompletionEvent)evt).hostname();
            if (serverName == null)
            {
                // No name: a TLS client that sends none, or bytes that are not TLS at all (then the SslHandler now in
                // place fails the handshake, counted as such). Only the handshake's outcome tells them apart.
                ctx.fireUserEventTriggered(evt);
                return;
            }
            ctx.pipeline().remove(this);
            final BrokerTarget chosen = targetOf(serverName);
            if (chosen == null)
            {
                refuse(ctx, serverName);
                return;
            }
            target.choose(chosen);
        }
        else if (evt instanceof SslHandshakeCompletionEvent && serverNameRead)
        {
            // The handshake of a connection that sent no server name.
            ctx.pipeline().remove(this);
            if (((SslHandshakeCompletionEvent)evt).isSuccess())
            {
                refuse(ctx, null);
                return;
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        if (!serverNameRead)
        {
            // The ClientHello could not be read: no SslHandler exists yet to report the handshake failed, so it is
            // reported for it, to be counted and logged as any failed handshake is.
            ctx.fireUserEventTriggered(new SslHandshakeCompletionEvent(cause));
        }
        ctx.fireExceptionCaught(cause);
    }

    private void refuse(final ChannelHandlerContext ctx, final String serverName)
    {
        onRejected.accept(REJECTED_REASON);
        final long suppressed = warnBudget.getAsLong();
        if (suppressed != LogRateLimiter.SUPPRESSED)
        {
            final LoggingEventBuilder line = LOGGER.atWarn()
                .addKeyValue("listener", listenerName)
                .addKeyValue("clientAddress", ctx.channel().remoteAddress())
                .addKeyValue("serverName", serverName);
            (suppressed > 0 ? line.addKeyValue("suppressed", suppressed) : line)
                .log("client connection refused: its TLS server name is neither the bootstrap host nor a node's");
        }
        ctx.close();
    }

    private BrokerTarget targetOf(final String serverName)
    {
        final int route = hostNames.route(serverName);
        if (route == SniHostNames.BOOTSTRAP)
        {
            return new BootstrapTarget(bootstrapServers.get());
        }
        return route >= 0 ? new NodeTarget(route, nodes) : null;
    }
}

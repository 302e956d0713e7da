package io.kafkaproxy.proxy.tls;

import io.kafkaproxy.proxy.logging.LogRateLimiter;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

import java.io.IOException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Sees one client channel's TLS handshake through, right behind its {@link SslHandler}: on success it names the
 * client certificate's principal (when the listener asks for certificates) and removes itself; on failure it counts
 * the failure by reason, logs one WARN line within the proxy's budget, and closes the channel.
 *
 * <p>Until the handshake has succeeded, the exceptions the handshake raises stop here: the completion event carries
 * the same failure, and the connection's state machine, which has seen no frame, has nothing to answer. A client that
 * leaves before the handshake completes without an alert is counted ({@code closed}) and logged at DEBUG only, like a
 * client that resets its connection: load balancers' port probes do it all day.
 *
 * <pre>
 *   [ssl] --> [tlsHandshake] --> idle --> frameDecoder --> ...     (tlsHandshake removes itself once the handshake succeeded)
 * </pre>
 *
 * <p>Per channel, never shared. Confined to the channel's event loop.
 */
public final class ClientTlsHandshakeHandler extends ChannelInboundHandlerAdapter
{
    private static final Logger LOGGER = LoggerFactory.getLogger(ClientTlsHandshakeHandler.class);

    private final ClientTlsContext tls;
    private final ProxyMetrics metrics;
    private final LongSupplier warnBudget;
    private final Consumer<String> certificatePrincipal;
    private boolean failed;

    /**
     * Creates the handler of one channel.
     *
     * @param tls                  the listener's TLS context, the one the channel's {@link SslHandler} came from.
     * @param metrics              the proxy's meters.
     * @param warnBudget           the proxy's budget of WARN lines about failed handshakes: answers
     *                             {@link LogRateLimiter#SUPPRESSED} or the lines held back before this one.
     * @param certificatePrincipal takes the principal the client certificate names; null when the listener asks for
     *                             no certificate.
     */
    public ClientTlsHandshakeHandler(
        final ClientTlsContext tls, final ProxyMetrics metrics, final LongSupplier warnBudget, final Consumer<String> certificatePrincipal)
    {
        this.tls = tls;
        this.metrics = metrics;
        this.warnBudget = warnBudget;
        this.certificatePrincipal = certificatePrincipal;
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt)
    {
        if (evt instanceof SslHandshakeCompletionEvent completion && !failed)
        {
            if (completion.isSuccess())
            {
                onHandshakeSucceeded(ctx);
            }
            else
            {
                onHandshakeFailed(ctx, TlsHandshakeFailureReason.of(completion.cause()), completion.cause());
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        // See the class comment: the handshake's completion event reports this failure, once.
        if (LOGGER.isDebugEnabled())
        {
            LOGGER.atDebug()
                .addKeyValue("channelId", ctx.channel().id().asShortText())
                .addKeyValue("clientAddress", ctx.channel().remoteAddress())
                .addKeyValue("error", String.valueOf(cause))
                .log("client TLS error before the handshake completed");
        }
        ctx.close();
    }

    private void onHandshakeSucceeded(final ChannelHandlerContext ctx)
    {
        final SSLSession session = ctx.pipeline().get(SslHandler.class).engine().getSession();
        String principal = null;
        if (certificatePrincipal != null)
        {
            final X509Certificate peer = peerCertificate(session);
            if (peer != null)
            {
                try
                {
                    principal = tls.principalName(peer);
                }
                catch (final IOException | IllegalArgumentException e)
                {
                    onHandshakeFailed(ctx, TlsHandshakeFailureReason.PRINCIPAL_MAPPING, e);
                    return;
                }
                certificatePrincipal.accept(principal);
            }
        }
        if (LOGGER.isDebugEnabled())
        {
            LOGGER.atDebug()
                .addKeyValue("channelId", ctx.channel().id().asShortText())
                .addKeyValue("clientAddress", ctx.channel().remoteAddress())
                .addKeyValue("protocol", session.getProtocol())
                .addKeyValue("cipherSuite", session.getCipherSuite())
                .addKeyValue("principal", principal)
                .log("client TLS handshake completed");
        }
        ctx.pipeline().remove(this);
    }

    private static X509Certificate peerCertificate(final SSLSession session)
    {
        try
        {
            final Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate leaf ? leaf : null;
        }
        catch (final SSLPeerUnverifiedException e)
        {
            // No certificate, where one is only requested: the next identity source decides.
            return null;
        }
    }

    private void onHandshakeFailed(final ChannelHandlerContext ctx, final TlsHandshakeFailureReason reason, final Throwable cause)
    {
        failed = true;
        metrics.onTlsHandshakeFailed(tls.listenerName(), reason.label());
        if (reason == TlsHandshakeFailureReason.CLOSED)
        {
            if (LOGGER.isDebugEnabled())
            {
                log(LOGGER.atDebug(), ctx, reason, cause);
            }
        }
        else
        {
            final long suppressed = warnBudget.getAsLong();
            if (suppressed != LogRateLimiter.SUPPRESSED)
            {
                final LoggingEventBuilder event = LOGGER.atWarn();
                log(suppressed > 0 ? event.addKeyValue("suppressed", suppressed) : event, ctx, reason, cause);
            }
        }
        ctx.close();
    }

    private static void log(final LoggingEventBuilder event, final ChannelHandlerContext ctx, final TlsHandshakeFailureReason reason,
        final Throwable cause)
    {
        event.addKeyValue("channelId", ctx.channel().id().asShortText())
            .addKeyValue("clientAddress", ctx.channel().remoteAddress())
            .addKeyValue("reason", reason.label())
            // Not the message of a plaintext client's record: it dumps the bytes the client sent.
            .addKeyValue("error", reason == TlsHandshakeFailureReason.NOT_TLS ? "not a TLS record" : String.valueOf(cause))
            .log("client TLS handshake failed; closing the connection");
    }
}

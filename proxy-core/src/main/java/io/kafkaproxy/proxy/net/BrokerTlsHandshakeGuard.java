package io.kafkaproxy.proxy.net;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

/**
 * Sits behind a broker channel's TLS handler until the handshake ends: a failed handshake is reported once, as a
 * failed connect attempt (the connector's future fails with it), so the exception the TLS handler raises for it
 * stops here instead of reaching the backend handler of a connection that may already be trying its next address.
 * Removes itself once the handshake succeeds.
 *
 * <p>Per channel, never shared; confined to the channel's event loop.
 */
final class BrokerTlsHandshakeGuard extends ChannelInboundHandlerAdapter
{
    private boolean handshakeFailed;

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt) throws Exception
    {
        if (evt instanceof SslHandshakeCompletionEvent)
        {
            if (((SslHandshakeCompletionEvent)evt).isSuccess())
            {
                ctx.pipeline().remove(this);
            }
            else
            {
                handshakeFailed = true;
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        if (handshakeFailed)
        {
            // Already reported through the handshake's future; the TLS handler closes the channel.
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }
}

package io.kafkaproxy.proxy.connection;

import io.kafkaproxy.proxy.codec.FrameStreamSink;
import io.kafkaproxy.proxy.metrics.ProxyMetrics.Side;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of a client channel: hands each event to the connection's state machine.
 *
 * <p>Request frames arrive with their header already decoded; ownership moves to the state machine, and so do the
 * parts of a streamed one (the frame decoder's {@link FrameStreamSink}, which the header decoder does not see). Every
 * exception of the pipeline ends here, and none goes further. Per connection, never shared; confined to the
 * channel's event loop.
 */
public final class ClientFrontendHandler extends ChannelInboundHandlerAdapter implements FrameStreamSink
{
    private final ClientConnectionStateMachine connection;

    /**
     * Creates the handler of one client channel.
     *
     * @param connection the connection's state machine.
     */
    public ClientFrontendHandler(final ClientConnectionStateMachine connection)
    {
        this.connection = connection;
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx)
    {
        connection.onClientActive();
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (msg instanceof ByteBuf)
        {
            connection.onClientRequest((ByteBuf)msg);
        }
        else
        {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public boolean onFrameHead(final ByteBuf head, final int frameLength)
    {
        return connection.onClientRequestHead(head, frameLength);
    }

    @Override
    public void onFrameBytes(final ByteBuf bytes)
    {
        connection.onClientRequestBytes(bytes);
    }

    @Override
    public void onFrameEnd()
    {
        connection.onClientRequestEnd();
    }

    @Override
    public void channelReadComplete(final ChannelHandlerContext ctx)
    {
        connection.onClientReadComplete();
    }

    @Override
    public void channelWritabilityChanged(final ChannelHandlerContext ctx)
    {
        connection.onClientWritabilityChanged();
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt)
    {
        if (evt instanceof IdleStateEvent)
        {
            connection.onClientIdle();
        }
        else if (evt == DrainEvent.INSTANCE)
        {
            connection.onDrain();
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        connection.onClientInactive();
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        connection.onException(Side.CLIENT, cause);
    }
}

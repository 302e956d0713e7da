package io.kafkaproxy.proxy.connection;

import io.kafkaproxy.proxy.codec.ResponseStreamSink;
import io.kafkaproxy.proxy.metrics.ProxyMetrics.Side;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of a broker channel: hands each event to the state machine of the connection the broker
 * channel was opened for.
 *
 * <p>Response frames move to the state machine, and so do the parts of a streamed one (the frame decoder's
 * {@link ResponseStreamSink}). Every exception of the pipeline ends here. Per connection,
 * never shared; confined to the event loop the broker channel shares with its client channel.
 */
public final class BrokerBackendHandler extends ChannelInboundHandlerAdapter implements ResponseStreamSink
{
    private final ClientConnectionStateMachine connection;

    /**
     * Creates the handler of one broker channel.
     *
     * @param connection the state machine of the connection it belongs to.
     */
    public BrokerBackendHandler(final ClientConnectionStateMachine connection)
    {
        this.connection = connection;
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (msg instanceof ByteBuf)
        {
            connection.onBrokerResponse((ByteBuf)msg);
        }
        else
        {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public boolean onFrameHead(final ByteBuf head, final int frameLength)
    {
        return connection.onBrokerResponseHead(head, frameLength);
    }

    @Override
    public void onFrameBytes(final ByteBuf bytes)
    {
        connection.onBrokerResponseBytes(bytes);
    }

    @Override
    public void onFrameEnd()
    {
        connection.onBrokerResponseEnd();
    }

    @Override
    public void channelReadComplete(final ChannelHandlerContext ctx)
    {
        connection.onBrokerReadComplete();
    }

    @Override
    public void channelWritabilityChanged(final ChannelHandlerContext ctx)
    {
        connection.onBrokerWritabilityChanged();
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        connection.onBrokerInactive();
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        connection.onException(Side.BROKER, cause);
    }
}

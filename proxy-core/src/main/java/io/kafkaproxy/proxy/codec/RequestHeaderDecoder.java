package io.kafkaproxy.proxy.codec;

import io.kafkaproxy.protocol.wire.FrameDescriptor;
import io.kafkaproxy.protocol.wire.FrameRejectedException;
import io.kafkaproxy.protocol.wire.RequestHeaderFlyweight;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Validates the header of each request frame and leaves it wrapped in a flyweight that the handlers after this
 * one read without parsing again.
 *
 * <p>The flyweight and its view belong to the connection and describe the frame being passed on until the
 * next one arrives; handlers further on must read them synchronously in {@code channelRead}. A frame whose
 * header does not parse is released and a {@link FrameRejectedException} goes down the pipeline instead.
 *
 * <p>On a listener that terminates SASL, the frames that are raw SASL tokens ({@link SaslFraming#rawTokens()}) carry
 * no header: they pass on as they are, and the flyweight is left as it was.
 *
 * <p>Per connection, never shared. Confined to the channel's event loop.
 */
public final class RequestHeaderDecoder extends ChannelInboundHandlerAdapter
{
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final RequestHeaderFlyweight header;
    private final SaslFraming saslFraming;

    /**
     * Creates the decoder for one connection whose every frame is a Kafka request.
     *
     * @param header the connection's header flyweight, shared with the handlers after this one.
     */
    public RequestHeaderDecoder(final RequestHeaderFlyweight header)
    {
        this(header, null);
    }

    /**
     * Creates the decoder for one connection.
     *
     * @param header      the connection's header flyweight, shared with the handlers after this one.
     * @param saslFraming the connection's SASL framing when its listener terminates SASL, else null.
     */
    public RequestHeaderDecoder(final RequestHeaderFlyweight header, final SaslFraming saslFraming)
    {
        this.header = header;
        this.saslFraming = saslFraming;
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (!(msg instanceof ByteBuf))
        {
            ctx.fireChannelRead(msg);
            return;
        }
        final ByteBuf frame = (ByteBuf)msg;
        if (saslFraming != null && saslFraming.rawTokens())
        {
            ctx.fireChannelRead(frame);
            return;
        }
        try
        {
            ByteBufViews.wrapReadable(view, frame);
            header.wrap(view, FrameDescriptor.MESSAGE_OFFSET, frame.readableBytes() - FrameDescriptor.MESSAGE_OFFSET);
        }
        catch (final FrameRejectedException e)
        {
            frame.release();
            ctx.fireExceptionCaught(e);
            return;
        }
        ctx.fireChannelRead(frame);
    }

    /**
     * The view the header flyweight reads, pointing at the current frame from its size field on.
     *
     * @return the connection's view of the current request frame.
     */
    public UnsafeBuffer view()
    {
        return view;
    }
}

package io.kafkaproxy.proxy.codec;

import io.kafkaproxy.protocol.FrameDescriptor;
import io.kafkaproxy.protocol.FrameRejectedException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Cuts a byte stream into Kafka frames, each passed on as one contiguous {@link ByteBuf} that starts with its
 * size field, so it can be forwarded as it is.
 *
 * <p>A frame that arrives whole inside one socket read is passed on as a retained slice of that read: no copy.
 * A frame spread over several reads is assembled into one buffer sized from its size field, which is checked
 * against the maximum before anything is allocated. A size that is negative or above the maximum raises a
 * {@link FrameRejectedException} through the pipeline, and every byte after it is dropped: the connection is
 * about to close.
 *
 * <p>Ownership: reads handed in are released here; each frame passed on belongs to the next handler. Holds
 * per-connection state, so it is never shared. Confined to the channel's event loop.
 */
public final class KafkaFrameDecoder extends ChannelInboundHandlerAdapter
{
    private final int maxMessageSizeBytes;
    private ByteBuf partialFrame;
    private int sizeBytesRead;
    private int partialSize;
    private boolean rejected;

    /**
     * Creates a decoder for one connection.
     *
     * @param maxMessageSizeBytes the largest message (frame minus its size field) accepted.
     */
    public KafkaFrameDecoder(final int maxMessageSizeBytes)
    {
        if (maxMessageSizeBytes < 0 || maxMessageSizeBytes > Integer.MAX_VALUE - FrameDescriptor.SIZE_FIELD_LENGTH)
        {
            throw new IllegalArgumentException("maximum message size out of range: maxMessageSizeBytes=" + maxMessageSizeBytes);
        }
        this.maxMessageSizeBytes = maxMessageSizeBytes;
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (!(msg instanceof ByteBuf))
        {
            ctx.fireChannelRead(msg);
            return;
        }
        final ByteBuf in = (ByteBuf)msg;
        try
        {
            if (!rejected)
            {
                decode(ctx, in);
            }
        }
        catch (final FrameRejectedException e)
        {
            rejected = true;
            releasePartialFrame();
            ctx.fireExceptionCaught(e);
        }
        finally
        {
            in.release();
        }
    }

    private void decode(final ChannelHandlerContext ctx, final ByteBuf in)
    {
        while (in.isReadable())
        {
            if (partialFrame != null)
            {
                partialFrame.writeBytes(in, Math.min(partialFrame.writableBytes(), in.readableBytes()));
                emitPartialFrameIfComplete(ctx);
            }
            else if (sizeBytesRead > 0 || in.readableBytes() < FrameDescriptor.SIZE_FIELD_LENGTH)
            {
                readSplitSizeField(ctx, in);
            }
            else
            {
                final int size = in.getInt(in.readerIndex());
                FrameDescriptor.checkMessageSize(size, maxMessageSizeBytes);
                final int frameLength = FrameDescriptor.SIZE_FIELD_LENGTH + size;
                if (in.readableBytes() >= frameLength)
                {
                    ctx.fireChannelRead(in.readRetainedSlice(frameLength));
                }
                else
                {
                    partialFrame = ctx.alloc().directBuffer(frameLength, frameLength);
                    partialFrame.writeBytes(in);
                }
            }
        }
    }

    private void readSplitSizeField(final ChannelHandlerContext ctx, final ByteBuf in)
    {
        while (sizeBytesRead < FrameDescriptor.SIZE_FIELD_LENGTH && in.isReadable())
        {
            partialSize = (partialSize << 8) | in.readUnsignedByte();
            sizeBytesRead++;
        }
        if (sizeBytesRead < FrameDescriptor.SIZE_FIELD_LENGTH)
        {
            return;
        }
        final int size = partialSize;
        sizeBytesRead = 0;
        partialSize = 0;
        FrameDescriptor.checkMessageSize(size, maxMessageSizeBytes);
        final int frameLength = FrameDescriptor.SIZE_FIELD_LENGTH + size;
        partialFrame = ctx.alloc().directBuffer(frameLength, frameLength);
        partialFrame.writeInt(size);
        emitPartialFrameIfComplete(ctx);
    }

    private void emitPartialFrameIfComplete(final ChannelHandlerContext ctx)
    {
        if (!partialFrame.isWritable())
        {
            final ByteBuf frame = partialFrame;
            partialFrame = null;
            ctx.fireChannelRead(frame);
        }
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx) throws Exception
    {
        releasePartialFrame();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(final ChannelHandlerContext ctx)
    {
        releasePartialFrame();
    }

    private void releasePartialFrame()
    {
        if (partialFrame != null)
        {
            partialFrame.release();
            partialFrame = null;
        }
    }
}

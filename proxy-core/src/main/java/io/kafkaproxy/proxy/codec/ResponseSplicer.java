package io.kafkaproxy.proxy.codec;

import io.kafkaproxy.protocol.wire.FrameDescriptor;
import io.kafkaproxy.protocol.responses.ResponseSplice;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;

/**
 * Builds the frame sent to a client from a broker's frame and a {@link ResponseSplice}, reusing the broker's
 * bytes around the replaced range instead of copying them.
 *
 * <pre>
 *   broker frame:  | size | prefix ................ | replaced | suffix ........ |
 *   client frame:  | size'| prefix (copied if short, else sliced) | replacement | suffix (sliced) |
 * </pre>
 *
 * A short prefix (a header and a throttle time) is copied next to the new size field and the replacement, so
 * the common Metadata rewrite becomes two buffers; a long prefix (a Fetch response's records) is sliced.
 * Stateless and safe to call from any thread.
 */
public final class ResponseSplicer
{
    private static final int MAX_COPIED_PREFIX_BYTES = 256;

    private ResponseSplicer()
    {
    }

    /**
     * Applies a splice to a frame.
     *
     * @param allocator where new buffers come from.
     * @param frame     the broker's frame, size field first; ownership moves here and it is released or
     *                  absorbed into the result.
     * @param splice    offsets relative to the frame's reader index, and the replacement bytes.
     * @return the client's frame, owned by the caller.
     */
    public static ByteBuf splice(final ByteBufAllocator allocator, final ByteBuf frame, final ResponseSplice splice)
    {
        final CompositeByteBuf out = allocator.compositeDirectBuffer(4);
        try
        {
            final int frameStart = frame.readerIndex();
            final int frameLength = frame.readableBytes();
            final int prefixLength = splice.replaceFromOffset() - FrameDescriptor.MESSAGE_OFFSET;
            final int suffixLength = frameLength - splice.replaceToOffset();
            final int newMessageSize = frameLength - FrameDescriptor.SIZE_FIELD_LENGTH + splice.lengthDelta();
            if (prefixLength <= MAX_COPIED_PREFIX_BYTES)
            {
                final ByteBuf head = allocator.directBuffer(
                    FrameDescriptor.SIZE_FIELD_LENGTH + prefixLength + splice.replacementLength());
                out.addComponent(true, head
                    .writeInt(newMessageSize)
                    .writeBytes(frame, frameStart + FrameDescriptor.MESSAGE_OFFSET, prefixLength)
                    .writeBytes(splice.replacement().byteBuffer().duplicate().limit(splice.replacementLength()).position(0)));
            }
            else
            {
                out.addComponent(true, allocator.directBuffer(FrameDescriptor.SIZE_FIELD_LENGTH).writeInt(newMessageSize));
                out.addComponent(true, frame.retainedSlice(frameStart + FrameDescriptor.MESSAGE_OFFSET, prefixLength));
                out.addComponent(true, allocator.directBuffer(splice.replacementLength())
                    .writeBytes(splice.replacement().byteBuffer().duplicate().limit(splice.replacementLength()).position(0)));
            }
            if (suffixLength > 0)
            {
                out.addComponent(true, frame.retainedSlice(frameStart + splice.replaceToOffset(), suffixLength));
            }
            return out;
        }
        catch (final RuntimeException | Error e)
        {
            out.release();
            throw e;
        }
        finally
        {
            frame.release();
        }
    }
}

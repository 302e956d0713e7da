package io.kafkaproxy.proxy.codec;

import io.netty.buffer.ByteBuf;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The single adapter from a Netty {@link ByteBuf} to an Agrona buffer, so the protocol flyweights can read Netty
 * memory in place.
 *
 * <p>The view is re-pointed, not allocated: callers keep one {@link UnsafeBuffer} per connection or thread.
 * Offset 0 of the view is the buffer's reader index. The view is valid only while the caller holds a reference
 * to the {@code ByteBuf}.
 */
public final class ByteBufViews
{
    private ByteBufViews()
    {
    }

    /**
     * Points a view at the readable bytes of a buffer.
     *
     * @param view   the view to re-point.
     * @param buffer a contiguous buffer: direct with a memory address, or heap with an array.
     * @return the view.
     * @throws IllegalArgumentException if the buffer is composite or otherwise not contiguous.
     */
    public static UnsafeBuffer wrapReadable(final UnsafeBuffer view, final ByteBuf buffer)
    {
        final int length = buffer.readableBytes();
        if (buffer.hasMemoryAddress())
        {
            view.wrap(buffer.memoryAddress() + buffer.readerIndex(), length);
        }
        else if (buffer.hasArray())
        {
            view.wrap(buffer.array(), buffer.arrayOffset() + buffer.readerIndex(), length);
        }
        else if (buffer.nioBufferCount() == 1)
        {
            view.wrap(buffer.nioBuffer(buffer.readerIndex(), length));
        }
        else
        {
            throw new IllegalArgumentException("buffer is not contiguous: class=" + buffer.getClass().getName() +
                ", nioBufferCount=" + buffer.nioBufferCount());
        }
        return view;
    }

    /**
     * Whether a buffer's readable bytes can be viewed in place by {@link #wrapReadable}.
     *
     * @param buffer the buffer.
     * @return false for a composite buffer (a spliced response), which must be merged to be read.
     */
    public static boolean isContiguous(final ByteBuf buffer)
    {
        return buffer.hasMemoryAddress() || buffer.hasArray() || buffer.nioBufferCount() == 1;
    }
}

package io.kafkaproxy.mempool;

import java.nio.ByteBuffer;

/**
 * One contiguous piece of off-heap memory the pool reserved: a chunk that regions are carved from, or a block
 * dedicated to one large region. Its size is a whole number of chunks.
 *
 * <p>Address and capacity never change. The count of live regions belongs to the allocator that holds the
 * block and is only touched on that allocator's thread.
 */
public final class Block
{
    private final ByteBuffer buffer;
    private final long address;
    private final int capacity;
    private final int chunks;
    private final long fileOffset;
    int liveRegions;

    Block(final ByteBuffer buffer, final long address, final int chunks, final long fileOffset)
    {
        this.buffer = buffer;
        this.address = address;
        this.capacity = buffer.capacity();
        this.chunks = chunks;
        this.fileOffset = fileOffset;
    }

    /**
     * The address of the block's first byte.
     *
     * @return the native address.
     */
    public long address()
    {
        return address;
    }

    /**
     * The block's size.
     *
     * @return capacity in bytes.
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * The buffer over the whole block, for views that need a {@link ByteBuffer}; do not move its position.
     *
     * @return the block's buffer.
     */
    public ByteBuffer byteBuffer()
    {
        return buffer;
    }

    int chunks()
    {
        return chunks;
    }

    long fileOffset()
    {
        return fileOffset;
    }
}

package io.kafkaproxy.mempool;

/**
 * A piece of pool memory handed out by a {@link RegionAllocator}: where one frame, or one socket read, lives.
 *
 * <p>A region is released exactly once, from any thread; after that its handle is reused for another region,
 * so nothing may keep it. Reading its fields is safe on the thread that received it from the allocator, or one
 * it was handed to with a happens-before edge (a queue, an event loop task).
 */
public final class Region
{
    private final RegionAllocator allocator;
    private Block block;
    private int offset;
    private int capacity;
    private Object attachment;

    Region(final RegionAllocator allocator)
    {
        this.allocator = allocator;
    }

    Region set(final Block block, final int offset, final int capacity)
    {
        this.block = block;
        this.offset = offset;
        this.capacity = capacity;
        return this;
    }

    /**
     * The address of the region's first byte.
     *
     * @return the native address.
     */
    public long address()
    {
        return block.address() + offset;
    }

    /**
     * The region's size, exactly what was asked for.
     *
     * @return capacity in bytes.
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * The block the region lies in.
     *
     * @return the block; the region spans {@code [offset, offset + capacity)} of it.
     */
    public Block block()
    {
        return block;
    }

    /**
     * Where the region starts in its block.
     *
     * @return the offset in bytes.
     */
    public int offset()
    {
        return offset;
    }

    /**
     * Gives the region back. From the allocator's own thread this is immediate; from any other thread it goes back
     * through the allocator's queue.
     */
    public void release()
    {
        allocator.release(this);
    }

    /**
     * What the user of the allocator keeps with this handle: it is reused with the handle, region after region, so
     * a wrapper kept here (the proxy's {@code ByteBuf}) is recycled along with it, from whichever thread releases.
     *
     * @return the attachment, or null before the first {@link #attach}.
     */
    public Object attachment()
    {
        return attachment;
    }

    /**
     * Keeps an object with this handle for its later regions.
     *
     * @param attachment the object.
     */
    public void attach(final Object attachment)
    {
        this.attachment = attachment;
    }

    RegionAllocator allocator()
    {
        return allocator;
    }
}

package io.kafkaproxy.proxy.memory;

import io.kafkaproxy.mempool.Block;
import io.kafkaproxy.mempool.Region;
import io.netty.buffer.AbstractReferenceCountedByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.Recycler;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import io.netty.util.ResourceLeakTracker;
import io.netty.util.internal.PlatformDependent;
import io.netty.util.internal.SystemPropertyUtil;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ScatteringByteChannel;

/**
 * A Netty buffer over pool memory: either the owner of a {@link Region}, or a view of part of another
 * {@code RegionByteBuf} (a frame sliced out of a socket read).
 *
 * <p>An owner releases its region when its count reaches zero; a view holds one reference on its owner and drops
 * it when its own count reaches zero. Neither a read nor a frame sliced from it allocates on the heap: an owner
 * is kept with its region's handle ({@link Region#attach}) and comes back with it, through the region allocator's
 * queue when released on another thread; a view is recycled through Netty's {@link Recycler}. {@link #retainedSlice(int, int)} returns such a view; the
 * plain {@code slice} of {@code AbstractByteBuf} still works but allocates, and the proxy does not use it.
 *
 * <p>Memory is read and written with {@link PlatformDependent} at {@code address + index}, after
 * {@code AbstractByteBuf}'s own bounds checks. Each buffer and view is watched by Netty's leak detector on its own,
 * at a sampling interval of its own ({@link #LEAK_SAMPLING_INTERVAL}).
 * Not thread safe, like any {@code ByteBuf}.
 *
 * <p>Longer than most classes here because {@code AbstractByteBuf} makes every implementation spell out each
 * primitive accessor in both byte orders and every bulk transfer; they are one-line bodies, and splitting them
 * across classes would only hide that they form one buffer.
 */
public final class RegionByteBuf extends AbstractReferenceCountedByteBuf
{
    private static final boolean NATIVE_BIG_ENDIAN = PlatformDependent.BIG_ENDIAN_NATIVE_ORDER;
    private static final Recycler<RegionByteBuf> RECYCLER = new Recycler<>()
    {
        @Override
        protected RegionByteBuf newObject(final Handle<RegionByteBuf> handle)
        {
            return new RegionByteBuf(handle);
        }
    };
    /**
     * At Netty's simple (default) and advanced levels, one buffer in this many is tracked, and tracking takes a
     * stack trace when the buffer is made. Netty's own default, 128, is set for buffers a program allocates; the
     * proxy makes several of these per request (a read, the frames cut from it, a buffer per TLS record each way),
     * and at 128 the stack traces took 2.6-5.5% of its CPU while it forwarded (bench/RESULTS.md, "2026-12-04
     * (afternoon)"). One in 1024 still catches a leak on any path requests take often; at the paranoid level,
     * which the tests run at, every buffer is tracked whatever this says. Netty's
     * {@code io.netty.leakDetection.samplingInterval}, when set, applies here too (1 tracks every buffer).
     */
    static final int LEAK_SAMPLING_INTERVAL =
        Math.max(1, SystemPropertyUtil.getInt("io.netty.leakDetection.samplingInterval", 1024));
    private static final ResourceLeakDetector<RegionByteBuf> LEAK_DETECTOR =
        ResourceLeakDetectorFactory.instance().newResourceLeakDetector(RegionByteBuf.class, LEAK_SAMPLING_INTERVAL);

    /** A view's way back to the recycler; null for an owner, which is kept with its region's handle instead. */
    private final Recycler.Handle<RegionByteBuf> recyclerHandle;
    private ByteBufAllocator allocator;
    private Region region;
    private RegionByteBuf owner;
    private long address;
    private int capacity;
    private ResourceLeakTracker<RegionByteBuf> leak;
    /** The block buffer {@link #internalView} duplicates; a recycled view may come back over another block. */
    private ByteBuffer internalViewSource;
    /** What {@link #internalNioBuffer} hands out, positioned anew on each call (TLS wraps and unwraps every record). */
    private ByteBuffer internalView;

    private RegionByteBuf(final Recycler.Handle<RegionByteBuf> recyclerHandle)
    {
        super(0);
        this.recyclerHandle = recyclerHandle;
    }

    /**
     * A buffer owning a region, empty, with the region's size as its fixed capacity. The proxy gets these from
     * {@link PoolByteBufAllocator}; code that runs its own {@link io.kafkaproxy.mempool.RegionAllocator} (the
     * benchmarks) wraps regions with this.
     *
     * @param allocator the allocator to report from {@link #alloc()}.
     * @param region    the region; ownership moves to the buffer.
     * @return the buffer, with a count of one.
     */
    public static RegionByteBuf owning(final ByteBufAllocator allocator, final Region region)
    {
        RegionByteBuf buffer = region.attachment() instanceof RegionByteBuf kept ? kept : null;
        if (buffer == null)
        {
            buffer = new RegionByteBuf(null);
            region.attach(buffer);
        }
        buffer.reuse(allocator, region, null, region.address(), region.capacity());
        return buffer;
    }

    private void reuse(final ByteBufAllocator allocator, final Region region, final RegionByteBuf owner,
        final long address, final int capacity)
    {
        this.allocator = allocator;
        this.region = region;
        this.owner = owner;
        this.address = address;
        this.capacity = capacity;
        maxCapacity(capacity);
        setIndex(0, 0);
        markReaderIndex();
        markWriterIndex();
        resetRefCnt();
        // Each buffer and each view is tracked on its own: Netty's leak-aware wrappers assume a derived buffer
        // shares its parent's count, and these views do not.
        leak = LEAK_DETECTOR.track(this);
    }

    /**
     * The region under this buffer (its owner's, for a view).
     *
     * @return the region.
     */
    public Region region()
    {
        return owner == null ? region : owner.region;
    }

    @Override
    public ByteBuf retainedSlice(final int index, final int length)
    {
        checkIndex(index, length);
        final RegionByteBuf root = owner == null ? this : owner;
        root.retain();
        final RegionByteBuf view = RECYCLER.get();
        view.reuse(allocator, null, root, address + index, length);
        view.writerIndex(length);
        return view;
    }

    @Override
    public ByteBuf retainedSlice()
    {
        return retainedSlice(readerIndex(), readableBytes());
    }

    @Override
    public ByteBuf touch(final Object hint)
    {
        // Access records only at the advanced and paranoid levels, as Netty's own leak-aware buffers do: each is a
        // stack trace, and the pipeline touches every message at every handler (at the default level, when one
        // buffer in 128 was tracked, recording its touches cost the proxy 1-2% of its CPU; bench/RESULTS.md, profiles).
        if (leak != null && ResourceLeakDetector.getLevel().ordinal() >= ResourceLeakDetector.Level.ADVANCED.ordinal())
        {
            leak.record(hint);
        }
        return this;
    }

    @Override
    protected void deallocate()
    {
        final Region ownedRegion = region;
        final RegionByteBuf ownerOfView = owner;
        if (leak != null)
        {
            leak.close(this);
            leak = null;
        }
        region = null;
        owner = null;
        allocator = null;
        if (ownerOfView != null)
        {
            recyclerHandle.recycle(this);
            ownerOfView.release();
        }
        else
        {
            // This buffer goes back with the region's handle: nothing here may be touched after this line.
            ownedRegion.release();
        }
    }

    @Override
    public int capacity()
    {
        return capacity;
    }

    @Override
    public ByteBuf capacity(final int newCapacity)
    {
        checkNewCapacity(newCapacity);
        if (newCapacity > capacity)
        {
            throw new UnsupportedOperationException("a pool region cannot grow: capacity=" + capacity +
                ", newCapacity=" + newCapacity);
        }
        capacity = newCapacity;
        maxCapacity(newCapacity);
        trimIndicesToCapacity(newCapacity);
        return this;
    }

    @Override
    public ByteBufAllocator alloc()
    {
        return allocator;
    }

    @Override
    @SuppressWarnings("deprecation")
    public ByteOrder order()
    {
        return ByteOrder.BIG_ENDIAN;
    }

    @Override
    public ByteBuf unwrap()
    {
        return null;
    }

    @Override
    public boolean isDirect()
    {
        return true;
    }

    @Override
    public boolean hasArray()
    {
        return false;
    }

    @Override
    public byte[] array()
    {
        throw new UnsupportedOperationException("direct buffer");
    }

    @Override
    public int arrayOffset()
    {
        throw new UnsupportedOperationException("direct buffer");
    }

    @Override
    public boolean hasMemoryAddress()
    {
        return true;
    }

    @Override
    public long memoryAddress()
    {
        ensureAccessible();
        return address;
    }

    @Override
    public int nioBufferCount()
    {
        return 1;
    }

    @Override
    public ByteBuffer nioBuffer(final int index, final int length)
    {
        checkIndex(index, length);
        // A view of the block's buffer: allocates, so only cold paths (rewritten responses, tests) come here.
        final Block block = region().block();
        return positionedOn(block.byteBuffer().duplicate(), block, index, length).slice();
    }

    /**
     * Netty's contract for this method: the buffer returned is this one's own, valid until the next call, and only
     * its position and limit delimit the bytes (it is not sliced). SslHandler asks for one per TLS record it wraps
     * or unwraps, so it is a duplicate of the block's buffer made once per block, like {@code PooledByteBuf}'s.
     */
    @Override
    public ByteBuffer internalNioBuffer(final int index, final int length)
    {
        checkIndex(index, length);
        final Block block = region().block();
        if (internalView == null || internalViewSource != block.byteBuffer())
        {
            internalViewSource = block.byteBuffer();
            internalView = internalViewSource.duplicate();
        }
        return positionedOn(internalView, block, index, length);
    }

    private ByteBuffer positionedOn(final ByteBuffer blockView, final Block block, final int index, final int length)
    {
        final int blockOffset = (int)(address - block.address()) + index;
        blockView.clear();
        blockView.position(blockOffset).limit(blockOffset + length);
        return blockView;
    }

    @Override
    public ByteBuffer[] nioBuffers(final int index, final int length)
    {
        return new ByteBuffer[] {nioBuffer(index, length)};
    }

    @Override
    protected byte _getByte(final int index)
    {
        return PlatformDependent.getByte(address + index);
    }

    @Override
    protected short _getShort(final int index)
    {
        final short value = PlatformDependent.getShort(address + index);
        return NATIVE_BIG_ENDIAN ? value : Short.reverseBytes(value);
    }

    @Override
    protected short _getShortLE(final int index)
    {
        final short value = PlatformDependent.getShort(address + index);
        return NATIVE_BIG_ENDIAN ? Short.reverseBytes(value) : value;
    }

    @Override
    protected int _getUnsignedMedium(final int index)
    {
        return (_getByte(index) & 0xff) << 16 | (_getByte(index + 1) & 0xff) << 8 | _getByte(index + 2) & 0xff;
    }

    @Override
    protected int _getUnsignedMediumLE(final int index)
    {
        return _getByte(index) & 0xff | (_getByte(index + 1) & 0xff) << 8 | (_getByte(index + 2) & 0xff) << 16;
    }

    @Override
    protected int _getInt(final int index)
    {
        final int value = PlatformDependent.getInt(address + index);
        return NATIVE_BIG_ENDIAN ? value : Integer.reverseBytes(value);
    }

    @Override
    protected int _getIntLE(final int index)
    {
        final int value = PlatformDependent.getInt(address + index);
        return NATIVE_BIG_ENDIAN ? Integer.reverseBytes(value) : value;
    }

    @Override
    protected long _getLong(final int index)
    {
        final long value = PlatformDependent.getLong(address + index);
        return NATIVE_BIG_ENDIAN ? value : Long.reverseBytes(value);
    }

    @Override
    protected long _getLongLE(final int index)
    {
        final long value = PlatformDependent.getLong(address + index);
        return NATIVE_BIG_ENDIAN ? Long.reverseBytes(value) : value;
    }

    @Override
    protected void _setByte(final int index, final int value)
    {
        PlatformDependent.putByte(address + index, (byte)value);
    }

    @Override
    protected void _setShort(final int index, final int value)
    {
        PlatformDependent.putShort(address + index, NATIVE_BIG_ENDIAN ? (short)value : Short.reverseBytes((short)value));
    }

    @Override
    protected void _setShortLE(final int index, final int value)
    {
        PlatformDependent.putShort(address + index, NATIVE_BIG_ENDIAN ? Short.reverseBytes((short)value) : (short)value);
    }

    @Override
    protected void _setMedium(final int index, final int value)
    {
        _setByte(index, value >>> 16);
        _setByte(index + 1, value >>> 8);
        _setByte(index + 2, value);
    }

    @Override
    protected void _setMediumLE(final int index, final int value)
    {
        _setByte(index, value);
        _setByte(index + 1, value >>> 8);
        _setByte(index + 2, value >>> 16);
    }

    @Override
    protected void _setInt(final int index, final int value)
    {
        PlatformDependent.putInt(address + index, NATIVE_BIG_ENDIAN ? value : Integer.reverseBytes(value));
    }

    @Override
    protected void _setIntLE(final int index, final int value)
    {
        PlatformDependent.putInt(address + index, NATIVE_BIG_ENDIAN ? Integer.reverseBytes(value) : value);
    }

    @Override
    protected void _setLong(final int index, final long value)
    {
        PlatformDependent.putLong(address + index, NATIVE_BIG_ENDIAN ? value : Long.reverseBytes(value));
    }

    @Override
    protected void _setLongLE(final int index, final long value)
    {
        PlatformDependent.putLong(address + index, NATIVE_BIG_ENDIAN ? Long.reverseBytes(value) : value);
    }

    @Override
    public ByteBuf getBytes(final int index, final ByteBuf dst, final int dstIndex, final int length)
    {
        checkDstIndex(index, length, dstIndex, dst.capacity());
        if (dst.hasMemoryAddress())
        {
            PlatformDependent.copyMemory(address + index, dst.memoryAddress() + dstIndex, length);
        }
        else if (dst.hasArray())
        {
            PlatformDependent.copyMemory(address + index, dst.array(), dst.arrayOffset() + dstIndex, length);
        }
        else
        {
            dst.setBytes(dstIndex, this, index, length);
        }
        return this;
    }

    @Override
    public ByteBuf getBytes(final int index, final byte[] dst, final int dstIndex, final int length)
    {
        checkDstIndex(index, length, dstIndex, dst.length);
        PlatformDependent.copyMemory(address + index, dst, dstIndex, length);
        return this;
    }

    @Override
    public ByteBuf getBytes(final int index, final ByteBuffer dst)
    {
        final int length = dst.remaining();
        checkIndex(index, length);
        dst.put(nioBuffer(index, length));
        return this;
    }

    @Override
    public ByteBuf getBytes(final int index, final OutputStream out, final int length) throws IOException
    {
        checkIndex(index, length);
        final byte[] copy = new byte[length];
        getBytes(index, copy, 0, length);
        out.write(copy);
        return this;
    }

    @Override
    public int getBytes(final int index, final GatheringByteChannel out, final int length) throws IOException
    {
        return out.write(nioBuffer(index, length));
    }

    @Override
    public int getBytes(final int index, final FileChannel out, final long position, final int length) throws IOException
    {
        return out.write(nioBuffer(index, length), position);
    }

    @Override
    public ByteBuf setBytes(final int index, final ByteBuf src, final int srcIndex, final int length)
    {
        checkSrcIndex(index, length, srcIndex, src.capacity());
        if (src.hasMemoryAddress())
        {
            PlatformDependent.copyMemory(src.memoryAddress() + srcIndex, address + index, length);
        }
        else if (src.hasArray())
        {
            PlatformDependent.copyMemory(src.array(), src.arrayOffset() + srcIndex, address + index, length);
        }
        else
        {
            src.getBytes(srcIndex, this, index, length);
        }
        return this;
    }

    @Override
    public ByteBuf setBytes(final int index, final byte[] src, final int srcIndex, final int length)
    {
        checkSrcIndex(index, length, srcIndex, src.length);
        PlatformDependent.copyMemory(src, srcIndex, address + index, length);
        return this;
    }

    @Override
    public ByteBuf setBytes(final int index, final ByteBuffer src)
    {
        final int length = src.remaining();
        checkIndex(index, length);
        nioBuffer(index, length).put(src);
        return this;
    }

    @Override
    public int setBytes(final int index, final InputStream in, final int length) throws IOException
    {
        checkIndex(index, length);
        final byte[] bytes = in.readNBytes(length);
        setBytes(index, bytes, 0, bytes.length);
        return bytes.length;
    }

    @Override
    public int setBytes(final int index, final ScatteringByteChannel in, final int length) throws IOException
    {
        return in.read(nioBuffer(index, length));
    }

    @Override
    public int setBytes(final int index, final FileChannel in, final long position, final int length) throws IOException
    {
        return in.read(nioBuffer(index, length), position);
    }

    @Override
    public ByteBuf copy(final int index, final int length)
    {
        checkIndex(index, length);
        final ByteBuf copy = alloc().directBuffer(length, length);
        copy.writeBytes(this, index, length);
        return copy;
    }
}

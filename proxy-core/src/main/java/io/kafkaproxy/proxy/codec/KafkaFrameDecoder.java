package io.kafkaproxy.proxy.codec;

import io.kafkaproxy.protocol.wire.FrameDescriptor;
import io.kafkaproxy.protocol.wire.FrameRejectedException;
import io.kafkaproxy.proxy.memory.ChannelMemoryWait;
import io.kafkaproxy.proxy.memory.DirectReadTarget;
import io.kafkaproxy.proxy.memory.FramePromises;
import io.kafkaproxy.proxy.memory.MemoryExhaustedException;
import io.kafkaproxy.proxy.memory.PoolByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.util.concurrent.TimeUnit;

/**
 * Cuts a byte stream into Kafka frames, each passed on as one contiguous {@link ByteBuf} that starts with its
 * size field, so it can be forwarded as it is.
 *
 * <p>A frame that arrives whole inside one socket read is passed on as a retained slice of that read: no copy.
 * A frame spread over several reads is assembled in one buffer sized from its size field, which is checked
 * against the maximum before anything is allocated; the bytes of the first read are copied into it, and every
 * later read lands in it directly ({@link #directReadTarget()}). A size that is negative or above the maximum
 * raises a {@link FrameRejectedException} through the pipeline, and every byte after it is dropped: the
 * connection is about to close. Before a terminated SASL login, the maximum is at most a broker's pre-login one
 * ({@link SaslFraming}).
 *
 * <p><b>Cut-through.</b> On a channel built with a {@link FrameStreamSink} (a broker channel's
 * {@link ResponseStreamSink}, or a client channel's for its requests), a frame that is not whole in its first read is
 * first offered to the sink with the bytes it has so far. If the sink takes it, the frame is not assembled: those
 * bytes and every later read's bytes of the frame go to the sink as retained slices of the reads, then its end. If
 * not, it is assembled as below. The sink is called directly, not through the pipeline, so handlers after this decoder
 * see no streamed frame: the sink must be the last handler's own (the broker channel's backend handler, the client
 * channel's frontend handler). A client's streamed frame has the deadline an assembled one would have (below), though
 * it takes no promise: it holds no memory, but it holds its broker connection. Bytes kept over several reads while a
 * frame waited for memory are never sliced or offered whole: a frame or head among them that is not one contiguous
 * read is assembled (copied), so that whatever is passed on can be viewed in place.
 *
 * <p>With a pool allocator, a frame the pool has no memory for is not an error: the bytes read so far are kept,
 * the channel stops reading ({@link ChannelMemoryWait}), and the frame is started again when memory returns.
 *
 * <p><b>Invariant: a frame that has started always completes.</b> A started frame holds the memory of all its
 * bytes, so it never asks for more: it is passed on once its last byte arrives, or it is dropped with its
 * connection. A frame waiting to start holds nothing but the bytes read so far, and its channel reads no more. So
 * no set of frames can wait on each other for memory: every wait ends when a started frame ends. (Growing a frame's
 * buffer as its bytes arrive would break this: several half-grown frames could each wait, holding what they have,
 * for memory the others hold.) A streamed frame holds no memory of its own in the decoder and asks for none but the
 * channel's reads: its bytes are handed on as they arrive and drain to the client by the client's reading alone,
 * whatever the pool has left, so it too always completes (or ends with its connection), and releases its reads'
 * memory as they drain.
 *
 * <p>What a client's frame may hold before its bytes arrive is bounded instead ({@link FramePromises}): a large
 * frame starts only within a pool-wide budget of such promises (else it waits, as above, until one is settled),
 * and every started frame has a deadline, proportional to its size, by which it must be whole. A frame not whole by
 * then is dropped and a {@link FrameTimeoutException} goes through the pipeline: the connection closes and the
 * frame's memory and promise are freed, so a peer cannot hold memory with a size field it never makes good, nor
 * with a byte now and then. A deadline that passes while the proxy itself is not reading the channel (back-pressure,
 * a throttled client) starts again. Broker channels, whose responses the proxy asked for, have neither bound.
 *
 * <p>Ownership: reads handed in are released here; each frame passed on belongs to the next handler. Holds
 * per-connection state, so it is never shared. Confined to the channel's event loop.
 *
 * <p>About 570 lines: a frame's whole life on one connection (size field, slice, stream, assembly, the wait for memory or
 * for the promise budget, the deadline) shares the same few fields, and splitting them would spread one invariant
 * (a started frame always completes) over several classes.
 */
public final class KafkaFrameDecoder extends ChannelInboundHandlerAdapter implements DirectReadTarget
{
    private static final int NO_PENDING_FRAME = -1;
    // The largest read a streamed frame's rest asks for: large enough that a 1 MiB Fetch response moves in a few
    // reads (as an assembled one does, straight into its frame), small enough that one read does not hold much
    // memory beyond what the client's write buffer takes before the broker's reads stop.
    private static final int STREAMED_READ_MAX_BYTES = 256 * 1024;

    private final FrameSizeLimit sizeLimit;
    private final ChannelMemoryWait memoryWait;
    private final SaslFraming saslFraming;
    private final FrameStreamSink streamSink;
    private final Runnable retryPendingFrame = this::retryPendingFrame;
    private final Runnable checkFrameDeadline = this::checkFrameDeadline;
    private ChannelHandlerContext ctx;
    private ByteBuf partialFrame;
    private long partialFrameDeadlineNanos;
    private long partialFrameAllowedNanos;
    private boolean deadlineCheckScheduled;
    private long deadlineCheckDueNanos;
    private ByteBuf directRead;
    private CompositeByteBuf pendingBytes;
    private int pendingFrameLength = NO_PENDING_FRAME;
    private int sizeBytesRead;
    private int partialSize;
    private int streamedBytesLeft;
    private int streamedFrameLength;
    private boolean rejected;
    private boolean closed;

    /**
     * Creates a decoder for one connection that allocates from the channel's allocator and never waits.
     *
     * @param maxMessageSizeBytes the largest message (frame minus its size field) accepted.
     */
    public KafkaFrameDecoder(final int maxMessageSizeBytes)
    {
        this(new FrameSizeLimit(maxMessageSizeBytes), null);
    }

    /**
     * Creates a decoder for one connection.
     *
     * @param sizeLimit  the largest message (frame minus its size field) accepted, read at each frame.
     * @param memoryWait the channel's wait for pool memory, or null if the allocator is not a pool.
     */
    public KafkaFrameDecoder(final FrameSizeLimit sizeLimit, final ChannelMemoryWait memoryWait)
    {
        this(sizeLimit, memoryWait, null, null);
    }

    /**
     * Creates a decoder for one client connection whose listener may terminate SASL.
     *
     * @param sizeLimit   the largest message (frame minus its size field) accepted, read at each frame.
     * @param memoryWait  the channel's wait for pool memory, or null if the allocator is not a pool.
     * @param saslFraming the connection's SASL framing, which lowers the limit until the login; null if the listener
     *                    does not terminate SASL.
     */
    public KafkaFrameDecoder(final FrameSizeLimit sizeLimit, final ChannelMemoryWait memoryWait, final SaslFraming saslFraming)
    {
        this(sizeLimit, memoryWait, saslFraming, null);
    }

    /**
     * Creates a decoder for one broker connection whose responses may stream (cut-through).
     *
     * @param sizeLimit  the largest message (frame minus its size field) accepted, read at each frame.
     * @param memoryWait the channel's wait for pool memory, or null if the allocator is not a pool.
     * @param streamSink decides, for each frame not whole in its first read, whether it streams; null never streams.
     */
    public KafkaFrameDecoder(final FrameSizeLimit sizeLimit, final ChannelMemoryWait memoryWait, final ResponseStreamSink streamSink)
    {
        this(sizeLimit, memoryWait, null, streamSink);
    }

    /**
     * Creates a decoder for one client connection whose requests may stream (cut-through), and whose listener may
     * terminate SASL.
     *
     * @param sizeLimit   the largest message (frame minus its size field) accepted, read at each frame.
     * @param memoryWait  the channel's wait for pool memory, or null if the allocator is not a pool.
     * @param saslFraming the connection's SASL framing, which lowers the limit until the login; null if the listener
     *                    does not terminate SASL.
     * @param streamSink  decides, for each frame not whole in its first read, whether it streams; null never streams.
     */
    public KafkaFrameDecoder(
        final FrameSizeLimit sizeLimit, final ChannelMemoryWait memoryWait, final SaslFraming saslFraming, final FrameStreamSink streamSink)
    {
        this.sizeLimit = sizeLimit;
        this.memoryWait = memoryWait;
        this.saslFraming = saslFraming;
        this.streamSink = streamSink;
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
    }

    @Override
    public int nextReadBytes()
    {
        return streamedBytesLeft > 0 && !closed ? Math.min(streamedBytesLeft, STREAMED_READ_MAX_BYTES) : 0;
    }

    @Override
    public ByteBuf directReadTarget()
    {
        if (partialFrame == null || rejected || closed || !partialFrame.isWritable())
        {
            return null;
        }
        directRead = partialFrame.retainedSlice(partialFrame.writerIndex(), partialFrame.writableBytes()).clear();
        return directRead;
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
        if (in == directRead)
        {
            // The socket read went straight into the frame being assembled.
            directRead = null;
            if (partialFrame != null)
            {
                partialFrame.writerIndex(partialFrame.writerIndex() + in.readableBytes());
                emitPartialFrameIfComplete(ctx);
            }
            in.release();
            return;
        }
        try
        {
            if (rejected)
            {
                return;
            }
            if (pendingFrameLength != NO_PENDING_FRAME)
            {
                pendingBytes.addComponent(true, in.retain());
                return;
            }
            decode(ctx, in);
        }
        catch (final FrameRejectedException e)
        {
            rejected = true;
            releaseFrameState();
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
            if (pendingFrameLength != NO_PENDING_FRAME)
            {
                // A frame whose size field ended in this read waits for memory: the rest of the read is its.
                pendingBytes.addComponent(true, in.readRetainedSlice(in.readableBytes()));
                return;
            }
            if (streamedBytesLeft > 0)
            {
                streamBytes(in);
            }
            else if (partialFrame != null)
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
                FrameDescriptor.checkMessageSize(size, maxMessageSizeBytes());
                final int frameLength = FrameDescriptor.SIZE_FIELD_LENGTH + size;
                // Bytes kept while a frame waited for memory are a composite of several reads: a frame or a head
                // there may span them, and what comes next reads it in place, so it is assembled instead (rare).
                final boolean contiguous = ByteBufViews.isContiguous(in);
                if (in.readableBytes() >= frameLength && contiguous)
                {
                    ctx.fireChannelRead(in.readRetainedSlice(frameLength));
                }
                else if (in.readableBytes() < frameLength && contiguous && streamSink != null
                    && streamSink.onFrameHead(in, frameLength))
                {
                    streamedBytesLeft = frameLength;
                    streamedFrameLength = frameLength;
                    streamStarted(ctx, frameLength);
                }
                else if (!startFrame(ctx, frameLength, in))
                {
                    return;
                }
            }
        }
    }

    private void streamBytes(final ByteBuf in)
    {
        final int length = Math.min(streamedBytesLeft, in.readableBytes());
        streamedBytesLeft -= length;
        streamSink.onFrameBytes(in.readRetainedSlice(length));
        if (streamedBytesLeft == 0)
        {
            partialFrameAllowedNanos = 0;
            streamSink.onFrameEnd();
        }
    }

    private void streamStarted(final ChannelHandlerContext ctx, final int frameLength)
    {
        // A client's frame (the only kind with a deadline) must be whole by the deadline an assembled one would have:
        // a peer that trickles a streamed frame holds no proxy memory, but does hold the broker's connection.
        partialFrameAllowedNanos = memoryWait == null ? 0 : memoryWait.frameDeadlineNanos(frameLength);
        if (partialFrameAllowedNanos == 0)
        {
            return;
        }
        final long now = ctx.executor().ticker().nanoTime();
        partialFrameDeadlineNanos = now + partialFrameAllowedNanos;
        scheduleDeadlineCheck(ctx, now);
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
        FrameDescriptor.checkMessageSize(size, maxMessageSizeBytes());
        startFrame(ctx, FrameDescriptor.SIZE_FIELD_LENGTH + size, null);
    }

    private int maxMessageSizeBytes()
    {
        final int limit = sizeLimit.maxMessageSizeBytes();
        return saslFraming == null ? limit : saslFraming.maxMessageSizeBytes(limit);
    }

    /**
     * Starts assembling a frame with the bytes of it read so far: those left in {@code in} (size field first), up to
     * its length, or, when {@code in} is null, only its size field, already consumed.
     *
     * @return false if the pool refused the memory: everything left in {@code in} is kept for later.
     */
    private boolean startFrame(final ChannelHandlerContext ctx, final int frameLength, final ByteBuf in)
    {
        final int arrivedBytes = in == null ? FrameDescriptor.SIZE_FIELD_LENGTH : in.readableBytes();
        final ByteBuf frame = frameBuffer(ctx, frameLength, arrivedBytes);
        if (frame == null)
        {
            pendingFrameLength = frameLength;
            pendingBytes = ctx.alloc().compositeDirectBuffer(Integer.MAX_VALUE);
            if (in == null)
            {
                pendingBytes.addComponent(true, ctx.alloc().heapBuffer(FrameDescriptor.SIZE_FIELD_LENGTH)
                    .writeInt(frameLength - FrameDescriptor.SIZE_FIELD_LENGTH));
            }
            else
            {
                pendingBytes.addComponent(true, in.readRetainedSlice(in.readableBytes()));
            }
            memoryWait.awaitFrameMemory(retryPendingFrame);
            return false;
        }
        partialFrame = frame;
        frameStarted(ctx, frameLength);
        if (in == null)
        {
            partialFrame.writeInt(frameLength - FrameDescriptor.SIZE_FIELD_LENGTH);
        }
        else
        {
            partialFrame.writeBytes(in, Math.min(partialFrame.writableBytes(), in.readableBytes()));
        }
        emitPartialFrameIfComplete(ctx);
        return true;
    }

    private void retryPendingFrame()
    {
        if (closed || pendingFrameLength == NO_PENDING_FRAME)
        {
            return;
        }
        final ByteBuf frame = frameBuffer(ctx, pendingFrameLength, pendingBytes.readableBytes());
        if (frame == null)
        {
            memoryWait.awaitFrameMemory(retryPendingFrame);
            return;
        }
        final CompositeByteBuf pending = pendingBytes;
        final int frameLength = pendingFrameLength;
        pendingBytes = null;
        pendingFrameLength = NO_PENDING_FRAME;
        partialFrame = frame;
        frameStarted(ctx, frameLength);
        try
        {
            partialFrame.writeBytes(pending, Math.min(partialFrame.writableBytes(), pending.readableBytes()));
            emitPartialFrameIfComplete(ctx);
            if (pending.isReadable())
            {
                // The reads the frame took whole go now, so the rest is more often one contiguous read.
                pending.discardReadComponents();
                decode(ctx, pending);
            }
        }
        catch (final RuntimeException e)
        {
            // Run from the memory wait, not from a read: nothing above would catch it, and the channel's reads
            // would stay paused. Whatever failed, the connection closes through the pipeline, as from a read.
            rejected = true;
            releaseFrameState();
            ctx.fireExceptionCaught(e);
        }
        finally
        {
            pending.release();
        }
        if (!rejected)
        {
            ctx.fireChannelReadComplete();
        }
    }

    /**
     * The buffer to assemble a frame in, or null if it must wait for memory (or, for a client's large frame, for
     * its promise): only with a memory wait; without one, a refusal is an error.
     */
    private ByteBuf frameBuffer(final ChannelHandlerContext ctx, final int frameLength, final int arrivedBytes)
    {
        if (memoryWait != null)
        {
            return memoryWait.tryFrameBuffer(frameLength, arrivedBytes);
        }
        final ByteBuf frame = allocate(ctx, frameLength);
        if (frame == null)
        {
            throw MemoryExhaustedException.INSTANCE;
        }
        return frame;
    }

    private static ByteBuf allocate(final ChannelHandlerContext ctx, final int frameLength)
    {
        return ctx.alloc() instanceof PoolByteBufAllocator ?
            ((PoolByteBufAllocator)ctx.alloc()).tryDirectBuffer(frameLength) :
            ctx.alloc().directBuffer(frameLength, frameLength);
    }

    private void emitPartialFrameIfComplete(final ChannelHandlerContext ctx)
    {
        if (partialFrame != null && !partialFrame.isWritable())
        {
            final ByteBuf frame = partialFrame;
            partialFrame = null;
            frameEnded();
            ctx.fireChannelRead(frame);
        }
    }

    private void frameStarted(final ChannelHandlerContext ctx, final int frameLength)
    {
        if (memoryWait == null)
        {
            return;
        }
        memoryWait.frameStarted();
        partialFrameAllowedNanos = memoryWait.frameDeadlineNanos(frameLength);
        if (partialFrameAllowedNanos == 0)
        {
            return;
        }
        final long now = ctx.executor().ticker().nanoTime();
        partialFrameDeadlineNanos = now + partialFrameAllowedNanos;
        scheduleDeadlineCheck(ctx, now);
    }

    private void scheduleDeadlineCheck(final ChannelHandlerContext ctx, final long now)
    {
        // A check already due by this frame's deadline will see it: most frames end long before their deadline, and
        // a timer per frame would cost a scheduled task each. Only an earlier deadline (a small frame after a large
        // one) needs a check of its own; the later one, when it runs, finds nothing to do.
        if (deadlineCheckScheduled && deadlineCheckDueNanos - partialFrameDeadlineNanos <= 0)
        {
            return;
        }
        deadlineCheckScheduled = true;
        deadlineCheckDueNanos = partialFrameDeadlineNanos;
        ctx.executor().schedule(checkFrameDeadline, partialFrameDeadlineNanos - now, TimeUnit.NANOSECONDS);
    }

    private void checkFrameDeadline()
    {
        final long now = ctx.executor().ticker().nanoTime();
        if (deadlineCheckScheduled && deadlineCheckDueNanos - now <= 0)
        {
            deadlineCheckScheduled = false;
        }
        if (closed || rejected || partialFrame == null && streamedBytesLeft == 0 || partialFrameAllowedNanos == 0)
        {
            return;
        }
        if (partialFrameDeadlineNanos - now <= 0 && !ctx.channel().config().isAutoRead())
        {
            // The proxy is not reading this channel (its broker's buffer is full, its client throttled): the peer
            // cannot make progress, so it is given its time again rather than cut for the proxy's pause.
            partialFrameDeadlineNanos = now + partialFrameAllowedNanos;
        }
        if (partialFrameDeadlineNanos - now > 0)
        {
            scheduleDeadlineCheck(ctx, now);
            return;
        }
        final FrameTimeoutException timedOut = partialFrame == null ?
            new FrameTimeoutException(streamedFrameLength, streamedFrameLength - streamedBytesLeft,
                TimeUnit.NANOSECONDS.toMillis(partialFrameAllowedNanos)) :
            new FrameTimeoutException(partialFrame.capacity(), partialFrame.writerIndex(),
                TimeUnit.NANOSECONDS.toMillis(partialFrameAllowedNanos));
        rejected = true;
        memoryWait.onFrameTimedOut();
        releaseFrameState();
        ctx.fireExceptionCaught(timedOut);
    }

    private void frameEnded()
    {
        if (memoryWait != null)
        {
            memoryWait.frameEnded();
        }
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx) throws Exception
    {
        close();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(final ChannelHandlerContext ctx)
    {
        close();
    }

    private void close()
    {
        closed = true;
        if (memoryWait != null)
        {
            memoryWait.close();
        }
        releaseFrameState();
    }

    private void releaseFrameState()
    {
        // A read target still out belongs to the read that holds it, which releases it.
        directRead = null;
        // A streamed frame's bytes were handed on as they came; its connection closes with its channel.
        streamedBytesLeft = 0;
        if (partialFrame != null)
        {
            partialFrame.release();
            partialFrame = null;
        }
        if (pendingBytes != null)
        {
            pendingBytes.release();
            pendingBytes = null;
        }
        pendingFrameLength = NO_PENDING_FRAME;
    }
}

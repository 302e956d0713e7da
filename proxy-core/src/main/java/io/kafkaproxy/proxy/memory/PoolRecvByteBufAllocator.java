package io.kafkaproxy.proxy.memory;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * Decides where each socket read of one channel lands: straight into the frame its decoder is assembling when a
 * frame is incomplete, otherwise into a fresh region of pool memory sized by Netty's adaptive guess, or by the rest of
 * the frame the decoder is streaming when that is larger. A channel whose
 * socket bytes are not frame bytes (TLS: they are ciphertext) has no direct-read target, and every read is a fresh
 * region.
 *
 * <p>One per channel, set by the channel's initializer; the read sizes adapt as Netty's do (64 bytes to 64 KiB).
 */
public final class PoolRecvByteBufAllocator implements RecvByteBufAllocator
{
    private static final AdaptiveRecvByteBufAllocator SIZES = new AdaptiveRecvByteBufAllocator(64, 2048, 64 * 1024);

    private final PoolByteBufAllocator allocator;
    private final DirectReadTarget frameDecoder;
    private final ChannelMemoryWait memoryWait;

    /**
     * Creates the read allocator of one channel whose socket bytes are not its frames' bytes (a TLS channel): every
     * read lands in a fresh region of pool memory.
     *
     * @param allocator  the pool allocator.
     * @param memoryWait the channel's memory wait.
     */
    public PoolRecvByteBufAllocator(final PoolByteBufAllocator allocator, final ChannelMemoryWait memoryWait)
    {
        this(allocator, null, memoryWait);
    }

    /**
     * Creates the read allocator of one channel.
     *
     * @param allocator    the pool allocator.
     * @param frameDecoder the channel's frame decoder; null when the socket's bytes are not frame bytes (TLS:
     *                     ciphertext), so every read lands in a fresh region.
     * @param memoryWait   the channel's memory wait.
     */
    public PoolRecvByteBufAllocator(
        final PoolByteBufAllocator allocator, final DirectReadTarget frameDecoder, final ChannelMemoryWait memoryWait)
    {
        this.allocator = allocator;
        this.frameDecoder = frameDecoder;
        this.memoryWait = memoryWait;
    }

    @Override
    @SuppressWarnings("deprecation")
    public Handle newHandle()
    {
        return new PoolHandle((ExtendedHandle)SIZES.newHandle());
    }

    /**
     * Netty's adaptive sizing, with the buffer itself chosen here. Netty's epoll channels require an
     * {@link ExtendedHandle}, so this delegates every call of one.
     */
    private final class PoolHandle implements ExtendedHandle
    {
        private final ExtendedHandle sizes;

        PoolHandle(final ExtendedHandle sizes)
        {
            this.sizes = sizes;
        }

        @Override
        public ByteBuf allocate(final ByteBufAllocator ignored)
        {
            if (frameDecoder == null)
            {
                return allocator.readBuffer(sizes.guess(), memoryWait);
            }
            final ByteBuf frameRemainder = frameDecoder.directReadTarget();
            return frameRemainder != null ? frameRemainder :
                allocator.readBuffer(Math.max(sizes.guess(), frameDecoder.nextReadBytes()), memoryWait);
        }

        @Override
        public int guess()
        {
            return sizes.guess();
        }

        @Override
        public void reset(final ChannelConfig config)
        {
            sizes.reset(config);
        }

        @Override
        public void incMessagesRead(final int numMessages)
        {
            sizes.incMessagesRead(numMessages);
        }

        @Override
        public void lastBytesRead(final int bytes)
        {
            sizes.lastBytesRead(bytes);
        }

        @Override
        public int lastBytesRead()
        {
            return sizes.lastBytesRead();
        }

        @Override
        public void attemptedBytesRead(final int bytes)
        {
            sizes.attemptedBytesRead(bytes);
        }

        @Override
        public int attemptedBytesRead()
        {
            return sizes.attemptedBytesRead();
        }

        @Override
        public boolean continueReading()
        {
            return !memoryWait.waiting() && sizes.continueReading();
        }

        @Override
        public boolean continueReading(final UncheckedBooleanSupplier maybeMoreDataSupplier)
        {
            return !memoryWait.waiting() && sizes.continueReading(maybeMoreDataSupplier);
        }

        @Override
        public void readComplete()
        {
            sizes.readComplete();
        }
    }
}

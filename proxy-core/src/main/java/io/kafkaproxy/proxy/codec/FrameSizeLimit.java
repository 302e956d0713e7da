package io.kafkaproxy.proxy.codec;

import io.kafkaproxy.protocol.wire.FrameDescriptor;

/**
 * The largest message one kind of connection accepts, shared by all its frame decoders and changeable by a
 * configuration reload: a decoder reads it at each size field, so a new limit applies from the next frame of
 * every open connection.
 *
 * <p>Written by the reload thread, read by every event loop: one volatile field, a plain load on x86.
 */
public final class FrameSizeLimit
{
    private volatile int maxMessageSizeBytes;

    /**
     * Creates a limit.
     *
     * @param maxMessageSizeBytes the largest message (frame minus its size field) accepted.
     */
    public FrameSizeLimit(final int maxMessageSizeBytes)
    {
        set(maxMessageSizeBytes);
    }

    /**
     * The limit now.
     *
     * @return the largest message accepted, in bytes.
     */
    public int maxMessageSizeBytes()
    {
        return maxMessageSizeBytes;
    }

    /**
     * Changes the limit.
     *
     * @param newMaxMessageSizeBytes the largest message accepted from now on.
     */
    public void set(final int newMaxMessageSizeBytes)
    {
        if (newMaxMessageSizeBytes < 0 || newMaxMessageSizeBytes > Integer.MAX_VALUE - FrameDescriptor.SIZE_FIELD_LENGTH)
        {
            throw new IllegalArgumentException("maximum message size out of range: maxMessageSizeBytes=" + newMaxMessageSizeBytes);
        }
        this.maxMessageSizeBytes = newMaxMessageSizeBytes;
    }
}

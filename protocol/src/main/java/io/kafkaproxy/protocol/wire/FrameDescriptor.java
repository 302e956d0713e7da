package io.kafkaproxy.protocol.wire;

import static org.agrona.BitUtil.SIZE_OF_INT;

/**
 * Layout of a Kafka frame on the wire: a big-endian int32 size followed by that many bytes of message.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        Size (bytes after it)                  |
 *  +---------------------------------------------------------------+
 *  |                  Header (request or response)                ...
 *  +---------------------------------------------------------------+
 *  |                           Body                               ...
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * The proxy keeps the size prefix with the frame, so a frame it does not rewrite is forwarded byte for byte.
 */
public final class FrameDescriptor
{
    /**
     * Offset of the size field within a frame.
     */
    public static final int SIZE_OFFSET = 0;

    /**
     * Length of the size field.
     */
    public static final int SIZE_FIELD_LENGTH = SIZE_OF_INT;

    /**
     * Offset of the message (header then body) within a frame.
     */
    public static final int MESSAGE_OFFSET = SIZE_OFFSET + SIZE_FIELD_LENGTH;

    /**
     * Default maximum message size, the broker's own {@code socket.request.max.bytes}.
     */
    public static final int DEFAULT_MAX_MESSAGE_SIZE_BYTES = 100 * 1024 * 1024;

    private FrameDescriptor()
    {
    }

    /**
     * Checks a declared message size before anything is allocated for it.
     *
     * @param messageSize           the value of the size field.
     * @param maxMessageSizeBytes   the largest size accepted.
     * @throws MalformedFrameException  if the size is negative.
     * @throws FrameOversizedException if the size is above the maximum.
     */
    public static void checkMessageSize(final int messageSize, final int maxMessageSizeBytes)
    {
        if (messageSize < 0)
        {
            throw new MalformedFrameException("negative frame size: size=" + messageSize);
        }
        if (messageSize > maxMessageSizeBytes)
        {
            throw new FrameOversizedException(messageSize, maxMessageSizeBytes);
        }
    }
}

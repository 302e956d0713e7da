package io.kafkaproxy.protocol.wire;

import org.agrona.DirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;
import static org.agrona.BitUtil.SIZE_OF_INT;

/**
 * View over a Kafka response header, at the start of a response message (just after the frame's size field).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        correlation_id                         |
 *  +---------------------------------------------------------------+
 *  |  tagged fields (v1 only)                                     ...
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * The correlation id sits at the same place in every version, so it can be read before the request it answers
 * is known; the header length needs the header version, which follows from that request.
 */
public final class ResponseHeaderFlyweight
{
    /** Offset of correlation_id. */
    public static final int CORRELATION_ID_OFFSET = 0;
    /** Bytes every response header has. */
    public static final int MIN_LENGTH = CORRELATION_ID_OFFSET + SIZE_OF_INT;

    private final KafkaWireReader reader = new KafkaWireReader();
    private DirectBuffer buffer;
    private int offset;
    private int limit;
    private int headerLength;

    /**
     * Wraps a response whose header version is not yet known; only {@link #correlationId()} may be read.
     *
     * @param buffer the buffer holding the response.
     * @param offset the offset of the header (just after the frame's size field).
     * @param length the message length: header plus body.
     * @return this flyweight.
     * @throws MalformedFrameException if the message is too short to hold a correlation id.
     */
    public ResponseHeaderFlyweight wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < MIN_LENGTH)
        {
            throw new MalformedFrameException("response shorter than its header: length=" + length +
                ", minLength=" + MIN_LENGTH);
        }
        this.buffer = buffer;
        this.offset = offset;
        this.limit = offset + length;
        this.headerLength = MIN_LENGTH;
        return this;
    }

    /**
     * Measures the header once the request it answers, and so its version, is known.
     *
     * @param headerVersion 0 or 1.
     * @return this flyweight.
     * @throws MalformedFrameException if the tagged fields run past the message.
     */
    public ResponseHeaderFlyweight headerVersion(final short headerVersion)
    {
        if (headerVersion >= 1)
        {
            reader.wrap(buffer, offset + MIN_LENGTH, limit - offset - MIN_LENGTH);
            reader.skipTaggedFields("response_header");
            headerLength = reader.position() - offset;
        }
        else
        {
            headerLength = MIN_LENGTH;
        }
        return this;
    }

    /**
     * The correlation id of the request this answers.
     *
     * @return correlation_id.
     */
    public int correlationId()
    {
        return buffer.getInt(offset + CORRELATION_ID_OFFSET, BIG_ENDIAN);
    }

    /**
     * Absolute offset of the response body; valid after {@link #headerVersion(short)}.
     *
     * @return the offset of the first body byte.
     */
    public int bodyOffset()
    {
        return offset + headerLength;
    }

    /**
     * Length of the response body; valid after {@link #headerVersion(short)}.
     *
     * @return the body length in bytes.
     */
    public int bodyLength()
    {
        return limit - offset - headerLength;
    }
}

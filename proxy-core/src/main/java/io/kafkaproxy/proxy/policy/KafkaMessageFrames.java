package io.kafkaproxy.proxy.policy;

import io.kafkaproxy.protocol.wire.FrameDescriptor;
import io.kafkaproxy.protocol.wire.MalformedFrameException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;

import java.nio.ByteBuffer;
import java.util.function.Function;

/**
 * Reads and writes whole message bodies with Kafka's generated classes, for the rare paths where the proxy
 * changes a message (a request some of whose topics are denied, the broker's answer to it, a denial the proxy
 * answers itself).
 *
 * <p>Kafka's classes throw whatever comes first on bytes that do not follow the schema (a
 * {@code BufferUnderflowException}, a {@code RuntimeException} for a null where none is allowed, an
 * {@code UnsupportedVersionException}); {@link #read} turns each into a {@link MalformedFrameException}, so that such a
 * frame is counted and logged as malformed, like one our flyweights reject.
 *
 * <p>Frames here are size field first. A rewritten frame keeps the original header bytes as they were and gets a
 * new body. Stateless.
 */
public final class KafkaMessageFrames
{
    private KafkaMessageFrames()
    {
    }

    /**
     * Reads the body of a frame with Kafka's generated classes.
     *
     * @param frame      the frame, size field at its reader index.
     * @param bodyOffset the body's offset from the reader index.
     * @param apiVersion the version the body is read at.
     * @param parser     reads the body.
     * @param <T>        what the parser makes.
     * @return what the parser made.
     * @throws MalformedFrameException if the body does not parse.
     */
    static <T> T read(final ByteBuf frame, final int bodyOffset, final short apiVersion, final Function<ByteBufferAccessor, T> parser)
    {
        try
        {
            return parser.apply(body(frame, bodyOffset));
        }
        catch (final MalformedFrameException e)
        {
            throw e;
        }
        catch (final RuntimeException e)
        {
            throw new MalformedFrameException("message body does not follow its schema: apiVersion=" + apiVersion +
                ", bodyLength=" + (frame.readableBytes() - bodyOffset) + ", error=" + e);
        }
    }

    /**
     * The body of a frame as a buffer Kafka's generated classes read (a view, not a copy).
     *
     * @param frame      the frame, size field at its reader index.
     * @param bodyOffset the body's offset from the reader index.
     * @return a readable over the body.
     */
    static ByteBufferAccessor body(final ByteBuf frame, final int bodyOffset)
    {
        final ByteBuffer body = frame.nioBuffer(frame.readerIndex() + bodyOffset, frame.readableBytes() - bodyOffset);
        return new ByteBufferAccessor(body);
    }

    /**
     * A new frame with the header of another and a new body.
     *
     * @param alloc      allocates the frame.
     * @param original   the frame whose header bytes are kept; not released here.
     * @param bodyOffset where its body starts (so its header ends) from the reader index.
     * @param body       the new body.
     * @param apiVersion the version to write the body at.
     * @return the new frame, owned by the caller.
     */
    static ByteBuf withBody(
        final ByteBufAllocator alloc, final ByteBuf original, final int bodyOffset, final ApiMessage body, final short apiVersion)
    {
        final ObjectSerializationCache cache = new ObjectSerializationCache();
        final int bodySize = body.size(cache, apiVersion);
        final int headerLength = bodyOffset - FrameDescriptor.MESSAGE_OFFSET;
        final ByteBuf frame = alloc.directBuffer(bodyOffset + bodySize);
        frame.writeInt(headerLength + bodySize);
        frame.writeBytes(original, original.readerIndex() + FrameDescriptor.MESSAGE_OFFSET, headerLength);
        writeBody(frame, body, cache, apiVersion, bodySize);
        return frame;
    }

    /**
     * A response frame the proxy makes itself.
     *
     * @param alloc          allocates the frame.
     * @param correlationId  the request's correlation id.
     * @param headerVersion  the response header version (1 carries an empty tagged-field section).
     * @param body           the response body.
     * @param apiVersion     the version to write the body at.
     * @return the frame, owned by the caller.
     */
    public static ByteBuf response(
        final ByteBufAllocator alloc, final int correlationId, final short headerVersion, final ApiMessage body, final short apiVersion)
    {
        final ObjectSerializationCache cache = new ObjectSerializationCache();
        final int bodySize = body.size(cache, apiVersion);
        final int headerLength = Integer.BYTES + (headerVersion >= 1 ? 1 : 0);
        final ByteBuf frame = alloc.directBuffer(FrameDescriptor.MESSAGE_OFFSET + headerLength + bodySize);
        frame.writeInt(headerLength + bodySize);
        frame.writeInt(correlationId);
        if (headerVersion >= 1)
        {
            // No tagged fields.
            frame.writeByte(0);
        }
        writeBody(frame, body, cache, apiVersion, bodySize);
        return frame;
    }

    private static void writeBody(
        final ByteBuf frame, final ApiMessage body, final ObjectSerializationCache cache, final short apiVersion, final int bodySize)
    {
        final int start = frame.writerIndex();
        frame.ensureWritable(bodySize);
        final ByteBuffer target = frame.nioBuffer(start, bodySize);
        body.write(new ByteBufferAccessor(target), cache, apiVersion);
        frame.writerIndex(start + bodySize);
    }
}

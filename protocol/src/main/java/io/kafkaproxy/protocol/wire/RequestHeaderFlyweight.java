package io.kafkaproxy.protocol.wire;

import org.agrona.DirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;
import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.agrona.BitUtil.SIZE_OF_SHORT;

/**
 * View over a Kafka request header, at the start of a request message (just after the frame's size field).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |        request_api_key        |      request_api_version      |
 *  +-------------------------------+-------------------------------+
 *  |                        correlation_id                         |
 *  +-------------------------------+-------------------------------+
 *  |   client_id length (v1+)      |  client_id bytes (nullable) ...
 *  +-------------------------------+-------------------------------+
 *  |  tagged fields (v2 only)                                     ...
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * The client id keeps its int16 length even in header v2 (KIP-482), so only the trailing tagged fields differ
 * between v1 and v2. All offsets are computed once in {@link #wrap}. Re-wrap it for each request.
 */
public final class RequestHeaderFlyweight
{
    /** Offset of request_api_key. */
    public static final int API_KEY_OFFSET = 0;
    /** Offset of request_api_version. */
    public static final int API_VERSION_OFFSET = API_KEY_OFFSET + SIZE_OF_SHORT;
    /** Offset of correlation_id. */
    public static final int CORRELATION_ID_OFFSET = API_VERSION_OFFSET + SIZE_OF_SHORT;
    /** Offset of the client_id length (header v1 and v2). */
    public static final int CLIENT_ID_LENGTH_OFFSET = CORRELATION_ID_OFFSET + SIZE_OF_INT;
    /** Offset of the client_id bytes. */
    public static final int CLIENT_ID_OFFSET = CLIENT_ID_LENGTH_OFFSET + SIZE_OF_SHORT;
    /** Bytes every request header has, whatever its version. */
    public static final int MIN_LENGTH = CLIENT_ID_LENGTH_OFFSET;

    private final KafkaWireReader reader = new KafkaWireReader();
    private DirectBuffer buffer;
    private int offset;
    private int limit;
    private short apiKey;
    private short apiVersion;
    private short headerVersion;
    private int clientIdLength;
    private int headerLength;

    /**
     * Wraps a request and validates its header.
     *
     * @param buffer the buffer holding the request.
     * @param offset the offset of the header (just after the frame's size field).
     * @param length the message length: header plus body.
     * @return this flyweight.
     * @throws MalformedFrameException if the header runs past the message or carries a negative length.
     */
    public RequestHeaderFlyweight wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < MIN_LENGTH)
        {
            throw new MalformedFrameException("request shorter than its header: length=" + length +
                ", minLength=" + MIN_LENGTH);
        }
        this.buffer = buffer;
        this.offset = offset;
        this.limit = offset + length;
        apiKey = buffer.getShort(offset + API_KEY_OFFSET, BIG_ENDIAN);
        apiVersion = buffer.getShort(offset + API_VERSION_OFFSET, BIG_ENDIAN);
        headerVersion = ApiHeaderVersions.requestHeaderVersion(apiKey, apiVersion);
        if (headerVersion == 0)
        {
            clientIdLength = KafkaWireReader.NULL_LENGTH;
            headerLength = MIN_LENGTH;
            return this;
        }
        reader.wrap(buffer, offset + CLIENT_ID_LENGTH_OFFSET, length - CLIENT_ID_LENGTH_OFFSET);
        clientIdLength = reader.readStringLength(false, "client_id");
        if (clientIdLength > 0)
        {
            reader.skip(clientIdLength, "client_id");
        }
        if (headerVersion >= 2)
        {
            reader.skipTaggedFields("request_header");
        }
        headerLength = reader.position() - offset;
        return this;
    }

    /**
     * The api key.
     *
     * @return request_api_key.
     */
    public short apiKey()
    {
        return apiKey;
    }

    /**
     * The api version.
     *
     * @return request_api_version.
     */
    public short apiVersion()
    {
        return apiVersion;
    }

    /**
     * The correlation id the response will carry.
     *
     * @return correlation_id.
     */
    public int correlationId()
    {
        return buffer.getInt(offset + CORRELATION_ID_OFFSET, BIG_ENDIAN);
    }

    /**
     * The header version implied by api key and version.
     *
     * @return 0, 1 or 2.
     */
    public short headerVersion()
    {
        return headerVersion;
    }

    /**
     * The length of the client id in bytes.
     *
     * @return the length, or {@link KafkaWireReader#NULL_LENGTH} when absent or null.
     */
    public int clientIdLength()
    {
        return clientIdLength;
    }

    /**
     * Where the client id's bytes start in the wrapped buffer.
     *
     * @return the absolute offset of the first client id byte.
     */
    public int clientIdOffset()
    {
        return offset + CLIENT_ID_OFFSET;
    }

    /**
     * The client id as a string; allocates, so for cold paths (connection logging) only.
     *
     * @return the client id, or null.
     */
    public String clientId()
    {
        return clientIdLength < 0 ? null : buffer.getStringWithoutLengthUtf8(clientIdOffset(), clientIdLength);
    }

    /**
     * Length of the header, which is where the body starts relative to the wrap offset.
     *
     * @return the header length in bytes.
     */
    public int headerLength()
    {
        return headerLength;
    }

    /**
     * Absolute offset of the request body.
     *
     * @return the offset of the first body byte in the wrapped buffer.
     */
    public int bodyOffset()
    {
        return offset + headerLength;
    }

    /**
     * Length of the request body.
     *
     * @return the body length in bytes.
     */
    public int bodyLength()
    {
        return limit - offset - headerLength;
    }
}

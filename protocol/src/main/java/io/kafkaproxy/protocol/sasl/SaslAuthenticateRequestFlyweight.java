package io.kafkaproxy.protocol.sasl;

import io.kafkaproxy.protocol.wire.ApiHeaderVersions;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.protocol.wire.KafkaWireReader;
import io.kafkaproxy.protocol.wire.MalformedFrameException;
import org.agrona.DirectBuffer;

/**
 * View over the body of a SaslAuthenticate request, v0 to v2, which carries one SASL token from the client.
 *
 * <pre>
 *  auth_bytes bytes        (int32 length in v0-v1, compact varint length in v2)
 *  tagged fields (v2)      (not read)
 * </pre>
 *
 * The token may hold a password (PLAIN) or a proof (SCRAM): callers read only what {@link SaslUsernames} needs
 * from it, and never log or keep it. Read once or twice per connection. Not thread safe.
 */
public final class SaslAuthenticateRequestFlyweight
{
    private final KafkaWireReader reader = new KafkaWireReader();
    private int authBytesOffset;
    private int authBytesLength;

    /**
     * Wraps a SaslAuthenticate request body.
     *
     * @param buffer     the buffer holding the request.
     * @param offset     the offset of the body.
     * @param length     the body length.
     * @param apiVersion the request version.
     * @return this flyweight.
     * @throws MalformedFrameException if auth_bytes is null, has a negative length or runs past the body.
     */
    public SaslAuthenticateRequestFlyweight wrap(
        final DirectBuffer buffer, final int offset, final int length, final short apiVersion)
    {
        reader.wrap(buffer, offset, length);
        authBytesLength = reader.readNonNullableBytesLength(
            ApiHeaderVersions.isFlexible(ApiKeyIds.SASL_AUTHENTICATE, apiVersion), "auth_bytes");
        authBytesOffset = reader.position();
        return this;
    }

    /**
     * Where the SASL token starts in the wrapped buffer.
     *
     * @return the absolute offset of the first byte of auth_bytes.
     */
    public int authBytesOffset()
    {
        return authBytesOffset;
    }

    /**
     * The length of the SASL token.
     *
     * @return the length of auth_bytes, zero or more.
     */
    public int authBytesLength()
    {
        return authBytesLength;
    }
}

package io.kafkaproxy.protocol.sasl;

import io.kafkaproxy.protocol.wire.KafkaWireReader;
import io.kafkaproxy.protocol.wire.MalformedFrameException;
import org.agrona.DirectBuffer;

/**
 * View over the body of a SaslHandshake request, v0 and v1, which name the SASL mechanism a client wants.
 *
 * <pre>
 *  mechanism string        (int16 length; the api has no flexible version)
 * </pre>
 *
 * After a v0 handshake the SASL tokens follow as bare length-prefixed frames; after v1 they come inside
 * SaslAuthenticate requests ({@link SaslAuthenticateRequestFlyweight}). Read once per connection. Not thread safe.
 */
public final class SaslHandshakeRequestFlyweight
{
    private final KafkaWireReader reader = new KafkaWireReader();
    private DirectBuffer buffer;
    private int mechanismOffset;
    private int mechanismLength;

    /**
     * Wraps a SaslHandshake request body; both versions share one layout.
     *
     * @param buffer the buffer holding the request.
     * @param offset the offset of the body.
     * @param length the body length.
     * @return this flyweight.
     * @throws MalformedFrameException if the mechanism is null, has a negative length or runs past the body.
     */
    public SaslHandshakeRequestFlyweight wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        reader.wrap(buffer, offset, length);
        mechanismLength = reader.readNonNullableStringLength(false, "mechanism");
        mechanismOffset = reader.position();
        return this;
    }

    /**
     * Where the mechanism name's bytes start in the wrapped buffer.
     *
     * @return the absolute offset of the first byte of the mechanism.
     */
    public int mechanismOffset()
    {
        return mechanismOffset;
    }

    /**
     * The length of the mechanism name in bytes.
     *
     * @return the length, zero or more.
     */
    public int mechanismLength()
    {
        return mechanismLength;
    }

    /**
     * The mechanism name ({@code PLAIN}, {@code SCRAM-SHA-256}, ...); allocates, so once per connection only.
     *
     * @return the mechanism.
     */
    public String mechanism()
    {
        return buffer.getStringWithoutLengthUtf8(mechanismOffset, mechanismLength);
    }
}

package io.kafkaproxy.protocol.sasl;

import org.agrona.DirectBuffer;

/**
 * Reaches the package-private SaslHandshake flyweight for the decoder fuzzers, reading what the proxy reads.
 */
public final class SaslFuzzTargets
{
    private static final SaslHandshakeRequestFlyweight HANDSHAKE = new SaslHandshakeRequestFlyweight();

    private SaslFuzzTargets()
    {
    }

    /**
     * Reads a SaslHandshake request body as the proxy does: the mechanism's range, then its name.
     *
     * @param buffer the buffer.
     * @param offset the body offset.
     * @param length the body length.
     * @return a fingerprint of the mechanism's relative offset, length and name.
     */
    public static long handshake(final DirectBuffer buffer, final int offset, final int length)
    {
        final SaslHandshakeRequestFlyweight handshake = HANDSHAKE.wrap(buffer, offset, length);
        return 31L * (31L * (handshake.mechanismOffset() - offset) + handshake.mechanismLength()) + handshake.mechanism().hashCode();
    }
}

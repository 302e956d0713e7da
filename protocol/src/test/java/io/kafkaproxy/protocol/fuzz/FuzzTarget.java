package io.kafkaproxy.protocol.fuzz;

import org.agrona.DirectBuffer;

/**
 * One decoder under fuzzing: reads a frame the way the proxy would and sums up what it read.
 */
@FunctionalInterface
public interface FuzzTarget
{
    /**
     * Decodes one frame.
     *
     * @param seed   the valid frame the bytes were mutated from, for its api key and version.
     * @param buffer the buffer, which ends exactly where the frame ends.
     * @param offset where the frame starts.
     * @param length the frame length.
     * @return a fingerprint of what was decoded, with every offset taken relative to {@code offset}: the same bytes
     *         at another offset must give the same fingerprint.
     * @throws io.kafkaproxy.protocol.wire.FrameRejectedException the only exception a decoder may throw.
     */
    long decode(SeedFrame seed, DirectBuffer buffer, int offset, int length);
}

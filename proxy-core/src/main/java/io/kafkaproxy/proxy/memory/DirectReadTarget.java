package io.kafkaproxy.proxy.memory;

import io.netty.buffer.ByteBuf;

/**
 * Something that would like the next socket read to land in memory it already holds: the frame decoder, with
 * the unfilled rest of a frame it is assembling; or, when it holds none, to be as large as the rest of a frame it is
 * streaming.
 */
@FunctionalInterface
public interface DirectReadTarget
{
    /**
     * The buffer the next read should fill, or null to read into a fresh buffer.
     *
     * @return a buffer whose writable bytes are exactly what is still missing, owned by the read; or null.
     */
    ByteBuf directReadTarget();

    /**
     * The size the next read into a fresh buffer should have at least: the rest of a frame being streamed (bounded),
     * so that a large response moves in reads as large as an assembled one's, not in the adaptive guess's 64 KiB at
     * most (each read of a streamed frame is one slice and one write to the client).
     *
     * @return the bytes wanted, or 0 to leave the size to the channel's adaptive guess.
     */
    default int nextReadBytes()
    {
        return 0;
    }
}

package io.kafkaproxy.proxy.memory;

import io.netty.buffer.ByteBuf;

/**
 * Something that would like the next socket read to land in memory it already holds: the frame decoder, with
 * the unfilled rest of a frame it is assembling.
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
}

package io.kafkaproxy.proxy.gateway.http;

import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * Writes a JSON answer straight into a buffer with Jackson's generator (no tree, no intermediate string). Stateless.
 */
final class JsonResponseBody
{
    /**
     * What writes the document.
     */
    @FunctionalInterface
    interface Writer
    {
        /**
         * Writes one JSON document.
         *
         * @param json the generator.
         * @throws IOException never for a buffer, but Jackson declares it.
         */
        void write(JsonGenerator json) throws IOException;
    }

    private JsonResponseBody()
    {
    }

    /**
     * Writes a document.
     *
     * @param alloc  where the buffer comes from.
     * @param writer what writes it.
     * @return the body; the caller owns it.
     */
    static ByteBuf write(final ByteBufAllocator alloc, final Writer writer)
    {
        final ByteBuf body = alloc.buffer(256);
        try (JsonGenerator json = RestErrorBody.JSON.createGenerator((OutputStream)new ByteBufOutputStream(body)))
        {
            writer.write(json);
        }
        catch (final IOException | RuntimeException e)
        {
            body.release();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException)e;
        }
        return body;
    }
}

package io.kafkaproxy.proxy.gateway.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.io.IOException;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Cuts a stream of concatenated JSON objects ({@code {...} {...} {...}}, REST Proxy v3's streaming produce body) into
 * one byte array per object, as the chunks arrive: Jackson's non-blocking parser finds where each top-level object
 * starts and ends, and only the bytes of the object being read are kept, so memory stays bounded by the largest
 * object ({@code maxObjectBytes}), whatever the stream's length.
 *
 * <pre>
 *   chunk bytes --copy--> pending (from the current object's first byte) --object complete--> onObject(bytes)
 * </pre>
 *
 * <p>Per request, never shared. Confined to the request channel's event loop.
 */
final class ConcatenatedJsonFramer
{
    private final JsonParser parser;
    private final ByteArrayFeeder feeder;
    private final int maxObjectBytes;
    private final Consumer<byte[]> onObject;
    private byte[] pending = new byte[1024];
    private int pendingLength;
    /** Stream offset of {@code pending[0]}. */
    private long pendingStart;
    /** Stream offset where the object being read started, or -1 between objects. */
    private long objectStart = -1;
    private int depth;
    private boolean failed;

    /**
     * A framer.
     *
     * @param maxObjectBytes the largest object taken.
     * @param onObject       takes each complete object's JSON text, in order.
     */
    ConcatenatedJsonFramer(final int maxObjectBytes, final Consumer<byte[]> onObject)
    {
        try
        {
            this.parser = RestErrorBody.JSON.createNonBlockingByteArrayParser();
        }
        catch (final IOException e)
        {
            throw new IllegalStateException("cannot create Jackson's non-blocking parser", e);
        }
        this.feeder = (ByteArrayFeeder)parser.getNonBlockingInputFeeder();
        this.maxObjectBytes = maxObjectBytes;
        this.onObject = onObject;
    }

    /**
     * Takes the next chunk of the stream.
     *
     * @param chunk the bytes; not released here.
     * @throws RestInputException if the stream is not concatenated JSON objects (400), or an object is larger than
     *                            the limit (413); the framer then takes nothing more.
     */
    void feed(final ByteBuf chunk)
    {
        if (failed || !chunk.isReadable())
        {
            return;
        }
        final int length = chunk.readableBytes();
        ensureRoom(length);
        final int from = pendingLength;
        chunk.getBytes(chunk.readerIndex(), pending, from, length);
        pendingLength += length;
        try
        {
            feeder.feedInput(pending, from, from + length);
            advance();
        }
        catch (final JsonProcessingException e)
        {
            failed = true;
            throw RestInputException.malformedJson(e.getOriginalMessage());
        }
        catch (final IOException e)
        {
            failed = true;
            throw RestInputException.malformedJson(e.getMessage());
        }
    }

    /**
     * The stream ended.
     *
     * @throws RestInputException if it ended inside an object (400).
     */
    void end()
    {
        if (failed)
        {
            return;
        }
        feeder.endOfInput();
        if (objectStart >= 0)
        {
            failed = true;
            throw RestInputException.malformedJson("the body ended inside a record");
        }
    }

    private void advance() throws IOException
    {
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.NOT_AVAILABLE && token != null)
        {
            if (depth == 0)
            {
                if (token != JsonToken.START_OBJECT)
                {
                    failed = true;
                    throw new RestInputException(HttpResponseStatus.BAD_REQUEST, 400, "invalid_record",
                        "each record must be a JSON object");
                }
                // Just past the '{' (the token location of the non-blocking parser is not its first byte).
                objectStart = parser.currentLocation().getByteOffset() - 1;
            }
            if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY)
            {
                depth++;
            }
            else if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY)
            {
                depth--;
                if (depth == 0)
                {
                    final long end = parser.currentLocation().getByteOffset();
                    if (end - objectStart > maxObjectBytes)
                    {
                        throw tooLarge();
                    }
                    onObject.accept(Arrays.copyOfRange(pending, (int)(objectStart - pendingStart), (int)(end - pendingStart)));
                    objectStart = -1;
                }
            }
        }
        if (objectStart >= 0 && parser.currentLocation().getByteOffset() - objectStart > maxObjectBytes)
        {
            throw tooLarge();
        }
    }

    private RestInputException tooLarge()
    {
        failed = true;
        return new RestInputException(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, 413, "body_too_large",
            "record larger than http.maxBodyBytes=" + maxObjectBytes);
    }

    /**
     * Makes room for more bytes, first dropping those before the current object (or all, between objects): the
     * parser has consumed everything fed, so only the current object's bytes are still wanted.
     */
    private void ensureRoom(final int more)
    {
        final long keepFrom = objectStart >= 0 ? objectStart : pendingStart + pendingLength;
        final int drop = (int)(keepFrom - pendingStart);
        if (drop > 0)
        {
            System.arraycopy(pending, drop, pending, 0, pendingLength - drop);
            pendingLength -= drop;
            pendingStart += drop;
        }
        if (pendingLength + more > pending.length)
        {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + more));
        }
    }
}

package io.kafkaproxy.proxy.gateway.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The body of every error answer, in Confluent REST Proxy's form: {@code {"error_code":40401,"message":"..."}}. The
 * code is REST Proxy's: the HTTP status followed by two digits, or the bare status where REST Proxy gives no finer code
 * (404 for an unknown path, 405, 413, 415).
 *
 * <p>Stateless; any thread.
 */
public final class RestErrorBody
{
    /** REST Proxy's code: no such topic. */
    public static final int TOPIC_NOT_FOUND = 40401;
    /** REST Proxy's code: no such partition. */
    public static final int PARTITION_NOT_FOUND = 40402;
    /** Not authenticated. */
    public static final int UNAUTHORIZED = 40101;
    /** Authenticated, but the ACLs deny the operation. */
    public static final int FORBIDDEN = 40301;
    /** REST Proxy's code: the key could not be read in the declared format. */
    public static final int KEY_INVALID = 42201;
    /** REST Proxy's code: the value could not be read in the declared format. */
    public static final int VALUE_INVALID = 42202;
    /** Throttled by a quota, or the gateway's producer buffer is full. */
    public static final int TOO_MANY_REQUESTS = 42901;
    /** REST Proxy's code: Kafka failed (a generic Kafka error on the produce path). */
    public static final int KAFKA_ERROR = 50002;
    /** REST Proxy's code: Kafka failed with a retriable error. */
    public static final int KAFKA_RETRIABLE_ERROR = 50003;

    static final JsonFactory JSON = new JsonFactory();

    private RestErrorBody()
    {
    }

    /**
     * Writes an error body.
     *
     * @param alloc     where the buffer comes from.
     * @param errorCode REST Proxy's code.
     * @param message   a message for people.
     * @return the body; the caller owns it.
     */
    public static ByteBuf encode(final ByteBufAllocator alloc, final int errorCode, final String message)
    {
        final ByteBuf body = alloc.buffer(32 + message.length());
        try (JsonGenerator json = JSON.createGenerator((java.io.OutputStream)new ByteBufOutputStream(body)))
        {
            json.writeStartObject();
            json.writeNumberField("error_code", errorCode);
            json.writeStringField("message", message);
            json.writeEndObject();
        }
        catch (final IOException e)
        {
            body.release();
            throw new UncheckedIOException(e);
        }
        return body;
    }
}

package io.kafkaproxy.proxy.gateway.stream;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import org.apache.kafka.common.header.Header;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A record as one line of JSON, the body of an SSE {@code record} event and of a WebSocket text frame:
 *
 * <pre>
 * {"topic":"orders","partition":0,"offset":15,"timestamp":1700000000000,"key":"k1","value":"{\"id\":1}",
 *  "headers":[{"key":"traceparent","value":"00-..."}]}
 * </pre>
 *
 * <p>Key, value and header values are JSON strings holding the bytes as UTF-8 text (a JSON value stays text: the
 * client parses it if it wants), or null. If any of them is not valid UTF-8, all of them are base64 instead and the
 * object carries {@code "encoding":"base64"}: one rule per record, so a client never guesses field by field.
 *
 * <p>Each record is encoded once, whatever the number of subscribers: the bytes are kept on the shared
 * {@link FeedRecord}. Stateless; any thread.
 */
final class FeedRecordJson
{
    private static final JsonFactory JSON = new JsonFactory();
    private static final Object KIND = new Object();

    private FeedRecordJson()
    {
    }

    /**
     * The record's JSON, encoded at the first call and kept on the record.
     *
     * @param record the record.
     * @return the UTF-8 bytes of one line of JSON; shared: never mutate.
     */
    static byte[] of(final FeedRecord record)
    {
        return record.encodedAs(KIND, FeedRecordJson::encode);
    }

    private static byte[] encode(final FeedRecord record)
    {
        final boolean text = isUtf8(record.key()) && isUtf8(record.value()) && headersAreUtf8(record);
        try (ByteArrayBuilder bytes = new ByteArrayBuilder(128 + length(record.key()) + length(record.value()));
             JsonGenerator json = JSON.createGenerator(bytes))
        {
            json.writeStartObject();
            json.writeStringField("topic", record.topic());
            json.writeNumberField("partition", record.partition());
            json.writeNumberField("offset", record.offset());
            json.writeNumberField("timestamp", record.timestamp());
            writeBytes(json, "key", record.key(), text);
            writeBytes(json, "value", record.value(), text);
            json.writeArrayFieldStart("headers");
            for (final Header header : record.headers())
            {
                json.writeStartObject();
                json.writeStringField("key", header.key());
                writeBytes(json, "value", header.value(), text);
                json.writeEndObject();
            }
            json.writeEndArray();
            if (!text)
            {
                json.writeStringField("encoding", "base64");
            }
            json.writeEndObject();
            json.flush();
            return bytes.toByteArray();
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot encode record: topic=" + record.topic() + ", offset=" + record.offset(), e);
        }
    }

    private static void writeBytes(final JsonGenerator json, final String field, final byte[] bytes, final boolean text)
        throws IOException
    {
        if (bytes == null)
        {
            json.writeNullField(field);
        }
        else if (text)
        {
            json.writeStringField(field, new String(bytes, StandardCharsets.UTF_8));
        }
        else
        {
            json.writeStringField(field, Base64.getEncoder().encodeToString(bytes));
        }
    }

    private static boolean headersAreUtf8(final FeedRecord record)
    {
        for (final Header header : record.headers())
        {
            if (!isUtf8(header.value()))
            {
                return false;
            }
        }
        return true;
    }

    private static int length(final byte[] bytes)
    {
        return bytes == null ? 0 : bytes.length;
    }

    /**
     * Whether bytes are valid UTF-8.
     *
     * @param bytes the bytes, or null (valid).
     * @return true if valid.
     */
    static boolean isUtf8(final byte[] bytes)
    {
        if (bytes == null)
        {
            return true;
        }
        boolean ascii = true;
        for (final byte b : bytes)
        {
            if (b < 0)
            {
                ascii = false;
                break;
            }
        }
        if (ascii)
        {
            return true;
        }
        try
        {
            StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes));
            return true;
        }
        catch (final CharacterCodingException e)
        {
            return false;
        }
    }
}

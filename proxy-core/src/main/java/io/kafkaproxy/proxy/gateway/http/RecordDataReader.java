package io.kafkaproxy.proxy.gateway.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Reads a record key or value embedded in a REST request, at the parser's current token, into the bytes the Kafka
 * record holds. Stateless.
 */
final class RecordDataReader
{
    private RecordDataReader()
    {
    }

    /**
     * Reads the value at the current token (which it consumes: the parser is left on its last token).
     *
     * @param parser    the parser, on the value's first token.
     * @param format    how the value is embedded.
     * @param field     {@code key} or {@code value}, for messages.
     * @param errorCode REST Proxy's code for an invalid one (42201 for keys, 42202 for values).
     * @return the bytes, or null for a JSON null.
     * @throws IOException          if the parser fails (malformed JSON).
     * @throws RestInputException   if the value does not fit the format (a non-string for BINARY, bad base64).
     */
    static byte[] read(final JsonParser parser, final RecordFormat format, final String field, final int errorCode) throws IOException
    {
        final JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_NULL)
        {
            return null;
        }
        switch (format)
        {
            case JSON:
            {
                final ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
                try (JsonGenerator json = RestErrorBody.JSON.createGenerator(bytes))
                {
                    json.copyCurrentStructure(parser);
                }
                return bytes.toByteArray();
            }
            case BINARY:
                if (token != JsonToken.VALUE_STRING)
                {
                    parser.skipChildren();
                    throw invalid(field, errorCode, "invalid_base64", field + " must be a base64 string");
                }
                try
                {
                    return Base64.getDecoder().decode(parser.getText());
                }
                catch (final IllegalArgumentException e)
                {
                    throw invalid(field, errorCode, "invalid_base64", field + " is not valid base64: " + e.getMessage());
                }
            case STRING:
                if (token != JsonToken.VALUE_STRING)
                {
                    parser.skipChildren();
                    throw invalid(field, errorCode, "invalid_" + field, field + " of type STRING must be a JSON string");
                }
                return parser.getText().getBytes(StandardCharsets.UTF_8);
            default:
                throw new IllegalStateException("unknown format: " + format);
        }
    }

    private static RestInputException invalid(final String field, final int errorCode, final String reason, final String message)
    {
        return new RestInputException(HttpResponseStatus.UNPROCESSABLE_ENTITY, errorCode, reason, message);
    }
}

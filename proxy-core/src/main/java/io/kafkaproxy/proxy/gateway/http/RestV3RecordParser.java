package io.kafkaproxy.proxy.gateway.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Reads one REST Proxy v3 record,
 * {@code {"partition_id":1,"headers":[{"name":"h","value":"base64"}],"key":{"type":"BINARY","data":"..."},
 * "value":{"type":"JSON","data":{...}},"timestamp":"2021-02-05T19:14:42Z"}}, with Jackson's streaming parser. Every
 * field is optional; a key or value without {@code type} is JSON. Schema Registry types ({@code AVRO},
 * {@code PROTOBUF}, {@code JSONSCHEMA}) and schema fields are refused: the gateway has no Schema Registry.
 *
 * <p>Stateless.
 */
final class RestV3RecordParser
{
    private RestV3RecordParser()
    {
    }

    /**
     * Parses one record.
     *
     * @param bytes  the record's JSON text.
     * @param offset where it starts.
     * @param length its length.
     * @return the record.
     * @throws RestInputException 400 when it is not JSON or not a record.
     */
    static RestRecord parse(final byte[] bytes, final int offset, final int length)
    {
        try (JsonParser parser = RestErrorBody.JSON.createParser(bytes, offset, length))
        {
            if (parser.nextToken() != JsonToken.START_OBJECT)
            {
                throw badRecord("a record must be a JSON object");
            }
            Integer partition = null;
            List<Header> headers = List.of();
            Data key = null;
            Data value = null;
            Long timestamp = null;
            while (parser.nextToken() == JsonToken.FIELD_NAME)
            {
                final String field = parser.currentName();
                parser.nextToken();
                switch (field)
                {
                    case "partition_id" -> partition = partition(parser);
                    case "headers" -> headers = headers(parser);
                    case "key" -> key = data(parser, "key");
                    case "value" -> value = data(parser, "value");
                    case "timestamp" -> timestamp = timestamp(parser);
                    default -> parser.skipChildren();
                }
            }
            if (parser.nextToken() != null)
            {
                throw badRecord("content after the record");
            }
            return new RestRecord(partition, key == null ? null : key.bytes, value == null ? null : value.bytes, headers, timestamp,
                key == null || key.bytes == null ? null : key.format, value == null || value.bytes == null ? null : value.format);
        }
        catch (final JsonProcessingException e)
        {
            throw RestInputException.malformedJson(e.getOriginalMessage());
        }
        catch (final IOException e)
        {
            throw RestInputException.malformedJson(e.getMessage());
        }
    }

    private static Integer partition(final JsonParser parser) throws IOException
    {
        if (parser.currentToken() == JsonToken.VALUE_NULL)
        {
            return null;
        }
        if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() != JsonParser.NumberType.INT ||
            parser.getIntValue() < 0)
        {
            parser.skipChildren();
            throw badRecord("partition_id must be a non-negative integer");
        }
        return parser.getIntValue();
    }

    private static List<Header> headers(final JsonParser parser) throws IOException
    {
        if (parser.currentToken() == JsonToken.VALUE_NULL)
        {
            return List.of();
        }
        if (parser.currentToken() != JsonToken.START_ARRAY)
        {
            parser.skipChildren();
            throw badRecord("headers must be an array");
        }
        final List<Header> headers = new ArrayList<>();
        while (parser.nextToken() == JsonToken.START_OBJECT)
        {
            String name = null;
            byte[] value = null;
            while (parser.nextToken() == JsonToken.FIELD_NAME)
            {
                final String field = parser.currentName();
                parser.nextToken();
                if ("name".equals(field) && parser.currentToken() == JsonToken.VALUE_STRING)
                {
                    name = parser.getText();
                }
                else if ("value".equals(field) && parser.currentToken() != JsonToken.VALUE_NULL)
                {
                    value = RecordDataReader.read(parser, RecordFormat.BINARY, "header value", 400);
                }
                else
                {
                    parser.skipChildren();
                }
            }
            if (name == null)
            {
                throw badRecord("a header must have a name");
            }
            headers.add(new RecordHeader(name, value));
        }
        if (parser.currentToken() != JsonToken.END_ARRAY)
        {
            throw badRecord("each header must be an object");
        }
        return headers;
    }

    private static Data data(final JsonParser parser, final String field) throws IOException
    {
        if (parser.currentToken() == JsonToken.VALUE_NULL)
        {
            return null;
        }
        if (parser.currentToken() != JsonToken.START_OBJECT)
        {
            parser.skipChildren();
            throw badRecord(field + " must be an object with type and data");
        }
        RecordFormat format = RecordFormat.JSON;
        boolean typed = false;
        byte[] bytes = null;
        boolean hasData = false;
        while (parser.nextToken() == JsonToken.FIELD_NAME)
        {
            final String name = parser.currentName();
            parser.nextToken();
            switch (name)
            {
                case "type" ->
                {
                    format = format(parser, field);
                    typed = true;
                }
                case "data" ->
                {
                    if (hasData)
                    {
                        throw badRecord(field + " has data twice");
                    }
                    hasData = true;
                    // The type may follow the data: read the data as JSON text now, convert once the type is known.
                    bytes = RecordDataReader.read(parser, RecordFormat.JSON, field, 400);
                }
                case "schema_id", "schema_version", "subject", "subject_name_strategy", "schema" ->
                    throw badRecord(field + "." + name + ": schemas are not supported (no Schema Registry)");
                default -> parser.skipChildren();
            }
        }
        if (!typed || format == RecordFormat.JSON || bytes == null)
        {
            return new Data(format, bytes);
        }
        return new Data(format, convert(bytes, format, field));
    }

    private static byte[] convert(final byte[] json, final RecordFormat format, final String field) throws IOException
    {
        try (JsonParser parser = RestErrorBody.JSON.createParser(json))
        {
            parser.nextToken();
            return RecordDataReader.read(parser, format, field, 400);
        }
    }

    private static RecordFormat format(final JsonParser parser, final String field) throws IOException
    {
        if (parser.currentToken() != JsonToken.VALUE_STRING)
        {
            parser.skipChildren();
            throw badRecord(field + ".type must be a string");
        }
        return switch (parser.getText().toUpperCase(Locale.ROOT))
        {
            case "JSON" -> RecordFormat.JSON;
            case "BINARY" -> RecordFormat.BINARY;
            case "STRING" -> RecordFormat.STRING;
            default -> throw badRecord(field + ".type " + parser.getText() + " is not supported: BINARY, JSON or STRING");
        };
    }

    private static Long timestamp(final JsonParser parser) throws IOException
    {
        if (parser.currentToken() == JsonToken.VALUE_NULL)
        {
            return null;
        }
        if (parser.currentToken() != JsonToken.VALUE_STRING)
        {
            parser.skipChildren();
            throw badRecord("timestamp must be an ISO-8601 date-time string");
        }
        try
        {
            return Instant.parse(parser.getText()).toEpochMilli();
        }
        catch (final DateTimeParseException e)
        {
            throw badRecord("timestamp must be an ISO-8601 date-time string");
        }
    }

    private static RestInputException badRecord(final String message)
    {
        return new RestInputException(HttpResponseStatus.BAD_REQUEST, 400, "invalid_record", message);
    }

    private record Data(RecordFormat format, byte[] bytes)
    {
    }
}

package io.kafkaproxy.proxy.gateway.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a REST Proxy v2 produce body, {@code {"records":[{"key":..,"value":..,"partition":..}, ...]}}, with Jackson's
 * streaming parser: no tree of the whole body, only the records' bytes. Other top-level fields (the schema fields of
 * formats the gateway does not serve) and other record fields are skipped, as REST Proxy does for the formats here.
 *
 * <p>Stateless.
 */
final class RestV2RecordsParser
{
    private RestV2RecordsParser()
    {
    }

    /**
     * Parses a body.
     *
     * @param body   the body; not released here.
     * @param format the embedded format of keys and values.
     * @return the records, at least one.
     * @throws RestInputException if the body is not JSON (400), or not of the shape (422), or a key or value does not
     *                            fit the format (42201, 42202).
     */
    static List<RestRecord> parse(final ByteBuf body, final RecordFormat format)
    {
        try (JsonParser parser = RestErrorBody.JSON.createParser((java.io.InputStream)new ByteBufInputStream(body)))
        {
            if (parser.nextToken() != JsonToken.START_OBJECT)
            {
                throw RestInputException.invalidBody("the body must be a JSON object with a records array");
            }
            List<RestRecord> records = null;
            while (parser.nextToken() == JsonToken.FIELD_NAME)
            {
                final String field = parser.currentName();
                final JsonToken value = parser.nextToken();
                if ("records".equals(field))
                {
                    if (value != JsonToken.START_ARRAY)
                    {
                        throw RestInputException.invalidBody("records must be an array");
                    }
                    records = records(parser, format);
                }
                else
                {
                    parser.skipChildren();
                }
            }
            if (parser.nextToken() != null)
            {
                throw RestInputException.malformedJson("content after the JSON object");
            }
            if (records == null || records.isEmpty())
            {
                throw RestInputException.invalidBody("records may not be empty");
            }
            return records;
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

    private static List<RestRecord> records(final JsonParser parser, final RecordFormat format) throws IOException
    {
        final List<RestRecord> records = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY)
        {
            if (parser.currentToken() != JsonToken.START_OBJECT)
            {
                throw RestInputException.invalidBody("each record must be a JSON object");
            }
            Integer partition = null;
            byte[] key = null;
            byte[] value = null;
            while (parser.nextToken() == JsonToken.FIELD_NAME)
            {
                final String field = parser.currentName();
                parser.nextToken();
                switch (field)
                {
                    case "key" -> key = RecordDataReader.read(parser, format, "key", RestErrorBody.KEY_INVALID);
                    case "value" -> value = RecordDataReader.read(parser, format, "value", RestErrorBody.VALUE_INVALID);
                    case "partition" -> partition = partition(parser);
                    default -> parser.skipChildren();
                }
            }
            records.add(new RestRecord(partition, key, value, List.of(), null, key == null ? null : format, value == null ? null : format));
        }
        return records;
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
            throw RestInputException.invalidBody("partition must be a non-negative integer");
        }
        return parser.getIntValue();
    }
}

package io.kafkaproxy.proxy.gateway.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RestRecordParsersTest
{
    @Test
    void shouldReadV2JsonRecordsAsTheirCompactJsonText()
    {
        // When
        final List<RestRecord> records = v2("{\"value_schema\":\"ignored\"," +
            "\"records\":[{\"key\":\"k\",\"value\":{ \"a\" : [1, 2] },\"partition\":3}," +
            "{\"value\":null}]}", RecordFormat.JSON);

        // Then
        assertThat(records).hasSize(2);
        assertThat(text(records.get(0).key())).isEqualTo("\"k\"");
        assertThat(text(records.get(0).value())).isEqualTo("{\"a\":[1,2]}");
        assertThat(records.get(0).partition()).isEqualTo(3);
        assertThat(records.get(1).value()).isNull();
    }

    @Test
    void shouldRefuseBadV2BodiesWithRestProxyCodes()
    {
        // Then
        assertThatThrownBy(() -> v2("{\"records\":[", RecordFormat.JSON))
            .isInstanceOfSatisfying(RestInputException.class, e -> assertThat(e.errorCode()).isEqualTo(400));
        assertThatThrownBy(() -> v2("{\"records\":[{\"key\":\"@@\"}]}", RecordFormat.BINARY))
            .isInstanceOfSatisfying(RestInputException.class, e -> assertThat(e.errorCode()).isEqualTo(42201));
        assertThatThrownBy(() -> v2("{\"records\":[{\"value\":12}]}", RecordFormat.BINARY))
            .isInstanceOfSatisfying(RestInputException.class, e -> assertThat(e.errorCode()).isEqualTo(42202));
        assertThatThrownBy(() -> v2("{\"records\":[{\"value\":1,\"partition\":-1}]}", RecordFormat.JSON))
            .isInstanceOfSatisfying(RestInputException.class, e -> assertThat(e.errorCode()).isEqualTo(422));
        assertThatThrownBy(() -> v2("{\"records\":[]}", RecordFormat.JSON))
            .isInstanceOfSatisfying(RestInputException.class, e -> assertThat(e.getMessage()).isEqualTo("records may not be empty"));
    }

    @Test
    void shouldReadAV3RecordOfEveryType()
    {
        // Given
        final String json = "{\"partition_id\":1," +
            "\"headers\":[{\"name\":\"Header-1\",\"value\":\"SGVhZGVyLTE=\"},{\"name\":\"empty\",\"value\":null}]," +
            "\"key\":{\"data\":\"Zm9vYmFy\",\"type\":\"BINARY\"},\"value\":{\"type\":\"STRING\",\"data\":\"text\"}," +
            "\"timestamp\":\"2021-02-05T19:14:42Z\"}";

        // When
        final RestRecord record = v3(json);
        final RestRecord untyped = v3("{\"value\":{\"data\":{\"foo\":\"bar\"}}}");

        // Then
        assertThat(record.partition()).isEqualTo(1);
        assertThat(record.headers()).extracting(header -> header.key() + "=" + text(header.value()))
            .containsExactly("Header-1=Header-1", "empty=null");
        assertThat(text(record.key())).isEqualTo("foobar");
        assertThat(record.keyFormat()).isEqualTo(RecordFormat.BINARY);
        assertThat(text(record.value())).isEqualTo("text");
        assertThat(record.timestamp()).isEqualTo(1612552482000L);
        assertThat(text(untyped.value())).isEqualTo("{\"foo\":\"bar\"}");
        assertThat(untyped.valueFormat()).isEqualTo(RecordFormat.JSON);
        assertThat(untyped.key()).isNull();
    }

    @Test
    void shouldRefuseV3RecordsTheGatewayCannotServe()
    {
        // Then
        assertThatThrownBy(() -> v3("{\"value\":{\"type\":\"AVRO\",\"data\":{}}}")).hasMessageContaining("AVRO is not supported");
        assertThatThrownBy(() -> v3("{\"value\":{\"schema_id\":4,\"data\":{}}}")).hasMessageContaining("schemas are not supported");
        assertThatThrownBy(() -> v3("{\"value\":{\"type\":\"BINARY\",\"data\":\"!!\"}}")).hasMessageContaining("not valid base64");
        assertThatThrownBy(() -> v3("{\"timestamp\":\"yesterday\"}")).hasMessage("timestamp must be an ISO-8601 date-time string");
    }

    private static List<RestRecord> v2(final String json, final RecordFormat format)
    {
        final ByteBuf body = Unpooled.copiedBuffer(json, StandardCharsets.UTF_8);
        try
        {
            return RestV2RecordsParser.parse(body, format);
        }
        finally
        {
            body.release();
        }
    }

    private static RestRecord v3(final String json)
    {
        final byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        return RestV3RecordParser.parse(bytes, 0, bytes.length);
    }

    private static String text(final byte[] bytes)
    {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }
}

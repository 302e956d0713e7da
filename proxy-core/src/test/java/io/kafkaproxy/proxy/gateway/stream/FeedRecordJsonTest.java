package io.kafkaproxy.proxy.gateway.stream;

import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FeedRecordJsonTest
{
    @Test
    void shouldWriteTextKeyValueAndHeadersAsStrings()
    {
        // Given
        final FeedRecord record = new FeedRecord("orders", 1, 15, 1700000000000L, utf8("k1"), utf8("{\"id\":1,\"name\":\"é\"}"),
            new RecordHeaders(List.of(new RecordHeader("traceparent", utf8("00-abc-01")))));

        // When
        final String json = new String(FeedRecordJson.of(record), StandardCharsets.UTF_8);

        // Then
        assertThat(json).isEqualTo("{\"topic\":\"orders\",\"partition\":1,\"offset\":15,\"timestamp\":1700000000000,"
            + "\"key\":\"k1\",\"value\":\"{\\\"id\\\":1,\\\"name\\\":\\\"é\\\"}\","
            + "\"headers\":[{\"key\":\"traceparent\",\"value\":\"00-abc-01\"}]}");
    }

    @Test
    void shouldWriteEveryBinaryFieldAsBase64WithAMarkerWhenOneIsNotUtf8()
    {
        // Given
        final FeedRecord record = new FeedRecord("t", 0, 0, 5, utf8("k"), new byte[] {(byte) 0xff, 0x00},
            new RecordHeaders(List.of(new RecordHeader("h", null))));

        // When
        final String json = new String(FeedRecordJson.of(record), StandardCharsets.UTF_8);

        // Then
        assertThat(json).isEqualTo("{\"topic\":\"t\",\"partition\":0,\"offset\":0,\"timestamp\":5,\"key\":\"aw==\","
            + "\"value\":\"/wA=\",\"headers\":[{\"key\":\"h\",\"value\":null}],\"encoding\":\"base64\"}");
    }

    @Test
    void shouldWriteNullKeyAndValueAsNullAndEncodeOncePerRecord()
    {
        // Given
        final FeedRecord record = new FeedRecord("t", 0, 0, 5, null, null, new RecordHeaders());

        // When
        final byte[] first = FeedRecordJson.of(record);
        final byte[] second = FeedRecordJson.of(record);

        // Then
        assertThat(new String(first, StandardCharsets.UTF_8))
            .isEqualTo("{\"topic\":\"t\",\"partition\":0,\"offset\":0,\"timestamp\":5,\"key\":null,\"value\":null,\"headers\":[]}");
        assertThat(second).isSameAs(first);
    }

    @Test
    void shouldTellValidFromInvalidUtf8()
    {
        // Then
        assertThat(FeedRecordJson.isUtf8(utf8("plain"))).isTrue();
        assertThat(FeedRecordJson.isUtf8(utf8("ünïcödé ✓"))).isTrue();
        assertThat(FeedRecordJson.isUtf8(new byte[] {(byte) 0xc3})).isFalse();
        assertThat(FeedRecordJson.isUtf8(null)).isTrue();
    }

    private static byte[] utf8(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}

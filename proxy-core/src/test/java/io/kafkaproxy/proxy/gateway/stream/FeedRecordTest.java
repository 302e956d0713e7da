package io.kafkaproxy.proxy.gateway.stream;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FeedRecordTest
{
    private final FeedRecord record = new FeedRecord("t", 0, 0, 0, null, new byte[10], new RecordHeaders());

    @Test
    void shouldKeepTheEncodingsOfSeveralEndpointsSideBySide()
    {
        // Given
        final Object json = new Object();
        final Object binary = new Object();

        // When
        record.keepEncoded(json, "j");
        record.keepEncoded(binary, "b");

        // Then
        assertThat(record.encoded(json)).isEqualTo("j");
        assertThat(record.encoded(binary)).isEqualTo("b");
        assertThat(record.encoded(new Object())).isNull();
    }

    @Test
    void shouldReplaceAnEncodingOfTheSameKindAndLetTheOldestGoPastFourKinds()
    {
        // Given
        final Object[] kinds = {new Object(), new Object(), new Object(), new Object(), new Object()};
        record.keepEncoded(kinds[0], "old");

        // When
        record.keepEncoded(kinds[0], "new");
        for (int i = 1; i < kinds.length; i++)
        {
            record.keepEncoded(kinds[i], "v" + i);
        }

        // Then
        assertThat(record.encoded(kinds[0])).isNull();
        for (int i = 1; i < kinds.length; i++)
        {
            assertThat(record.encoded(kinds[i])).isEqualTo("v" + i);
        }
    }
}

package io.kafkaproxy.protocol.wire;

import io.kafkaproxy.protocol.WireFixtures;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.types.RawTaggedField;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ResponseHeaderFlyweightTest
{
    private final ResponseHeaderFlyweight header = new ResponseHeaderFlyweight();

    @Test
    void shouldReadHeaderVersionZero()
    {
        // Given
        final ResponseHeaderData data = new ResponseHeaderData().setCorrelationId(77);
        final UnsafeBuffer buffer = WireFixtures.serialize(data, (short)0);

        // When
        header.wrap(buffer, WireFixtures.BODY_OFFSET, 4 + 5).headerVersion((short)0);

        // Then
        assertThat(header.correlationId()).isEqualTo(77);
        assertThat(header.bodyOffset()).isEqualTo(WireFixtures.BODY_OFFSET + 4);
        assertThat(header.bodyLength()).isEqualTo(5);
    }

    @Test
    void shouldSkipTaggedFieldsOfHeaderVersionOne()
    {
        // Given
        final ResponseHeaderData data = new ResponseHeaderData().setCorrelationId(-5);
        data.unknownTaggedFields().add(new RawTaggedField(3, new byte[] {9, 9}));
        final int headerLength = WireFixtures.bodyLength(data, (short)1);
        final UnsafeBuffer buffer = WireFixtures.serialize(data, (short)1);

        // When
        header.wrap(buffer, WireFixtures.BODY_OFFSET, headerLength + 2).headerVersion((short)1);

        // Then
        assertThat(header.correlationId()).isEqualTo(-5);
        assertThat(header.bodyOffset()).isEqualTo(WireFixtures.BODY_OFFSET + headerLength);
        assertThat(header.bodyLength()).isEqualTo(2);
    }

    @Test
    void shouldRejectResponseShorterThanACorrelationId()
    {
        // When / Then
        assertThatThrownBy(() -> header.wrap(new UnsafeBuffer(new byte[3]), 0, 3))
            .isInstanceOf(MalformedFrameException.class)
            .hasMessage("response shorter than its header: length=3, minLength=4");
    }
}

package io.kafkaproxy.protocol.wire;

import io.kafkaproxy.protocol.WireFixtures;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.types.RawTaggedField;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteOrder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RequestHeaderFlyweightTest
{
    private final RequestHeaderFlyweight header = new RequestHeaderFlyweight();

    @ParameterizedTest
    @EnumSource(ApiMessageType.class)
    void shouldReadEveryHeaderVersionKafkaWrites(final ApiMessageType type)
    {
        for (short version = type.lowestSupportedVersion(); version <= type.highestSupportedVersion(true); version++)
        {
            // Given
            final short headerVersion = type.requestHeaderVersion(version);
            final RequestHeaderData data = new RequestHeaderData()
                .setRequestApiKey(type.apiKey())
                .setRequestApiVersion(version)
                .setCorrelationId(0x01020304)
                .setClientId(headerVersion == 0 ? null : "client-\u00e9");
            if (headerVersion >= 2)
            {
                data.unknownTaggedFields().add(new RawTaggedField(7, new byte[] {1, 2, 3}));
            }
            final UnsafeBuffer buffer = withBody(data, headerVersion);
            final int headerLength = WireFixtures.bodyLength(data, headerVersion);

            // When
            header.wrap(buffer, WireFixtures.BODY_OFFSET, headerLength + 3);

            // Then
            assertThat(header.apiKey()).isEqualTo(type.apiKey());
            assertThat(header.apiVersion()).isEqualTo(version);
            assertThat(header.correlationId()).isEqualTo(0x01020304);
            assertThat(header.headerVersion()).isEqualTo(headerVersion);
            assertThat(header.clientId()).isEqualTo(data.clientId());
            assertThat(header.headerLength()).as("%s v%d", type.name, version).isEqualTo(headerLength);
            assertThat(header.bodyOffset()).isEqualTo(WireFixtures.BODY_OFFSET + headerLength);
            assertThat(header.bodyLength()).isEqualTo(3);
        }
    }

    @Test
    void shouldPinEachFieldToItsByteOffset()
    {
        // Given: Metadata v1 (header v1), correlation id 0x0A0B0C0D, client id "ab"
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[] {
            0x00, 0x03, 0x00, 0x01, 0x0A, 0x0B, 0x0C, 0x0D, 0x00, 0x02, 'a', 'b', (byte)0xEE});

        // When
        header.wrap(buffer, 0, 13);

        // Then
        assertThat(header.apiKey()).isEqualTo((short)3);
        assertThat(header.apiVersion()).isEqualTo((short)1);
        assertThat(header.correlationId()).isEqualTo(0x0A0B0C0D);
        assertThat(header.clientIdOffset()).isEqualTo(10);
        assertThat(header.clientIdLength()).isEqualTo(2);
        assertThat(header.clientId()).isEqualTo("ab");
        assertThat(header.bodyOffset()).isEqualTo(12);
    }

    @Test
    void shouldReadNullClientId()
    {
        // Given
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[] {0, 3, 0, 1, 0, 0, 0, 9, (byte)0xFF, (byte)0xFF});

        // When
        header.wrap(buffer, 0, 10);

        // Then
        assertThat(header.clientIdLength()).isEqualTo(KafkaWireReader.NULL_LENGTH);
        assertThat(header.clientId()).isNull();
        assertThat(header.bodyLength()).isZero();
    }

    @Test
    void shouldRejectRequestShorterThanItsHeader()
    {
        // Given
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[7]);

        // When / Then
        assertThatThrownBy(() -> header.wrap(buffer, 0, 7))
            .isInstanceOf(MalformedFrameException.class)
            .hasMessage("request shorter than its header: length=7, minLength=8");
    }

    @Test
    void shouldRejectClientIdRunningPastTheFrame()
    {
        // Given: client id claims 300 bytes in a 12-byte request
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[12]);
        buffer.putShort(0, (short)3, ByteOrder.BIG_ENDIAN);
        buffer.putShort(2, (short)1, ByteOrder.BIG_ENDIAN);
        buffer.putShort(8, (short)300, ByteOrder.BIG_ENDIAN);

        // When / Then
        assertThatThrownBy(() -> header.wrap(buffer, 0, 12))
            .isInstanceOf(MalformedFrameException.class)
            .hasMessageContaining("field=client_id");
    }

    @Test
    void shouldRejectNegativeClientIdLength()
    {
        // Given
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[12]);
        buffer.putShort(0, (short)3, ByteOrder.BIG_ENDIAN);
        buffer.putShort(2, (short)1, ByteOrder.BIG_ENDIAN);
        buffer.putShort(8, (short)-7, ByteOrder.BIG_ENDIAN);

        // When / Then
        assertThatThrownBy(() -> header.wrap(buffer, 0, 12))
            .isInstanceOf(MalformedFrameException.class)
            .hasMessage("negative length: field=client_id, length=-7");
    }

    @Test
    void shouldReadFixedFieldsOfAnApiKeyItDoesNotKnow()
    {
        // Given
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[] {0x7F, 0x00, 0x00, 0x02, 0, 0, 0, 5, 0, 0});

        // When
        header.wrap(buffer, 0, 10);

        // Then
        assertThat(header.apiKey()).isEqualTo((short)0x7F00);
        assertThat(header.correlationId()).isEqualTo(5);
        assertThat(header.headerVersion()).isEqualTo((short)1);
    }

    private static UnsafeBuffer withBody(final RequestHeaderData data, final short headerVersion)
    {
        final UnsafeBuffer headerOnly = WireFixtures.serialize(data, headerVersion);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[headerOnly.capacity() + 3]);
        buffer.putBytes(0, headerOnly, 0, headerOnly.capacity());
        return buffer;
    }
}

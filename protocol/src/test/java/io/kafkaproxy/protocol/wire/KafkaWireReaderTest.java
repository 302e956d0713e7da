package io.kafkaproxy.protocol.wire;

import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.utils.internals.ByteUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KafkaWireReaderTest
{
    private final KafkaWireReader reader = new KafkaWireReader();

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 127, 128, 16383, 16384, 2097151, 2097152, 268435455, 268435456, Integer.MAX_VALUE, -1})
    void shouldReadUnsignedVarintsAsKafkaWritesThem(final int value)
    {
        // Given
        final ByteBuffer encoded = ByteBuffer.allocate(8);
        ByteUtils.writeUnsignedVarint(value, encoded);
        final UnsafeBuffer buffer = new UnsafeBuffer(encoded.array());

        // When
        reader.wrap(buffer, 0, encoded.position());
        final int decoded = reader.readUnsignedVarint("v");

        // Then
        assertThat(decoded).isEqualTo(value);
        assertThat(reader.remaining()).isZero();
    }

    @Test
    void shouldReadBigEndianFields()
    {
        // Given
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[] {
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F});

        // When
        reader.wrap(buffer, 0, 15);

        // Then
        assertThat(reader.readInt8("a")).isEqualTo((byte)0x01);
        assertThat(reader.readInt16("b")).isEqualTo((short)0x0203);
        assertThat(reader.readInt32("c")).isEqualTo(0x04050607);
        assertThat(reader.readInt64("d")).isEqualTo(0x08090A0B0C0D0E0FL);
    }

    @Test
    void shouldRejectFieldRunningPastTheRegion()
    {
        // Given
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[16]);
        reader.wrap(buffer, 4, 3);

        // When / Then
        assertThatThrownBy(() -> reader.readInt32("throttle_time_ms"))
            .isInstanceOf(MalformedFrameException.class)
            .hasMessage("field runs past the end of the frame: field=throttle_time_ms, needed=4, remaining=3");
    }

    @Test
    void shouldRejectStringLongerThanTheBytesLeft()
    {
        // Given
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[] {0x00, 0x05, 'a', 'b'});
        reader.wrap(buffer, 0, 4);

        // When / Then
        assertThatThrownBy(() -> reader.skipString(false, "host"))
            .isInstanceOf(MalformedFrameException.class)
            .hasMessageContaining("field=host");
    }

    @Test
    void shouldRejectNegativeLengthOtherThanNull()
    {
        // Given
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[] {(byte)0xFF, (byte)0xFE});
        reader.wrap(buffer, 0, 2);

        // When / Then
        assertThatThrownBy(() -> reader.readStringLength(false, "client_id"))
            .isInstanceOf(MalformedFrameException.class)
            .hasMessage("negative length: field=client_id, length=-2");
    }

    @Test
    void shouldReadNullStringAsNullLength()
    {
        // Given
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[] {(byte)0xFF, (byte)0xFF, 0x00});
        reader.wrap(buffer, 0, 3);

        // When
        final int classic = reader.readStringLength(false, "rack");
        final int compact = reader.readStringLength(true, "rack");

        // Then
        assertThat(classic).isEqualTo(KafkaWireReader.NULL_LENGTH);
        assertThat(compact).isEqualTo(KafkaWireReader.NULL_LENGTH);
    }

    @Test
    void shouldRejectArrayCountLargerThanTheBytesLeft()
    {
        // Given: an array claiming a billion elements in a ten-byte frame
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[10]);
        buffer.putInt(0, 1_000_000_000, java.nio.ByteOrder.BIG_ENDIAN);
        reader.wrap(buffer, 0, 10);

        // When / Then
        assertThatThrownBy(() -> reader.readArrayLength(false, "brokers"))
            .isInstanceOf(MalformedFrameException.class)
            .hasMessage("array count out of range: field=brokers, count=1000000000, remaining=6");
    }

    @Test
    void shouldRejectVarintThatNeverEnds()
    {
        // Given
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[] {
            (byte)0x80, (byte)0x80, (byte)0x80, (byte)0x80, (byte)0x80, (byte)0x80});
        reader.wrap(buffer, 0, 6);

        // When / Then
        assertThatThrownBy(() -> reader.readUnsignedVarint("tag"))
            .isInstanceOf(MalformedFrameException.class)
            .hasMessageContaining("varint longer than five bytes: field=tag");
    }

    @Test
    void shouldSkipTaggedFields()
    {
        // Given: two tagged fields of 2 and 0 bytes, then a marker byte
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[] {0x02, 0x00, 0x02, 0x11, 0x22, 0x05, 0x00, 0x7F});
        reader.wrap(buffer, 0, 8);

        // When
        reader.skipTaggedFields("t");

        // Then
        assertThat(reader.readInt8("marker")).isEqualTo((byte)0x7F);
    }

    @Test
    void shouldRejectTaggedFieldLongerThanTheBytesLeft()
    {
        // Given
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[] {0x01, 0x00, 0x09, 0x11});
        reader.wrap(buffer, 0, 4);

        // When / Then
        assertThatThrownBy(() -> reader.skipTaggedFields("response"))
            .isInstanceOf(MalformedFrameException.class)
            .hasMessageContaining("field=response");
    }

    @Test
    void shouldRejectNullWhereTheSchemaAllowsNone()
    {
        // Given: a null classic string, a null compact array, a null classic bytes field
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[] {
            (byte)0xFF, (byte)0xFF, 0x00, (byte)0xFF, (byte)0xFF, (byte)0xFF, (byte)0xFF});

        // When / Then
        reader.wrap(buffer, 0, 7);
        assertThatThrownBy(() -> reader.readNonNullableStringLength(false, "host"))
            .isInstanceOf(MalformedFrameException.class)
            .hasMessage("null where the schema allows none: field=host");
        assertThatThrownBy(() -> reader.readNonNullableArrayLength(true, "topics"))
            .isInstanceOf(MalformedFrameException.class)
            .hasMessage("null where the schema allows none: field=topics");
        assertThatThrownBy(() -> reader.readNonNullableBytesLength(false, "auth_bytes"))
            .isInstanceOf(MalformedFrameException.class)
            .hasMessage("null where the schema allows none: field=auth_bytes");
    }

    @Test
    void shouldSkipFixedSizeElements()
    {
        // Given: three int32 elements, then a marker byte
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[13]);
        buffer.putByte(12, (byte)0x7F);
        reader.wrap(buffer, 0, 13);

        // When
        reader.skipFixedSizeElements(3, 4, "replica_nodes");

        // Then
        assertThat(reader.readInt8("marker")).isEqualTo((byte)0x7F);
    }

    @Test
    void shouldRejectFixedSizeElementsWhoseTotalOverflowsAnInt()
    {
        // Given
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[16]);
        reader.wrap(buffer, 0, 16);

        // When / Then: 2^30 elements of 4 bytes wrap to zero in int arithmetic
        assertThatThrownBy(() -> reader.skipFixedSizeElements(1 << 30, 4, "isr_nodes"))
            .isInstanceOf(MalformedFrameException.class)
            .hasMessage("field runs past the end of the frame: field=isr_nodes, needed=4294967296, remaining=16");
    }

    @Test
    void shouldRejectNegativeSkip()
    {
        // Given
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[16]);
        reader.wrap(buffer, 8, 8);

        // When / Then
        assertThatThrownBy(() -> reader.skip(-4, "name"))
            .isInstanceOf(MalformedFrameException.class)
            .hasMessage("negative length: field=name, length=-4");
        assertThat(reader.position()).isEqualTo(8);
    }
}

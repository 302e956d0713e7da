package io.kafkaproxy.protocol.wire;

import org.agrona.ExpandableArrayBuffer;
import org.apache.kafka.common.utils.internals.ByteUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class KafkaWireWriterTest
{
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(4);
    private final KafkaWireWriter writer = new KafkaWireWriter().wrap(buffer, 0);

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 127, 128, 16383, 16384, 2097152, 268435456, Integer.MAX_VALUE, -1})
    void shouldWriteUnsignedVarintsAsKafkaDoes(final int value)
    {
        // Given
        final ByteBuffer expected = ByteBuffer.allocate(8);
        ByteUtils.writeUnsignedVarint(value, expected);

        // When
        writer.writeUnsignedVarint(value);

        // Then
        assertThat(writer.position()).isEqualTo(expected.position()).isEqualTo(KafkaWireWriter.sizeOfUnsignedVarint(value));
        assertThat(buffer.byteArray()).startsWith(java.util.Arrays.copyOf(expected.array(), expected.position()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "broker-1.example.com", "h\u00f4te", "\u4e2d\u6587", "emoji-\ud83d\ude00"})
    void shouldWriteStringsInUtf8WithTheirLengthPrefix(final String value)
    {
        // Given
        final byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);

        // When
        writer.writeString(false, value);
        final int classicEnd = writer.position();
        writer.writeString(true, value);

        // Then
        assertThat(KafkaWireWriter.utf8Length(value)).isEqualTo(utf8.length);
        assertThat(buffer.getShort(0, java.nio.ByteOrder.BIG_ENDIAN)).isEqualTo((short)utf8.length);
        assertThat(buffer.getStringWithoutLengthUtf8(2, utf8.length)).isEqualTo(value);
        final int compactPrefix = KafkaWireWriter.sizeOfUnsignedVarint(utf8.length + 1);
        assertThat(buffer.getStringWithoutLengthUtf8(classicEnd + compactPrefix, utf8.length)).isEqualTo(value);
        assertThat(writer.position()).isEqualTo(classicEnd + compactPrefix + utf8.length);
    }

    @Test
    void shouldWriteBigEndianIntegers()
    {
        // When
        writer.writeInt16((short)0x0102).writeInt32(0x03040506);

        // Then
        assertThat(java.util.Arrays.copyOf(buffer.byteArray(), 6)).containsExactly(1, 2, 3, 4, 5, 6);
    }
}

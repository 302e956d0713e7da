package io.kafkaproxy.protocol.wire;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;
import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.agrona.BitUtil.SIZE_OF_SHORT;

/**
 * A cursor that appends Kafka wire primitives to a buffer, big-endian.
 *
 * <p>Writes into an expandable buffer grow it; writes into a fixed buffer must have been sized with the
 * {@code sizeOf*} helpers. Not thread safe.
 */
public final class KafkaWireWriter
{
    private MutableDirectBuffer buffer;
    private int position;

    /**
     * Points the writer at a buffer.
     *
     * @param buffer the buffer to append to; expandable buffers grow as needed.
     * @param offset where the first byte goes.
     * @return this writer.
     */
    public KafkaWireWriter wrap(final MutableDirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.position = offset;
        return this;
    }

    /**
     * The offset of the next byte to write.
     *
     * @return the current position.
     */
    public int position()
    {
        return position;
    }

    /**
     * Appends a big-endian int16.
     *
     * @param value the value.
     * @return this writer.
     */
    public KafkaWireWriter writeInt16(final short value)
    {
        buffer.putShort(position, value, BIG_ENDIAN);
        position += SIZE_OF_SHORT;
        return this;
    }

    /**
     * Appends a big-endian int32.
     *
     * @param value the value.
     * @return this writer.
     */
    public KafkaWireWriter writeInt32(final int value)
    {
        buffer.putInt(position, value, BIG_ENDIAN);
        position += SIZE_OF_INT;
        return this;
    }

    /**
     * Appends Kafka's unsigned varint.
     *
     * @param value the value, treated as unsigned.
     * @return this writer.
     */
    public KafkaWireWriter writeUnsignedVarint(final int value)
    {
        int remaining = value;
        while ((remaining & 0xFFFFFF80) != 0)
        {
            buffer.putByte(position++, (byte)((remaining & 0x7F) | 0x80));
            remaining >>>= 7;
        }
        buffer.putByte(position++, (byte)remaining);
        return this;
    }

    /**
     * Appends an array's element count in the version's encoding.
     *
     * @param flexible whether the message version uses compact encodings.
     * @param count    the element count.
     * @return this writer.
     */
    public KafkaWireWriter writeArrayLength(final boolean flexible, final int count)
    {
        return flexible ? writeUnsignedVarint(count + 1) : writeInt32(count);
    }

    /**
     * Appends a non-null string in UTF-8 with the version's length encoding, without allocating.
     *
     * @param flexible whether the message version uses compact encodings.
     * @param value    the string.
     * @return this writer.
     */
    public KafkaWireWriter writeString(final boolean flexible, final CharSequence value)
    {
        final int length = utf8Length(value);
        if (flexible)
        {
            writeUnsignedVarint(length + 1);
        }
        else
        {
            writeInt16((short)length);
        }
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            if (c < 0x80)
            {
                buffer.putByte(position++, (byte)c);
            }
            else if (c < 0x800)
            {
                buffer.putByte(position++, (byte)(0xC0 | (c >> 6)));
                buffer.putByte(position++, (byte)(0x80 | (c & 0x3F)));
            }
            else if (Character.isHighSurrogate(c) && i + 1 < value.length())
            {
                final int codePoint = Character.toCodePoint(c, value.charAt(++i));
                buffer.putByte(position++, (byte)(0xF0 | (codePoint >> 18)));
                buffer.putByte(position++, (byte)(0x80 | ((codePoint >> 12) & 0x3F)));
                buffer.putByte(position++, (byte)(0x80 | ((codePoint >> 6) & 0x3F)));
                buffer.putByte(position++, (byte)(0x80 | (codePoint & 0x3F)));
            }
            else
            {
                buffer.putByte(position++, (byte)(0xE0 | (c >> 12)));
                buffer.putByte(position++, (byte)(0x80 | ((c >> 6) & 0x3F)));
                buffer.putByte(position++, (byte)(0x80 | (c & 0x3F)));
            }
        }
        return this;
    }

    /**
     * Appends bytes copied from another buffer.
     *
     * @param source the buffer to copy from.
     * @param offset the first byte to copy.
     * @param length the number of bytes to copy.
     * @return this writer.
     */
    public KafkaWireWriter writeBytes(final DirectBuffer source, final int offset, final int length)
    {
        buffer.putBytes(position, source, offset, length);
        position += length;
        return this;
    }

    /**
     * The number of bytes an unsigned varint takes.
     *
     * @param value the value, treated as unsigned.
     * @return one to five.
     */
    public static int sizeOfUnsignedVarint(final int value)
    {
        // Each byte carries seven bits; count the significant bits, with zero taking one byte.
        final int bits = 32 - Integer.numberOfLeadingZeros(value | 1);
        return (bits + 6) / 7;
    }

    /**
     * The number of bytes a string takes in UTF-8, without the length prefix.
     *
     * @param value the string.
     * @return its UTF-8 length.
     */
    public static int utf8Length(final CharSequence value)
    {
        int length = 0;
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            if (c < 0x80)
            {
                length += 1;
            }
            else if (c < 0x800)
            {
                length += 2;
            }
            else if (Character.isHighSurrogate(c) && i + 1 < value.length())
            {
                length += 4;
                i++;
            }
            else
            {
                length += 3;
            }
        }
        return length;
    }
}

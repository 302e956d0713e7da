package io.kafkaproxy.protocol.wire;

import org.agrona.DirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;
import static org.agrona.BitUtil.SIZE_OF_BYTE;
import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.agrona.BitUtil.SIZE_OF_LONG;
import static org.agrona.BitUtil.SIZE_OF_SHORT;

/**
 * A cursor over Kafka wire primitives in a bounded region of a buffer.
 *
 * <p>Every read checks the bytes left before touching the buffer and names the field it was reading when it
 * fails, so a hostile length can never read past the region. Field names are passed as string constants, which
 * allocate nothing. Strings and byte arrays are skipped or measured, never materialised.
 *
 * <p>Not thread safe; one instance per thread or per connection, re-wrapped for each message.
 *
 * <p>About 400 lines because it covers every primitive type of Kafka's schemas (fixed, varint, compact and nullable
 * forms, tagged fields), each with its bounds check: one reader, so that every flyweight reads the wire the same way.
 */
public final class KafkaWireReader
{
    /**
     * Returned by the length readers for a null string, array or byte sequence.
     */
    public static final int NULL_LENGTH = -1;

    private static final int UUID_LENGTH = 16;
    private static final int MAX_VARINT_BYTES = 5;

    private DirectBuffer buffer;
    private int position;
    private int limit;

    /**
     * Points the reader at a region of a buffer.
     *
     * @param buffer the buffer holding the region.
     * @param offset the first byte of the region.
     * @param length the number of bytes in the region.
     * @return this reader, positioned at {@code offset}.
     */
    public KafkaWireReader wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.position = offset;
        this.limit = offset + length;
        return this;
    }

    /**
     * The buffer being read.
     *
     * @return the wrapped buffer.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * The offset of the next byte to read.
     *
     * @return the current position in the wrapped buffer.
     */
    public int position()
    {
        return position;
    }

    /**
     * The offset just past the wrapped region.
     *
     * @return the limit of the wrapped region.
     */
    public int limit()
    {
        return limit;
    }

    /**
     * Bytes left between the position and the limit.
     *
     * @return the number of unread bytes.
     */
    public int remaining()
    {
        return limit - position;
    }

    /**
     * Reads an int8.
     *
     * @param field the wire name of the field, for the error message.
     * @return the value.
     * @throws MalformedFrameException if the region has no byte left.
     */
    public byte readInt8(final String field)
    {
        return buffer.getByte(advance(SIZE_OF_BYTE, field));
    }

    /**
     * Reads a big-endian int16.
     *
     * @param field the wire name of the field, for the error message.
     * @return the value.
     * @throws MalformedFrameException if fewer than two bytes are left.
     */
    public short readInt16(final String field)
    {
        return buffer.getShort(advance(SIZE_OF_SHORT, field), BIG_ENDIAN);
    }

    /**
     * Reads a big-endian int32.
     *
     * @param field the wire name of the field, for the error message.
     * @return the value.
     * @throws MalformedFrameException if fewer than four bytes are left.
     */
    public int readInt32(final String field)
    {
        return buffer.getInt(advance(SIZE_OF_INT, field), BIG_ENDIAN);
    }

    /**
     * Reads a big-endian int64.
     *
     * @param field the wire name of the field, for the error message.
     * @return the value.
     * @throws MalformedFrameException if fewer than eight bytes are left.
     */
    public long readInt64(final String field)
    {
        return buffer.getLong(advance(SIZE_OF_LONG, field), BIG_ENDIAN);
    }

    /**
     * Reads Kafka's unsigned varint (seven bits per byte, least significant group first).
     *
     * @param field the wire name of the field, for the error message.
     * @return the value, which may be negative when the encoding used all 32 bits.
     * @throws MalformedFrameException if the varint runs past the region or past five bytes.
     */
    public int readUnsignedVarint(final String field)
    {
        int value = 0;
        for (int i = 0; i < MAX_VARINT_BYTES; i++)
        {
            if (position >= limit)
            {
                throw truncated(field, 1);
            }
            final byte b = buffer.getByte(position++);
            value |= (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
        throw new MalformedFrameException("varint longer than five bytes: field=" + field + ", position=" + position);
    }

    /**
     * Reads the length of a string: int16 in classic versions, unsigned varint plus one in flexible versions.
     *
     * @param flexible whether the message version uses compact encodings.
     * @param field    the wire name of the field, for the error message.
     * @return the byte length, or {@link #NULL_LENGTH} for a null string.
     * @throws MalformedFrameException if the length is below -1 or the string runs past the region.
     */
    public int readStringLength(final boolean flexible, final String field)
    {
        final int length = flexible ? readUnsignedVarint(field) - 1 : readInt16(field);
        checkDeclaredLength(length, field);
        return length;
    }

    /**
     * Reads the element count of an array: int32 in classic versions, unsigned varint plus one in flexible ones.
     *
     * @param flexible whether the message version uses compact encodings.
     * @param field    the wire name of the field, for the error message.
     * @return the element count, or {@link #NULL_LENGTH} for a null array.
     * @throws MalformedFrameException if the count is below -1 or could not fit in the bytes left.
     */
    public int readArrayLength(final boolean flexible, final String field)
    {
        final int count = flexible ? readUnsignedVarint(field) - 1 : readInt32(field);
        // Every element takes at least one byte, so a count above the bytes left is a lie told to make us loop.
        if (count < NULL_LENGTH || count > remaining())
        {
            throw new MalformedFrameException("array count out of range: field=" + field + ", count=" + count +
                ", remaining=" + remaining());
        }
        return count;
    }

    /**
     * Reads the length of a string the schema does not allow to be null.
     *
     * @param flexible whether the message version uses compact encodings.
     * @param field    the wire name of the field, for the error message.
     * @return the byte length, zero or more.
     * @throws MalformedFrameException if the string is null, has a negative length or runs past the region.
     */
    public int readNonNullableStringLength(final boolean flexible, final String field)
    {
        return requireNonNull(readStringLength(flexible, field), field);
    }

    /**
     * Reads the element count of an array the schema does not allow to be null.
     *
     * @param flexible whether the message version uses compact encodings.
     * @param field    the wire name of the field, for the error message.
     * @return the element count, zero or more.
     * @throws MalformedFrameException if the array is null or its count could not fit in the bytes left.
     */
    public int readNonNullableArrayLength(final boolean flexible, final String field)
    {
        return requireNonNull(readArrayLength(flexible, field), field);
    }

    /**
     * Reads the length of a bytes or records field: int32 in classic versions, unsigned varint plus one in
     * flexible versions.
     *
     * @param flexible whether the message version uses compact encodings.
     * @param field    the wire name of the field, for the error message.
     * @return the byte length, or {@link #NULL_LENGTH} for null.
     * @throws MalformedFrameException if the length is below -1 or the bytes run past the region.
     */
    public int readBytesLength(final boolean flexible, final String field)
    {
        final int length = flexible ? readUnsignedVarint(field) - 1 : readInt32(field);
        checkDeclaredLength(length, field);
        return length;
    }

    /**
     * Reads the length of a bytes field the schema does not allow to be null.
     *
     * @param flexible whether the message version uses compact encodings.
     * @param field    the wire name of the field, for the error message.
     * @return the byte length, zero or more.
     * @throws MalformedFrameException if the field is null, has a negative length or runs past the region.
     */
    public int readNonNullableBytesLength(final boolean flexible, final String field)
    {
        return requireNonNull(readBytesLength(flexible, field), field);
    }

    /**
     * Skips a string or nullable string.
     *
     * @param flexible whether the message version uses compact encodings.
     * @param field    the wire name of the field, for the error message.
     * @throws MalformedFrameException if the string is malformed.
     */
    public void skipString(final boolean flexible, final String field)
    {
        final int length = readStringLength(flexible, field);
        if (length > 0)
        {
            position += length;
        }
    }

    /**
     * Skips a bytes or records field, nullable or not, without looking inside it.
     *
     * @param flexible whether the message version uses compact encodings.
     * @param field    the wire name of the field, for the error message.
     * @throws MalformedFrameException if the field is malformed.
     */
    public void skipBytes(final boolean flexible, final String field)
    {
        final int length = readBytesLength(flexible, field);
        if (length > 0)
        {
            position += length;
        }
    }

    /**
     * Skips the elements of an array whose elements all have the same fixed size and no tagged fields, such as
     * {@code []int32}, once its count has been read.
     *
     * @param count         the element count read from the wire; zero or less skips nothing.
     * @param elementLength the size of one element in bytes.
     * @param field         the wire name of the field, for the error message.
     * @throws MalformedFrameException if the elements run past the region.
     */
    public void skipFixedSizeElements(final int count, final int elementLength, final String field)
    {
        if (count > 0)
        {
            // A count checked against the bytes left can still overflow an int once multiplied.
            final long length = (long)count * elementLength;
            if (length > remaining())
            {
                throw truncated(field, length);
            }
            position += (int)length;
        }
    }

    /**
     * Skips a UUID.
     *
     * @param field the wire name of the field, for the error message.
     * @throws MalformedFrameException if fewer than sixteen bytes are left.
     */
    public void skipUuid(final String field)
    {
        skip(UUID_LENGTH, field);
    }

    /**
     * Skips a fixed number of bytes.
     *
     * @param length the number of bytes to skip.
     * @param field  the wire name of the field, for the error message.
     * @throws MalformedFrameException if the length is negative or fewer bytes are left.
     */
    public void skip(final int length, final String field)
    {
        if (length < 0)
        {
            throw new MalformedFrameException("negative length: field=" + field + ", length=" + length);
        }
        require(length, field);
        position += length;
    }

    /**
     * Skips a tagged-field section: a varint count, then per field a varint tag, a varint size and the data.
     *
     * @param field the wire name of the structure owning the section, for the error message.
     * @throws MalformedFrameException if the section is malformed.
     */
    public void skipTaggedFields(final String field)
    {
        final int count = readUnsignedVarint(field);
        if (count < 0 || count > remaining())
        {
            throw new MalformedFrameException("tagged field count out of range: field=" + field + ", count=" + count);
        }
        for (int i = 0; i < count; i++)
        {
            readUnsignedVarint(field);
            final int size = readUnsignedVarint(field);
            checkDeclaredLength(size, field);
            position += size;
        }
    }

    /**
     * Skips a tagged-field section if the message version has one.
     *
     * @param flexible whether the message version uses compact encodings, and so ends structures with tagged fields.
     * @param field    the wire name of the enclosing structure, for the error message.
     * @throws MalformedFrameException if a tagged field runs past the region.
     */
    public void skipTaggedFields(final boolean flexible, final String field)
    {
        if (flexible)
        {
            skipTaggedFields(field);
        }
    }

    private void checkDeclaredLength(final int length, final String field)
    {
        if (length < NULL_LENGTH)
        {
            throw new MalformedFrameException("negative length: field=" + field + ", length=" + length);
        }
        if (length > remaining())
        {
            throw truncated(field, length);
        }
    }

    private int advance(final int length, final String field)
    {
        require(length, field);
        final int start = position;
        position += length;
        return start;
    }

    private void require(final int length, final String field)
    {
        if (length > limit - position)
        {
            throw truncated(field, length);
        }
    }

    private static int requireNonNull(final int length, final String field)
    {
        if (length == NULL_LENGTH)
        {
            throw nullNotAllowed(field);
        }
        return length;
    }

    private static MalformedFrameException nullNotAllowed(final String field)
    {
        return new MalformedFrameException("null where the schema allows none: field=" + field);
    }

    private MalformedFrameException truncated(final String field, final long needed)
    {
        return new MalformedFrameException("field runs past the end of the frame: field=" + field +
            ", needed=" + needed + ", remaining=" + (limit - position));
    }
}

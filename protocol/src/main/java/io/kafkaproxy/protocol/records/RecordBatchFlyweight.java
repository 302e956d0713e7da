package io.kafkaproxy.protocol.records;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

import static io.kafkaproxy.protocol.records.RecordBatchDescriptor.ATTRIBUTES_OFFSET;
import static io.kafkaproxy.protocol.records.RecordBatchDescriptor.BATCH_LENGTH_OFFSET;
import static io.kafkaproxy.protocol.records.RecordBatchDescriptor.CONTROL_FLAG;
import static io.kafkaproxy.protocol.records.RecordBatchDescriptor.HEADER_LENGTH;
import static io.kafkaproxy.protocol.records.RecordBatchDescriptor.LOG_OVERHEAD;
import static io.kafkaproxy.protocol.records.RecordBatchDescriptor.MAGIC_OFFSET;
import static io.kafkaproxy.protocol.records.RecordBatchDescriptor.MAGIC_V2;
import static io.kafkaproxy.protocol.records.RecordBatchDescriptor.PRODUCER_ID_OFFSET;
import static io.kafkaproxy.protocol.records.RecordBatchDescriptor.RECORDS_COUNT_OFFSET;
import static io.kafkaproxy.protocol.records.RecordBatchDescriptor.TRANSACTIONAL_FLAG;

/**
 * A walk over the batches of a record set, one batch at a time, reading header fields only (layout in {@link
 * RecordBatchDescriptor}); records are never decoded, and the record count comes from the v2 header.
 *
 * <p>A batch whose declared length runs past the record set, or is shorter than its magic's smallest header, ends
 * the walk: {@link #nextBatch()} returns false and {@link #truncated()} tells it apart from the clean end, with
 * {@link #remainingBytes()} what was left unread. Nothing throws: the broker judges the record set, and the caller
 * (the mirror) only decides what it can copy. Not thread safe; one instance per thread, re-wrapped per record set.
 */
public final class RecordBatchFlyweight
{
    // The smallest v0 entry: offset, size, crc, magic, attributes, key and value lengths.
    private static final int LEGACY_MIN_LENGTH = LOG_OVERHEAD + 4 + 1 + 1 + 4 + 4;

    private DirectBuffer buffer;
    private int limit;
    private int next;
    private int batchOffset;
    private int batchLength;
    private boolean truncated;

    /**
     * Wraps a record set, the cursor before its first batch.
     *
     * @param buffer the buffer holding the record set.
     * @param offset the offset of its first byte.
     * @param length its length in bytes.
     * @return this flyweight.
     */
    public RecordBatchFlyweight wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.limit = offset + length;
        this.next = offset;
        this.batchOffset = offset;
        this.batchLength = 0;
        this.truncated = false;
        return this;
    }

    /**
     * Moves to the next batch.
     *
     * @return true if a whole batch is under the cursor; false at the end of the record set, or at a batch that
     *         does not fit ({@link #truncated()}).
     */
    public boolean nextBatch()
    {
        final int left = limit - next;
        if (left <= 0)
        {
            return false;
        }
        if (left < LOG_OVERHEAD + 5)
        {
            truncated = true;
            return false;
        }
        final int declared = buffer.getInt(next + BATCH_LENGTH_OFFSET, ByteOrder.BIG_ENDIAN);
        final byte magic = buffer.getByte(next + MAGIC_OFFSET);
        final int minimum = magic >= MAGIC_V2 ? HEADER_LENGTH : LEGACY_MIN_LENGTH;
        if (declared < minimum - LOG_OVERHEAD || declared > left - LOG_OVERHEAD)
        {
            truncated = true;
            return false;
        }
        batchOffset = next;
        batchLength = LOG_OVERHEAD + declared;
        next += batchLength;
        return true;
    }

    /**
     * Whether the walk stopped at a batch that does not fit the record set.
     *
     * @return true when bytes were left that do not form a whole batch.
     */
    public boolean truncated()
    {
        return truncated;
    }

    /**
     * The bytes after the last whole batch read.
     *
     * @return the unread bytes of the record set.
     */
    public int remainingBytes()
    {
        return limit - next;
    }

    /**
     * Where the current batch starts in the wrapped buffer.
     *
     * @return the absolute offset of its base offset field.
     */
    public int batchOffset()
    {
        return batchOffset;
    }

    /**
     * The length of the current batch, log overhead included: the bytes to copy.
     *
     * @return the batch's length in bytes.
     */
    public int batchLength()
    {
        return batchLength;
    }

    /**
     * The current batch's magic.
     *
     * @return magic.
     */
    public byte magic()
    {
        return buffer.getByte(batchOffset + MAGIC_OFFSET);
    }

    /**
     * The current batch's attributes (v2 only).
     *
     * @return attributes.
     */
    public short attributes()
    {
        return buffer.getShort(batchOffset + ATTRIBUTES_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    /**
     * Whether the current batch is v2 and carries transaction markers.
     *
     * @return true for a control batch.
     */
    public boolean isControl()
    {
        return magic() >= MAGIC_V2 && (attributes() & CONTROL_FLAG) != 0;
    }

    /**
     * Whether the current batch is v2 and part of a transaction.
     *
     * @return true for a transactional batch.
     */
    public boolean isTransactional()
    {
        return magic() >= MAGIC_V2 && (attributes() & TRANSACTIONAL_FLAG) != 0;
    }

    /**
     * Whether the current batch can be copied to another cluster: magic v2 and not a control batch.
     *
     * @return true when {@link ShadowBatchRewriter} can rewrite it.
     */
    public boolean isMirrorable()
    {
        return magic() == MAGIC_V2 && (attributes() & CONTROL_FLAG) == 0;
    }

    /**
     * The current batch's producer id (v2 only).
     *
     * @return producerId.
     */
    public long producerId()
    {
        return buffer.getLong(batchOffset + PRODUCER_ID_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    /**
     * The number of records the current v2 batch declares; a legacy entry counts one (its records, when it is a
     * compressed wrapper, are not read).
     *
     * @return the record count.
     */
    public int recordCount()
    {
        return magic() >= MAGIC_V2 ? buffer.getInt(batchOffset + RECORDS_COUNT_OFFSET, ByteOrder.BIG_ENDIAN) : 1;
    }
}

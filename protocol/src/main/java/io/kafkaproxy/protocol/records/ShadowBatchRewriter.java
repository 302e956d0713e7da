package io.kafkaproxy.protocol.records;

import org.agrona.MutableDirectBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

import static io.kafkaproxy.protocol.records.RecordBatchDescriptor.ATTRIBUTES_OFFSET;
import static io.kafkaproxy.protocol.records.RecordBatchDescriptor.BASE_SEQUENCE_OFFSET;
import static io.kafkaproxy.protocol.records.RecordBatchDescriptor.CRC_OFFSET;
import static io.kafkaproxy.protocol.records.RecordBatchDescriptor.NO_PRODUCER;
import static io.kafkaproxy.protocol.records.RecordBatchDescriptor.PRODUCER_EPOCH_OFFSET;
import static io.kafkaproxy.protocol.records.RecordBatchDescriptor.PRODUCER_ID_OFFSET;
import static io.kafkaproxy.protocol.records.RecordBatchDescriptor.TRANSACTIONAL_FLAG;

/**
 * Rewrites a copied v2 batch in place for a shadow cluster: producer id, epoch and base sequence set to −1, the
 * transactional bit cleared, and the CRC-32C recomputed over attributes to the end of the batch.
 *
 * <p>Why: the client's producer id was issued by the primary and means nothing to the shadow (which would answer
 * UNKNOWN_PRODUCER_ID or OUT_OF_ORDER_SEQUENCE, and a batch the mirror dropped would break the sequence anyway);
 * a transactional batch would need a transaction the shadow never saw begin. The copies lose idempotence and
 * transactions, and records of aborted transactions reach the shadow as plain records. The records are not touched,
 * so compressed batches stay compressed. Not thread safe (it keeps one {@link CRC32C}); one instance per thread.
 */
public final class ShadowBatchRewriter
{
    private final CRC32C crc = new CRC32C();
    private byte[] scratch;

    /**
     * Rewrites one whole v2 batch, as {@link RecordBatchFlyweight#isMirrorable()} accepted it, in place.
     *
     * @param buffer      the buffer holding the copy.
     * @param batchOffset the absolute offset of the batch's base offset field.
     * @param batchLength the batch's length, log overhead included.
     */
    public void rewrite(final MutableDirectBuffer buffer, final int batchOffset, final int batchLength)
    {
        buffer.putLong(batchOffset + PRODUCER_ID_OFFSET, NO_PRODUCER, ByteOrder.BIG_ENDIAN);
        buffer.putShort(batchOffset + PRODUCER_EPOCH_OFFSET, (short)NO_PRODUCER, ByteOrder.BIG_ENDIAN);
        buffer.putInt(batchOffset + BASE_SEQUENCE_OFFSET, NO_PRODUCER, ByteOrder.BIG_ENDIAN);
        final short attributes = buffer.getShort(batchOffset + ATTRIBUTES_OFFSET, ByteOrder.BIG_ENDIAN);
        buffer.putShort(batchOffset + ATTRIBUTES_OFFSET, (short)(attributes & ~TRANSACTIONAL_FLAG), ByteOrder.BIG_ENDIAN);
        final int crcStart = batchOffset + ATTRIBUTES_OFFSET;
        final long value = crc32c(buffer, crcStart, batchOffset + batchLength - crcStart);
        buffer.putInt(batchOffset + CRC_OFFSET, (int)value, ByteOrder.BIG_ENDIAN);
    }

    private long crc32c(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        crc.reset();
        final ByteBuffer byteBuffer = buffer.byteBuffer();
        final byte[] array = buffer.byteArray();
        if (array != null)
        {
            crc.update(array, buffer.wrapAdjustment() + offset, length);
        }
        else if (byteBuffer != null)
        {
            // Over the memory itself: CRC32C uses the CPU's crc32 instruction on a direct buffer.
            final int start = buffer.wrapAdjustment() + offset;
            crc.update(byteBuffer.duplicate().limit(start + length).position(start));
        }
        else
        {
            // A view wrapped over a bare address: no ByteBuffer to hand over, so through a scratch array.
            if (scratch == null)
            {
                scratch = new byte[8192];
            }
            for (int done = 0; done < length; )
            {
                final int chunk = Math.min(scratch.length, length - done);
                buffer.getBytes(offset + done, scratch, 0, chunk);
                crc.update(scratch, 0, chunk);
                done += chunk;
            }
        }
        return crc.getValue();
    }
}

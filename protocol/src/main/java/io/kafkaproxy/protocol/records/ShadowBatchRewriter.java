package io.kafkaproxy.protocol.records;

import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.util.zip.CRC32C;

import static io.kafkaproxy.protocol.records.RecordBatchDescriptor.ATTRIBUTES_OFFSET;
import static io.kafkaproxy.protocol.records.RecordBatchDescriptor.BASE_SEQUENCE_OFFSET;
import static io.kafkaproxy.protocol.records.RecordBatchDescriptor.CRC_OFFSET;
import static io.kafkaproxy.protocol.records.RecordBatchDescriptor.NO_PRODUCER;
import static io.kafkaproxy.protocol.records.RecordBatchDescriptor.PRODUCER_EPOCH_OFFSET;
import static io.kafkaproxy.protocol.records.RecordBatchDescriptor.PRODUCER_ID_OFFSET;
import static io.kafkaproxy.protocol.records.RecordBatchDescriptor.RECORDS_COUNT_OFFSET;
import static io.kafkaproxy.protocol.records.RecordBatchDescriptor.TRANSACTIONAL_FLAG;

/**
 * Rewrites a copied v2 batch in place for a shadow cluster: producer id, epoch and base sequence set to −1, the
 * transactional bit cleared, and the CRC-32C adjusted to match.
 *
 * <p>Why: the client's producer id was issued by the primary and means nothing to the shadow (which would answer
 * UNKNOWN_PRODUCER_ID or OUT_OF_ORDER_SEQUENCE, and a batch the mirror dropped would break the sequence anyway);
 * a transactional batch would need a transaction the shadow never saw begin. The copies lose idempotence and
 * transactions, and records of aborted transactions reach the shadow as plain records. The records are not touched,
 * so compressed batches stay compressed.
 *
 * <p>The CRC is not recomputed over the batch. A CRC is linear: for two messages of one length,
 * {@code crc(a) ^ crc(b) = crc0(a ^ b)} where {@code crc0} is the CRC without its initial and final inversions. The
 * rewritten bytes all lie in the 36 bytes from the attributes to the base sequence, so {@code a ^ b} is those 36
 * bytes of difference followed by zeros, whose {@code crc0} is the 36 bytes' {@code crc0} shifted by the zeros'
 * length: a multiplication by {@code x^(8n)} modulo the CRC-32C polynomial, done in about {@code log2(n)} steps
 * (zlib's {@code crc32_combine}). So the cost per batch no longer grows with its size, and a batch whose CRC was
 * wrong stays wrong (the shadow refuses it as the primary did), where recomputing it would have blessed it.
 * Not thread safe (it keeps one {@link CRC32C} and a scratch window); one instance per thread.
 */
public final class ShadowBatchRewriter
{
    // CRC-32C (Castagnoli), reflected, as java.util.zip.CRC32C computes it.
    private static final int POLYNOMIAL = 0x82F63B78;
    private static final int WINDOW_OFFSET = ATTRIBUTES_OFFSET;
    private static final int WINDOW_LENGTH = RECORDS_COUNT_OFFSET - ATTRIBUTES_OFFSET;
    // x^(2^k) modulo the polynomial, k = 0..31.
    private static final int[] X_POWERS = xPowers();
    private static final int ZEROS_CRC = zerosCrc();

    private final CRC32C crc = new CRC32C();
    private final byte[] window = new byte[WINDOW_LENGTH];

    /**
     * Rewrites one whole v2 batch, as {@link RecordBatchFlyweight#isMirrorable()} accepted it, in place.
     *
     * @param buffer      the buffer holding the copy.
     * @param batchOffset the absolute offset of the batch's base offset field.
     * @param batchLength the batch's length, log overhead included; at least {@link RecordBatchDescriptor#HEADER_LENGTH}.
     */
    public void rewrite(final MutableDirectBuffer buffer, final int batchOffset, final int batchLength)
    {
        final int windowStart = batchOffset + WINDOW_OFFSET;
        buffer.getBytes(windowStart, window, 0, WINDOW_LENGTH);
        buffer.putLong(batchOffset + PRODUCER_ID_OFFSET, NO_PRODUCER, ByteOrder.BIG_ENDIAN);
        buffer.putShort(batchOffset + PRODUCER_EPOCH_OFFSET, (short)NO_PRODUCER, ByteOrder.BIG_ENDIAN);
        buffer.putInt(batchOffset + BASE_SEQUENCE_OFFSET, NO_PRODUCER, ByteOrder.BIG_ENDIAN);
        final short attributes = buffer.getShort(batchOffset + ATTRIBUTES_OFFSET, ByteOrder.BIG_ENDIAN);
        buffer.putShort(batchOffset + ATTRIBUTES_OFFSET, (short)(attributes & ~TRANSACTIONAL_FLAG), ByteOrder.BIG_ENDIAN);
        for (int i = 0; i < WINDOW_LENGTH; i++)
        {
            window[i] ^= buffer.getByte(windowStart + i);
        }
        crc.reset();
        crc.update(window, 0, WINDOW_LENGTH);
        final int difference = (int)crc.getValue() ^ ZEROS_CRC;
        final int shifted = multiply(xPowerOfBytes(batchOffset + batchLength - (windowStart + WINDOW_LENGTH)), difference);
        final int stored = buffer.getInt(batchOffset + CRC_OFFSET, ByteOrder.BIG_ENDIAN);
        buffer.putInt(batchOffset + CRC_OFFSET, stored ^ shifted, ByteOrder.BIG_ENDIAN);
    }

    /**
     * a times b modulo the polynomial, both reflected (x^0 is the top bit).
     */
    private static int multiply(final int a, final int b)
    {
        int product = 0;
        int multiplier = b;
        for (int bit = 1 << 31; bit != 0; bit >>>= 1)
        {
            if ((a & bit) != 0)
            {
                product ^= multiplier;
            }
            multiplier = (multiplier & 1) != 0 ? (multiplier >>> 1) ^ POLYNOMIAL : multiplier >>> 1;
        }
        return product;
    }

    /**
     * x^(8n) modulo the polynomial: the shift of a CRC by n zero bytes.
     */
    private static int xPowerOfBytes(final int bytes)
    {
        int power = 1 << 31;
        int k = 3;
        for (int n = bytes; n != 0; n >>>= 1, k++)
        {
            if ((n & 1) != 0)
            {
                power = multiply(X_POWERS[k & 31], power);
            }
        }
        return power;
    }

    private static int[] xPowers()
    {
        final int[] powers = new int[32];
        int power = 1 << 30;
        powers[0] = power;
        for (int k = 1; k < powers.length; k++)
        {
            power = multiply(power, power);
            powers[k] = power;
        }
        return powers;
    }

    private static int zerosCrc()
    {
        final CRC32C zeros = new CRC32C();
        zeros.update(new byte[WINDOW_LENGTH], 0, WINDOW_LENGTH);
        return (int)zeros.getValue();
    }
}

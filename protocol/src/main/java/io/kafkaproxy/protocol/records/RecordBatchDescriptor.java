package io.kafkaproxy.protocol.records;

import static org.agrona.BitUtil.SIZE_OF_BYTE;
import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.agrona.BitUtil.SIZE_OF_LONG;
import static org.agrona.BitUtil.SIZE_OF_SHORT;

/**
 * Layout of a record batch header, magic v2 (KIP-98), and the fields every magic shares.
 *
 * <pre>
 *   0  baseOffset           int64
 *   8  batchLength          int32   bytes after this field
 *  12  partitionLeaderEpoch int32   (v0/v1: crc)
 *  16  magic                int8    same offset in every magic
 *  17  crc                  uint32  CRC-32C of attributes .. end of batch
 *  21  attributes           int16   bits 0-2 compression, 3 timestamp type, 4 transactional, 5 control
 *  23  lastOffsetDelta      int32
 *  27  baseTimestamp        int64
 *  35  maxTimestamp         int64
 *  43  producerId           int64
 *  51  producerEpoch        int16
 *  53  baseSequence         int32
 *  57  recordsCount         int32
 *  61  records...
 * </pre>
 *
 * Big-endian, as every Kafka field.
 */
public final class RecordBatchDescriptor
{
    /** Offset of the base offset. */
    public static final int BASE_OFFSET_OFFSET = 0;
    /** Offset of the batch length, which counts the bytes after it. */
    public static final int BATCH_LENGTH_OFFSET = BASE_OFFSET_OFFSET + SIZE_OF_LONG;
    /** Bytes ahead of what the batch length counts: base offset and the length itself (the log overhead). */
    public static final int LOG_OVERHEAD = BATCH_LENGTH_OFFSET + SIZE_OF_INT;
    /** Offset of the partition leader epoch. */
    public static final int PARTITION_LEADER_EPOCH_OFFSET = LOG_OVERHEAD;
    /** Offset of the magic byte, the same in every magic. */
    public static final int MAGIC_OFFSET = PARTITION_LEADER_EPOCH_OFFSET + SIZE_OF_INT;
    /** Offset of the CRC-32C. */
    public static final int CRC_OFFSET = MAGIC_OFFSET + SIZE_OF_BYTE;
    /** Offset of the attributes, where the CRC's range starts. */
    public static final int ATTRIBUTES_OFFSET = CRC_OFFSET + SIZE_OF_INT;
    /** Offset of the last offset delta. */
    public static final int LAST_OFFSET_DELTA_OFFSET = ATTRIBUTES_OFFSET + SIZE_OF_SHORT;
    /** Offset of the base timestamp. */
    public static final int BASE_TIMESTAMP_OFFSET = LAST_OFFSET_DELTA_OFFSET + SIZE_OF_INT;
    /** Offset of the max timestamp. */
    public static final int MAX_TIMESTAMP_OFFSET = BASE_TIMESTAMP_OFFSET + SIZE_OF_LONG;
    /** Offset of the producer id. */
    public static final int PRODUCER_ID_OFFSET = MAX_TIMESTAMP_OFFSET + SIZE_OF_LONG;
    /** Offset of the producer epoch. */
    public static final int PRODUCER_EPOCH_OFFSET = PRODUCER_ID_OFFSET + SIZE_OF_LONG;
    /** Offset of the base sequence. */
    public static final int BASE_SEQUENCE_OFFSET = PRODUCER_EPOCH_OFFSET + SIZE_OF_SHORT;
    /** Offset of the records count. */
    public static final int RECORDS_COUNT_OFFSET = BASE_SEQUENCE_OFFSET + SIZE_OF_INT;
    /** Length of the v2 header: the smallest v2 batch. */
    public static final int HEADER_LENGTH = RECORDS_COUNT_OFFSET + SIZE_OF_INT;

    /** The current magic, the only one this package rewrites. */
    public static final byte MAGIC_V2 = 2;
    /** The attribute bit of a transactional batch. */
    public static final short TRANSACTIONAL_FLAG = 0x10;
    /** The attribute bit of a control batch (transaction markers). */
    public static final short CONTROL_FLAG = 0x20;
    /** The producer id, epoch and sequence of a batch without a producer. */
    public static final int NO_PRODUCER = -1;

    private RecordBatchDescriptor()
    {
    }
}

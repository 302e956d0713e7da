package io.kafkaproxy.protocol.records;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;

class ShadowBatchRewriterTest
{
    private static final long PRODUCER_ID = 4711L;
    private static final short PRODUCER_EPOCH = 3;
    private static final int BASE_SEQUENCE = 42;

    private final RecordBatchFlyweight batches = new RecordBatchFlyweight();
    private final ShadowBatchRewriter rewriter = new ShadowBatchRewriter();

    @ParameterizedTest
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void shouldRewriteAnIdempotentBatchIntoAValidBatchWithoutProducer(final String codec)
    {
        // Given
        final MemoryRecords records = MemoryRecords.withIdempotentRecords(
            compression(codec), PRODUCER_ID, PRODUCER_EPOCH, BASE_SEQUENCE, records(5));
        final UnsafeBuffer copy = directCopy(records);

        // When
        final int rewritten = rewriteAll(copy);

        // Then
        assertThat(rewritten).isEqualTo(1);
        final List<MutableRecordBatch> result = batchesOf(copy);
        assertThat(result).hasSize(1);
        final MutableRecordBatch batch = result.get(0);
        batch.ensureValid();
        assertThat(batch.producerId()).isEqualTo(RecordBatch.NO_PRODUCER_ID);
        assertThat(batch.producerEpoch()).isEqualTo(RecordBatch.NO_PRODUCER_EPOCH);
        assertThat(batch.baseSequence()).isEqualTo(RecordBatch.NO_SEQUENCE);
        assertThat(batch.isTransactional()).isFalse();
        assertThat(batch.compressionType().name).isEqualTo(codec);
        assertThat(values(batch)).isEqualTo(values(records.batches().iterator().next()));
    }

    @Test
    void shouldAdjustTheCrcToWhatAFullRecomputationGivesForBatchesOfEverySize()
    {
        for (final int recordCount : new int[] {1, 2, 7, 100, 3_000})
        {
            // Given
            final MemoryRecords records = MemoryRecords.withTransactionalRecords(
                Compression.NONE, PRODUCER_ID, PRODUCER_EPOCH, BASE_SEQUENCE, records(recordCount));
            final UnsafeBuffer copy = directCopy(records);
            final int length = copy.capacity();

            // When
            rewriter.rewrite(copy, 0, length);

            // Then
            final CRC32C full = new CRC32C();
            full.update(copy.byteBuffer().duplicate().position(RecordBatchDescriptor.ATTRIBUTES_OFFSET).limit(length));
            assertThat(copy.getInt(RecordBatchDescriptor.CRC_OFFSET, ByteOrder.BIG_ENDIAN)).as("records %d", recordCount)
                .isEqualTo((int)full.getValue());
        }
    }

    @Test
    void shouldLeaveABatchWhoseCrcWasWrongWrongForTheShadowToRefuseAsThePrimaryDoes()
    {
        // Given
        final MemoryRecords records = MemoryRecords.withIdempotentRecords(
            Compression.NONE, PRODUCER_ID, PRODUCER_EPOCH, BASE_SEQUENCE, records(4));
        final UnsafeBuffer copy = directCopy(records);
        copy.putByte(copy.capacity() - 1, (byte)(copy.getByte(copy.capacity() - 1) ^ 0x5A));

        // When
        rewriteAll(copy);

        // Then
        final MutableRecordBatch batch = batchesOf(copy).get(0);
        assertThat(batch.isValid()).isFalse();
    }

    @Test
    void shouldClearTheTransactionalBitAndKeepTheRecords()
    {
        // Given
        final MemoryRecords records = MemoryRecords.withTransactionalRecords(
            Compression.NONE, PRODUCER_ID, PRODUCER_EPOCH, BASE_SEQUENCE, records(3));
        final UnsafeBuffer copy = directCopy(records);

        // When
        rewriteAll(copy);

        // Then
        final MutableRecordBatch batch = batchesOf(copy).get(0);
        batch.ensureValid();
        assertThat(batch.isTransactional()).isFalse();
        assertThat(batch.producerId()).isEqualTo(RecordBatch.NO_PRODUCER_ID);
        assertThat(values(batch)).containsExactly("value-0", "value-1", "value-2");
    }

    @Test
    void shouldRewriteABatchInAHeapBufferAndBehindABareAddress()
    {
        // Given
        final MemoryRecords records = MemoryRecords.withIdempotentRecords(
            Compression.NONE, PRODUCER_ID, PRODUCER_EPOCH, BASE_SEQUENCE, records(4));
        final byte[] bytes = new byte[records.sizeInBytes() + 7];
        records.buffer().duplicate().get(bytes, 7, records.sizeInBytes());
        final UnsafeBuffer heap = new UnsafeBuffer(bytes, 7, records.sizeInBytes());
        final UnsafeBuffer direct = directCopy(records);
        final UnsafeBuffer bare = new UnsafeBuffer(direct.addressOffset(), direct.capacity());

        // When
        rewriteAll(heap);
        rewriteAll(bare);

        // Then
        final ByteBuffer heapView = ByteBuffer.wrap(bytes, 7, records.sizeInBytes()).slice();
        batchesOf(heapView).get(0).ensureValid();
        batchesOf(direct).get(0).ensureValid();
        assertThat(values(batchesOf(heapView).get(0))).containsExactly("value-0", "value-1", "value-2", "value-3");
    }

    @Test
    void shouldWalkEveryBatchOfARecordSetAndReadTheirRecordCounts()
    {
        // Given
        final ByteBuffer set = ByteBuffer.allocate(4096);
        appendBatch(set, Compression.NONE, 0, 3);
        appendBatch(set, Compression.gzip().build(), 3, 2);
        appendBatch(set, Compression.NONE, 5, 7);
        set.flip();

        // When
        final List<Integer> counts = new ArrayList<>();
        batches.wrap(new UnsafeBuffer(set), 0, set.remaining());
        while (batches.nextBatch())
        {
            counts.add(batches.recordCount());
        }

        // Then
        assertThat(counts).containsExactly(3, 2, 7);
        assertThat(batches.truncated()).isFalse();
        assertThat(batches.remainingBytes()).isZero();
    }

    @Test
    void shouldTellControlBatchesAndLegacyMagicsApartAsNotMirrorable()
    {
        // Given
        final MemoryRecords control = MemoryRecords.withEndTransactionMarker(PRODUCER_ID, PRODUCER_EPOCH,
            new EndTransactionMarker(ControlRecordType.COMMIT, 0));
        final MemoryRecords legacy = MemoryRecords.withRecords(RecordBatch.MAGIC_VALUE_V1, 0L, Compression.NONE,
            TimestampType.CREATE_TIME, records(2));

        // When
        batches.wrap(new UnsafeBuffer(control.buffer()), 0, control.sizeInBytes());
        final boolean controlRead = batches.nextBatch();
        final boolean controlMirrorable = batches.isMirrorable();
        final boolean isControl = batches.isControl();
        batches.wrap(new UnsafeBuffer(legacy.buffer()), 0, legacy.sizeInBytes());
        final List<Byte> legacyMagics = new ArrayList<>();
        boolean legacyMirrorable = false;
        while (batches.nextBatch())
        {
            legacyMagics.add(batches.magic());
            legacyMirrorable |= batches.isMirrorable();
        }

        // Then
        assertThat(controlRead).isTrue();
        assertThat(isControl).isTrue();
        assertThat(controlMirrorable).isFalse();
        assertThat(legacyMagics).containsExactly(RecordBatch.MAGIC_VALUE_V1, RecordBatch.MAGIC_VALUE_V1);
        assertThat(legacyMirrorable).isFalse();
        assertThat(batches.truncated()).isFalse();
    }

    @Test
    void shouldStopAtABatchThatRunsPastTheRecordSet()
    {
        // Given
        final MemoryRecords records = MemoryRecords.withRecords(Compression.NONE, records(3));

        // When
        batches.wrap(new UnsafeBuffer(records.buffer()), 0, records.sizeInBytes() - 1);
        final boolean read = batches.nextBatch();

        // Then
        assertThat(read).isFalse();
        assertThat(batches.truncated()).isTrue();
        assertThat(batches.remainingBytes()).isEqualTo(records.sizeInBytes() - 1);
    }

    @Test
    void shouldStopAtAHostileBatchLength()
    {
        // Given
        final UnsafeBuffer set = directCopy(MemoryRecords.withRecords(Compression.NONE, records(3)));
        set.putInt(RecordBatchDescriptor.BATCH_LENGTH_OFFSET, -5, ByteOrder.BIG_ENDIAN);

        // When
        batches.wrap(set, 0, set.capacity());
        final boolean read = batches.nextBatch();

        // Then
        assertThat(read).isFalse();
        assertThat(batches.truncated()).isTrue();
    }

    @Test
    void shouldPinTheHeaderFieldsAtTheirOffsets()
    {
        // Given
        final MemoryRecords records = MemoryRecords.withIdempotentRecords(
            Compression.NONE, PRODUCER_ID, PRODUCER_EPOCH, BASE_SEQUENCE, records(2));
        final UnsafeBuffer buffer = new UnsafeBuffer(records.buffer());

        // When
        batches.wrap(buffer, 0, records.sizeInBytes());
        batches.nextBatch();

        // Then
        assertThat(batches.magic()).isEqualTo(RecordBatch.MAGIC_VALUE_V2);
        assertThat(batches.producerId()).isEqualTo(PRODUCER_ID);
        assertThat(batches.recordCount()).isEqualTo(2);
        assertThat(batches.batchLength()).isEqualTo(records.sizeInBytes());
        assertThat(buffer.getShort(RecordBatchDescriptor.PRODUCER_EPOCH_OFFSET, ByteOrder.BIG_ENDIAN)).isEqualTo(PRODUCER_EPOCH);
        assertThat(buffer.getInt(RecordBatchDescriptor.BASE_SEQUENCE_OFFSET, ByteOrder.BIG_ENDIAN)).isEqualTo(BASE_SEQUENCE);
        assertThat(Integer.toUnsignedLong(buffer.getInt(RecordBatchDescriptor.CRC_OFFSET, ByteOrder.BIG_ENDIAN)))
            .isEqualTo(records.batches().iterator().next().checksum());
        assertThat(RecordBatchDescriptor.HEADER_LENGTH).isEqualTo(DefaultRecordBatch.RECORD_BATCH_OVERHEAD);
    }

    private int rewriteAll(final UnsafeBuffer buffer)
    {
        int rewritten = 0;
        batches.wrap(buffer, 0, buffer.capacity());
        while (batches.nextBatch())
        {
            if (batches.isMirrorable())
            {
                rewriter.rewrite(buffer, batches.batchOffset(), batches.batchLength());
                rewritten++;
            }
        }
        return rewritten;
    }

    private static void appendBatch(final ByteBuffer set, final Compression compression, final long baseOffset, final int count)
    {
        final MemoryRecordsBuilder builder = MemoryRecords.builder(set.slice(), compression, TimestampType.CREATE_TIME, baseOffset);
        for (final SimpleRecord record : records(count))
        {
            builder.append(record);
        }
        final MemoryRecords built = builder.build();
        set.position(set.position() + built.sizeInBytes());
    }

    private static Compression compression(final String codec)
    {
        return switch (codec)
        {
            case "gzip" -> Compression.gzip().build();
            case "snappy" -> Compression.snappy().build();
            case "lz4" -> Compression.lz4().build();
            case "zstd" -> Compression.zstd().build();
            default -> Compression.NONE;
        };
    }

    private static SimpleRecord[] records(final int count)
    {
        final SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++)
        {
            records[i] = new SimpleRecord(1_000L + i, ("key-" + i).getBytes(StandardCharsets.UTF_8),
                ("value-" + i).getBytes(StandardCharsets.UTF_8));
        }
        return records;
    }

    private static UnsafeBuffer directCopy(final MemoryRecords records)
    {
        final ByteBuffer direct = BufferUtil.allocateDirectAligned(
            (records.sizeInBytes() + 63) / 64 * 64, 64);
        direct.put(records.buffer().duplicate()).flip();
        return new UnsafeBuffer(direct, 0, records.sizeInBytes());
    }

    private static List<MutableRecordBatch> batchesOf(final UnsafeBuffer buffer)
    {
        final ByteBuffer view = buffer.byteBuffer().duplicate();
        view.position(buffer.wrapAdjustment()).limit(buffer.wrapAdjustment() + buffer.capacity());
        return batchesOf(view.slice());
    }

    private static List<MutableRecordBatch> batchesOf(final ByteBuffer bytes)
    {
        final List<MutableRecordBatch> result = new ArrayList<>();
        MemoryRecords.readableRecords(bytes).batches().forEach(result::add);
        return result;
    }

    private static List<String> values(final RecordBatch batch)
    {
        final List<String> values = new ArrayList<>();
        for (final Record record : batch)
        {
            final ByteBuffer value = record.value();
            final byte[] bytes = new byte[value.remaining()];
            value.get(bytes);
            values.add(new String(bytes, StandardCharsets.UTF_8));
        }
        return values;
    }
}

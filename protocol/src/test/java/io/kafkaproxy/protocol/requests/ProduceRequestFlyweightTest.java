package io.kafkaproxy.protocol.requests;

import io.kafkaproxy.protocol.WireFixtures;
import io.kafkaproxy.protocol.responses.ProxyApiVersions;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.protocol.wire.KafkaWireReader;
import io.kafkaproxy.protocol.wire.MalformedFrameException;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.types.RawTaggedField;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static org.agrona.BitUtil.SIZE_OF_SHORT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProduceRequestFlyweightTest
{
    private static final short HIGHEST_VERSION = ProxyApiVersions.highestDecodedVersion(ApiKeyIds.PRODUCE);
    private static final short FIRST_FLEXIBLE_VERSION = 9;
    private static final String TRANSACTIONAL_ID = "txn-\u00e9";

    private final ProduceRequestFlyweight produce = new ProduceRequestFlyweight();

    @ParameterizedTest
    @ValueSource(shorts = {-1, 0, 1})
    void shouldReadAcksOfEveryVersionKafkaWrites(final short acks)
    {
        for (short version = ApiKeys.PRODUCE.oldestVersion(); version <= ApiKeys.PRODUCE.latestVersion(true); version++)
        {
            // Given
            final ProduceRequestData data = new ProduceRequestData()
                .setAcks(acks)
                .setTimeoutMs(30000)
                .setTransactionalId(version % 2 == 0 ? "txn-\u00e9" : null);
            final UnsafeBuffer buffer = WireFixtures.serialize(data, version);

            // When
            produce.wrap(buffer, WireFixtures.BODY_OFFSET, WireFixtures.bodyLength(data, version), version);

            // Then
            assertThat(produce.acks()).as("v%d", version).isEqualTo(acks);
        }
    }

    @Test
    void shouldReadAcksOfVersionsBeforeTransactions()
    {
        // Given: Produce v0-v2 start with acks
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[10]);
        buffer.putShort(0, (short)0, ByteOrder.BIG_ENDIAN);
        buffer.putInt(2, 1000, ByteOrder.BIG_ENDIAN);
        buffer.putInt(6, 0, ByteOrder.BIG_ENDIAN);

        // When
        produce.wrap(buffer, 0, 10, (short)2);

        // Then
        assertThat(produce.acks()).isEqualTo(ProduceRequestFlyweight.ACKS_NONE);
        assertThat(produce.timeoutMs()).isEqualTo(1000);
        assertThat(produce.transactionalIdLength()).isEqualTo(KafkaWireReader.NULL_LENGTH);
        assertThat(produce.topicCount()).isZero();
        assertThat(produce.nextTopic()).isFalse();
    }

    @Test
    void shouldReadEveryFieldOfAClassicRequestByteByByte()
    {
        // Given: v3, transactional id "tx", acks -1, timeout 0x01020304, one topic "ab" with one partition of 3 bytes
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        int position = 5;
        buffer.putShort(position, (short)2, ByteOrder.BIG_ENDIAN);
        buffer.putByte(position + 2, (byte)'t');
        buffer.putByte(position + 3, (byte)'x');
        buffer.putShort(position + 4, (short)-1, ByteOrder.BIG_ENDIAN);
        buffer.putInt(position + 6, 0x01020304, ByteOrder.BIG_ENDIAN);
        buffer.putInt(position + 10, 1, ByteOrder.BIG_ENDIAN);
        buffer.putShort(position + 14, (short)2, ByteOrder.BIG_ENDIAN);
        buffer.putByte(position + 16, (byte)'a');
        buffer.putByte(position + 17, (byte)'b');
        buffer.putInt(position + 18, 1, ByteOrder.BIG_ENDIAN);
        buffer.putInt(position + 22, 0x7F000001, ByteOrder.BIG_ENDIAN);
        buffer.putInt(position + 26, 3, ByteOrder.BIG_ENDIAN);
        final int length = 26 + 4 + 3;

        // When
        produce.wrap(buffer, position, length, (short)3);
        final boolean hasTopic = produce.nextTopic();

        // Then
        assertThat(produce.transactionalIdOffset()).isEqualTo(position + 2);
        assertThat(produce.transactionalIdLength()).isEqualTo(2);
        assertThat(produce.acks()).isEqualTo((short)-1);
        assertThat(produce.timeoutMs()).isEqualTo(0x01020304);
        assertThat(produce.topicCount()).isEqualTo(1);
        assertThat(hasTopic).isTrue();
        assertThat(produce.namesTopicsById()).isFalse();
        assertThat(produce.topicNameOffset()).isEqualTo(position + 16);
        assertThat(produce.topicNameLength()).isEqualTo(2);
        assertThat(produce.partitionCount()).isEqualTo(1);
        assertThat(produce.recordBytes()).isEqualTo(3);
        assertThat(produce.nextTopic()).isFalse();
    }

    @Test
    void shouldWalkEveryTopicOfEveryVersion()
    {
        for (short version = 0; version <= HIGHEST_VERSION; version++)
        {
            // Given
            final ProduceRequestData data = request(version);
            final UnsafeBuffer buffer = serialize(data, version);

            // When
            produce.wrap(buffer, WireFixtures.BODY_OFFSET, bodyLength(data, version), version);
            final List<String> walked = walk(buffer);

            // Then
            final ProduceRequestData expected = roundTrip(data, version);
            assertThat(produce.namesTopicsById()).as("v%d", version).isEqualTo(version >= 13);
            assertThat(produce.topicCount()).as("v%d", version).isEqualTo(expected.topicData().size());
            assertThat(walked).as("v%d", version).containsExactlyElementsOf(describe(expected, version));
            assertThat(produce.nextTopic()).as("v%d", version).isFalse();
        }
    }

    @Test
    void shouldRecordTopicEntriesThatTileTheTopicArrayOfEveryVersion()
    {
        for (short version = 0; version <= HIGHEST_VERSION; version++)
        {
            // Given
            final ProduceRequestData data = request(version);
            final UnsafeBuffer buffer = serialize(data, version);
            final int bodyLength = bodyLength(data, version);

            // When
            produce.wrap(buffer, WireFixtures.BODY_OFFSET, bodyLength, version);
            final int firstEntryOffset = produce.topicEntryOffset();
            final List<Integer> gaps = new ArrayList<>();
            int end = firstEntryOffset;
            while (produce.nextTopic())
            {
                gaps.add(produce.topicEntryOffset() - end);
                end = produce.topicEntryOffset() + produce.topicEntryLength();
            }

            // Then: the first entry follows the count, each next one starts where the one before ended, and only the
            // request's empty tagged fields (one byte) follow the last
            final boolean flexible = version >= FIRST_FLEXIBLE_VERSION;
            assertThat(firstEntryOffset - produce.topicArrayOffset()).as("v%d", version).isEqualTo(flexible ? 1 : 4);
            assertThat(gaps).as("v%d", version).hasSize(data.topicData().size()).containsOnly(0);
            assertThat(WireFixtures.BODY_OFFSET + bodyLength - end).as("v%d", version).isEqualTo(flexible ? 1 : 0);
        }
    }

    @Test
    void shouldWalkEveryTopicOfAProduceRequestV9WithTaggedFieldsEverywhere()
    {
        for (short version = FIRST_FLEXIBLE_VERSION; version <= HIGHEST_VERSION; version++)
        {
            // Given
            final ProduceRequestData data = request(version);
            data.unknownTaggedFields().add(new RawTaggedField(7, new byte[] {1, 2, 3}));
            for (final TopicProduceData topic : data.topicData())
            {
                topic.unknownTaggedFields().add(new RawTaggedField(3, new byte[200]));
                for (final PartitionProduceData partition : topic.partitionData())
                {
                    partition.unknownTaggedFields().add(new RawTaggedField(1, new byte[] {9}));
                    partition.unknownTaggedFields().add(new RawTaggedField(2, new byte[0]));
                }
            }
            final UnsafeBuffer buffer = WireFixtures.serialize(data, version);

            // When
            produce.wrap(buffer, WireFixtures.BODY_OFFSET, WireFixtures.bodyLength(data, version), version);
            final List<String> walked = walk(buffer);

            // Then
            assertThat(walked).as("v%d", version)
                .containsExactlyElementsOf(describe(WireFixtures.roundTrip(data, version, ProduceRequestData::new), version));
        }
    }

    @Test
    void shouldPointAtTheTransactionalIdOfEveryTransactionalVersion()
    {
        for (short version = 3; version <= HIGHEST_VERSION; version++)
        {
            // Given
            final ProduceRequestData data = request(version);
            final UnsafeBuffer buffer = WireFixtures.serialize(data, version);

            // When
            produce.wrap(buffer, WireFixtures.BODY_OFFSET, WireFixtures.bodyLength(data, version), version);

            // Then
            assertThat(buffer.getStringWithoutLengthUtf8(produce.transactionalIdOffset(), produce.transactionalIdLength()))
                .as("v%d", version).isEqualTo(TRANSACTIONAL_ID);
        }
    }

    @Test
    void shouldReportNullTransactionalIdAsNullLength()
    {
        for (final short version : new short[] {3, 8, 9, 13})
        {
            // Given
            final ProduceRequestData data = request(version).setTransactionalId(null);
            final UnsafeBuffer buffer = WireFixtures.serialize(data, version);

            // When
            produce.wrap(buffer, WireFixtures.BODY_OFFSET, WireFixtures.bodyLength(data, version), version);

            // Then
            assertThat(produce.transactionalIdLength()).as("v%d", version).isEqualTo(KafkaWireReader.NULL_LENGTH);
        }
    }

    @Test
    void shouldWalkARequestWithNoTopics()
    {
        for (final short version : new short[] {3, 9, 13})
        {
            // Given
            final ProduceRequestData data = new ProduceRequestData().setAcks((short)1).setTimeoutMs(5);
            final UnsafeBuffer buffer = WireFixtures.serialize(data, version);

            // When
            produce.wrap(buffer, WireFixtures.BODY_OFFSET, WireFixtures.bodyLength(data, version), version);

            // Then
            assertThat(produce.topicCount()).isZero();
            assertThat(produce.nextTopic()).isFalse();
        }
    }

    @Test
    void shouldRejectEveryTruncationOfTheBody()
    {
        for (final short version : new short[] {0, 3, 8, 9, 12, 13})
        {
            // Given
            final ProduceRequestData data = request(version);
            final UnsafeBuffer buffer = serialize(data, version);
            final int bodyLength = bodyLength(data, version);

            for (int length = 0; length < bodyLength; length++)
            {
                final int truncatedLength = length;

                // When / Then
                assertThatThrownBy(() ->
                {
                    produce.wrap(buffer, WireFixtures.BODY_OFFSET, truncatedLength, version);
                    walk(buffer);
                }).as("v%d cut at %d", version, length).isInstanceOf(MalformedFrameException.class);
            }
        }
    }

    @Test
    void shouldRejectNegativeRecordsLength()
    {
        // Given: v3, no transactional id, acks 1, one topic "a" with one partition whose records claim -2 bytes
        final UnsafeBuffer buffer = classicBody(1);
        buffer.putInt(23, -2, ByteOrder.BIG_ENDIAN);
        produce.wrap(buffer, 0, buffer.capacity(), (short)3);

        // When / Then
        assertThatThrownBy(produce::nextTopic)
            .isInstanceOf(MalformedFrameException.class)
            .hasMessage("negative length: field=records, length=-2");
    }

    @Test
    void shouldRejectNullTopicName()
    {
        // Given
        final UnsafeBuffer buffer = classicBody(1);
        buffer.putShort(12, (short)-1, ByteOrder.BIG_ENDIAN);
        produce.wrap(buffer, 0, buffer.capacity(), (short)3);

        // When / Then
        assertThatThrownBy(produce::nextTopic)
            .isInstanceOf(MalformedFrameException.class)
            .hasMessage("null where the schema allows none: field=name");
    }

    @Test
    void shouldRejectPartitionCountLargerThanTheBytesLeft()
    {
        // Given
        final UnsafeBuffer buffer = classicBody(1);
        buffer.putInt(15, 1_000_000, ByteOrder.BIG_ENDIAN);
        produce.wrap(buffer, 0, buffer.capacity(), (short)3);

        // When / Then
        assertThatThrownBy(produce::nextTopic)
            .isInstanceOf(MalformedFrameException.class)
            .hasMessageContaining("field=partition_data");
    }

    @Test
    void shouldRejectTopicCountLargerThanTheBytesLeft()
    {
        // Given
        final UnsafeBuffer buffer = classicBody(1);
        buffer.putInt(8, Integer.MAX_VALUE, ByteOrder.BIG_ENDIAN);

        // When / Then
        assertThatThrownBy(() -> produce.wrap(buffer, 0, buffer.capacity(), (short)3))
            .isInstanceOf(MalformedFrameException.class)
            .hasMessageContaining("field=topic_data");
    }

    @Test
    void shouldRejectTruncatedProduceRequest()
    {
        // Given: a v3 body whose transactional id claims more bytes than there are
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4]);
        buffer.putShort(0, (short)50, ByteOrder.BIG_ENDIAN);

        // When / Then
        assertThatThrownBy(() -> produce.wrap(buffer, 0, 4, (short)3))
            .isInstanceOf(MalformedFrameException.class)
            .hasMessageContaining("field=transactional_id");
    }

    @Test
    void shouldWalkWithoutAllocating()
    {
        // Given
        final short version = 11;
        final ProduceRequestData data = request(version);
        final UnsafeBuffer buffer = WireFixtures.serialize(data, version);
        final int bodyLength = WireFixtures.bodyLength(data, version);
        final int runs = 20_000;

        // When
        final long allocated = WireFixtures.allocatedBytes(runs, () ->
        {
            produce.wrap(buffer, WireFixtures.BODY_OFFSET, bodyLength, version);
            while (produce.nextTopic())
            {
                produce.recordBytes();
            }
        });

        // Then: well under one byte per walk, so no walk allocates an object
        assertThat(allocated).isLessThan(runs);
    }

    /**
     * The body of a request; kafka-clients 4 writes no Produce below v3, and v0-v2 are v3 without the leading
     * transactional_id (here null, so two bytes).
     */
    private static UnsafeBuffer serialize(final ProduceRequestData data, final short version)
    {
        return version >= 3 ? WireFixtures.serialize(data, version) :
            WireFixtures.serializeWithout(data.duplicate().setTransactionalId(null), (short)3, 0, SIZE_OF_SHORT);
    }

    private static int bodyLength(final ProduceRequestData data, final short version)
    {
        return version >= 3 ? WireFixtures.bodyLength(data, version) :
            WireFixtures.bodyLength(data.duplicate().setTransactionalId(null), (short)3) - SIZE_OF_SHORT;
    }

    private static ProduceRequestData roundTrip(final ProduceRequestData data, final short version)
    {
        return WireFixtures.roundTrip(data, (short)Math.max(version, 3), ProduceRequestData::new);
    }

    /**
     * A v3 body with no transactional id, one topic "a" and {@code partitions} partitions of 0 bytes of records:
     * txn_id@0 acks@2 timeout@4 topic_count@8 name@12 partition_count@15 then index, records length per partition.
     */
    private static UnsafeBuffer classicBody(final int partitions)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[19 + 8 * partitions]);
        buffer.putShort(0, (short)-1, ByteOrder.BIG_ENDIAN);
        buffer.putShort(2, (short)1, ByteOrder.BIG_ENDIAN);
        buffer.putInt(4, 1000, ByteOrder.BIG_ENDIAN);
        buffer.putInt(8, 1, ByteOrder.BIG_ENDIAN);
        buffer.putShort(12, (short)1, ByteOrder.BIG_ENDIAN);
        buffer.putByte(14, (byte)'a');
        buffer.putInt(15, partitions, ByteOrder.BIG_ENDIAN);
        for (int i = 0; i < partitions; i++)
        {
            buffer.putInt(19 + 8 * i, i, ByteOrder.BIG_ENDIAN);
            buffer.putInt(23 + 8 * i, 0, ByteOrder.BIG_ENDIAN);
        }
        return buffer;
    }

    private List<String> walk(final DirectBuffer buffer)
    {
        final List<String> walked = new ArrayList<>();
        while (produce.nextTopic())
        {
            final String name = produce.topicNameLength() < 0 ? null :
                buffer.getStringWithoutLengthUtf8(produce.topicNameOffset(), produce.topicNameLength());
            walked.add(topic(name, new Uuid(produce.topicIdMostSignificantBits(), produce.topicIdLeastSignificantBits()),
                produce.partitionCount(), produce.recordBytes()));
        }
        return walked;
    }

    private static List<String> describe(final ProduceRequestData expected, final short version)
    {
        final List<String> topics = new ArrayList<>();
        for (final TopicProduceData topic : expected.topicData())
        {
            int bytes = 0;
            for (final PartitionProduceData partition : topic.partitionData())
            {
                bytes += partition.records() == null ? 0 : partition.records().sizeInBytes();
            }
            topics.add(topic(version >= 13 ? null : topic.name(), topic.topicId(), topic.partitionData().size(), bytes));
        }
        return topics;
    }

    private static String topic(final String name, final Uuid id, final int partitions, final int recordBytes)
    {
        return "name=" + name + ", id=" + id + ", partitions=" + partitions + ", recordBytes=" + recordBytes;
    }

    private static ProduceRequestData request(final short version)
    {
        final ProduceRequestData data = new ProduceRequestData()
            .setAcks((short)-1)
            .setTimeoutMs(30000)
            .setTransactionalId(version >= 3 ? TRANSACTIONAL_ID : null);
        data.topicData().add(new TopicProduceData()
            .setName("orders")
            .setTopicId(new Uuid(0x0123456789ABCDEFL, 0x7EDCBA9876543210L))
            .setPartitionData(List.of(
                partition(0, records(100)),
                partition(1, null),
                partition(2, records(1024)))));
        data.topicData().add(new TopicProduceData()
            .setName("payments-\u00e9-" + "x".repeat(120))
            .setTopicId(new Uuid(-1L, 42L))
            .setPartitionData(List.of(partition(7, MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord(new byte[10]), new SimpleRecord(new byte[300]), new SimpleRecord(new byte[5]))))));
        data.topicData().add(new TopicProduceData()
            .setName("no-partitions")
            .setTopicId(new Uuid(5L, 6L)));
        data.topicData().add(new TopicProduceData()
            .setName("empty-records")
            .setTopicId(new Uuid(7L, 8L))
            .setPartitionData(List.of(partition(0, MemoryRecords.EMPTY), partition(1, null))));
        return data;
    }

    private static PartitionProduceData partition(final int index, final MemoryRecords records)
    {
        return new PartitionProduceData().setIndex(index).setRecords(records);
    }

    private static MemoryRecords records(final int valueLength)
    {
        return MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(new byte[valueLength]));
    }
}

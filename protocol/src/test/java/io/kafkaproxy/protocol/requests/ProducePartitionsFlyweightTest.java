package io.kafkaproxy.protocol.requests;

import io.kafkaproxy.protocol.WireFixtures;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ProducePartitionsFlyweightTest
{
    private final ProduceRequestFlyweight produce = new ProduceRequestFlyweight();
    private final ProducePartitionsFlyweight partitions = new ProducePartitionsFlyweight();

    @Test
    void shouldFindEveryPartitionsRecordSetInEveryVersion()
    {
        for (short version = 3; version <= ApiKeys.PRODUCE.latestVersion(true); version++)
        {
            // Given
            final MemoryRecords first = MemoryRecords.withRecords(Compression.NONE, record("a"));
            final MemoryRecords second = MemoryRecords.withRecords(Compression.NONE, record("bb"), record("ccc"));
            final TopicProduceData topic = new TopicProduceData().setPartitionData(List.of(
                new PartitionProduceData().setIndex(3).setRecords(first),
                new PartitionProduceData().setIndex(7).setRecords(null),
                new PartitionProduceData().setIndex(9).setRecords(second)));
            if (version >= 13)
            {
                topic.setTopicId(Uuid.randomUuid());
            }
            else
            {
                topic.setName("orders");
            }
            final ProduceRequestData data = new ProduceRequestData().setAcks((short)1).setTimeoutMs(1000)
                .setTopicData(new ProduceRequestData.TopicProduceDataCollection(List.of(topic).iterator()));
            final UnsafeBuffer buffer = WireFixtures.serialize(data, version);
            produce.wrap(buffer, WireFixtures.BODY_OFFSET, WireFixtures.bodyLength(data, version), version);
            produce.nextTopic();

            // When
            partitions.wrap(buffer, produce.topicEntryOffset(), produce.topicEntryLength(), version);
            final List<Integer> indexes = new ArrayList<>();
            final List<ByteBuffer> recordSets = new ArrayList<>();
            while (partitions.nextPartition())
            {
                indexes.add(partitions.partitionIndex());
                if (partitions.recordsLength() > 0)
                {
                    final byte[] bytes = new byte[partitions.recordsLength()];
                    buffer.getBytes(partitions.recordsOffset(), bytes);
                    recordSets.add(ByteBuffer.wrap(bytes));
                }
            }

            // Then
            assertThat(indexes).as("v%d", version).containsExactly(3, 7, 9);
            assertThat(recordSets).as("v%d", version).containsExactly(first.buffer(), second.buffer());
        }
    }

    private static SimpleRecord record(final String value)
    {
        return new SimpleRecord(value.getBytes(StandardCharsets.UTF_8));
    }
}

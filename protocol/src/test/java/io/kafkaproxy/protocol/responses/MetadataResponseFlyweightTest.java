package io.kafkaproxy.protocol.responses;

import io.kafkaproxy.protocol.WireFixtures;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.protocol.wire.KafkaWireWriter;
import io.kafkaproxy.protocol.wire.MalformedFrameException;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.types.RawTaggedField;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MetadataResponseFlyweightTest
{
    private static final short HIGHEST_VERSION = ProxyApiVersions.highestDecodedVersion(ApiKeyIds.METADATA);

    private final MetadataResponseFlyweight metadata = new MetadataResponseFlyweight();

    @Test
    void shouldWalkEveryTopicOfEveryVersion()
    {
        for (short version = ApiKeys.METADATA.oldestVersion(); version <= HIGHEST_VERSION; version++)
        {
            // Given
            final MetadataResponseData data = response(version);
            final UnsafeBuffer buffer = WireFixtures.serialize(data, version);

            // When
            metadata.wrap(buffer, WireFixtures.BODY_OFFSET, WireFixtures.bodyLength(data, version), version);
            final List<String> walked = walk(buffer);

            // Then
            final MetadataResponseData expected = WireFixtures.roundTrip(data, version, MetadataResponseData::new);
            assertThat(metadata.topicCount()).as("v%d", version).isEqualTo(expected.topics().size());
            assertThat(walked).as("v%d", version).containsExactlyElementsOf(describe(expected));
            assertThat(metadata.nextTopic()).as("v%d", version).isFalse();
        }
    }

    @Test
    void shouldSkipTaggedFieldsOfBrokersTopicsAndPartitions()
    {
        for (short version = 9; version <= HIGHEST_VERSION; version++)
        {
            // Given
            final MetadataResponseData data = response(version);
            data.brokers().forEach(broker -> broker.unknownTaggedFields().add(new RawTaggedField(4, new byte[] {1})));
            for (final MetadataResponseTopic topic : data.topics())
            {
                topic.unknownTaggedFields().add(new RawTaggedField(2, new byte[150]));
                topic.partitions().forEach(partition ->
                    partition.unknownTaggedFields().add(new RawTaggedField(6, new byte[] {1, 2, 3})));
            }
            final UnsafeBuffer buffer = WireFixtures.serialize(data, version);

            // When
            metadata.wrap(buffer, WireFixtures.BODY_OFFSET, WireFixtures.bodyLength(data, version), version);
            final List<String> walked = walk(buffer);

            // Then
            assertThat(walked).as("v%d", version)
                .containsExactlyElementsOf(describe(WireFixtures.roundTrip(data, version, MetadataResponseData::new)));
        }
    }

    @Test
    void shouldGiveTheByteRangeOfEachTopicSoThatItCanBeDropped()
    {
        for (short version = ApiKeys.METADATA.oldestVersion(); version <= HIGHEST_VERSION; version++)
        {
            // Given
            final MetadataResponseData data = response(version);
            final UnsafeBuffer buffer = WireFixtures.serialize(data, version);
            final int bodyLength = WireFixtures.bodyLength(data, version);
            final boolean flexible = version >= 9;

            // When: copy the body without its second topic, with the topic count lowered by one
            metadata.wrap(buffer, WireFixtures.BODY_OFFSET, bodyLength, version);
            final ExpandableArrayBuffer copy = new ExpandableArrayBuffer();
            copy.putBytes(0, buffer, WireFixtures.BODY_OFFSET, metadata.topicArrayOffset() - WireFixtures.BODY_OFFSET);
            final KafkaWireWriter writer = new KafkaWireWriter()
                .wrap(copy, metadata.topicArrayOffset() - WireFixtures.BODY_OFFSET)
                .writeArrayLength(flexible, metadata.topicCount() - 1);
            int index = 0;
            int end = 0;
            while (metadata.nextTopic())
            {
                if (index++ != 1)
                {
                    writer.writeBytes(buffer, metadata.topicEntryOffset(), metadata.topicEntryLength());
                }
                end = metadata.topicEntryOffset() + metadata.topicEntryLength();
            }
            writer.writeBytes(buffer, end, WireFixtures.BODY_OFFSET + bodyLength - end);

            // Then
            final MetadataResponseData actual = new MetadataResponseData(
                WireFixtures.accessor(ByteBuffer.wrap(copy.byteArray(), 0, writer.position())), version);
            final MetadataResponseData expected = WireFixtures.roundTrip(data, version, MetadataResponseData::new);
            final List<MetadataResponseTopic> expectedTopics = new ArrayList<>(expected.topics());
            expectedTopics.remove(1);
            assertThat(new ArrayList<>(actual.topics())).as("v%d", version).isEqualTo(expectedTopics);
            assertThat(actual.brokers()).as("v%d", version).isEqualTo(expected.brokers());
            assertThat(actual.clusterId()).as("v%d", version).isEqualTo(expected.clusterId());
            assertThat(actual.clusterAuthorizedOperations()).as("v%d", version)
                .isEqualTo(expected.clusterAuthorizedOperations());
            assertThat(actual.errorCode()).as("v%d", version).isEqualTo(expected.errorCode());
        }
    }

    @Test
    void shouldReadEveryTopicFieldOfV1ByteByByte()
    {
        // Given: v1, no brokers, null-free cluster fields, one internal topic "ab" with error 0x0102 and no partitions
        final int offset = 6;
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[32]);
        buffer.putInt(offset, 0, ByteOrder.BIG_ENDIAN);
        buffer.putInt(offset + 4, 7, ByteOrder.BIG_ENDIAN);
        buffer.putInt(offset + 8, 1, ByteOrder.BIG_ENDIAN);
        buffer.putShort(offset + 12, (short)0x0102, ByteOrder.BIG_ENDIAN);
        buffer.putShort(offset + 14, (short)2, ByteOrder.BIG_ENDIAN);
        buffer.putByte(offset + 16, (byte)'a');
        buffer.putByte(offset + 17, (byte)'b');
        buffer.putByte(offset + 18, (byte)1);
        buffer.putInt(offset + 19, 0, ByteOrder.BIG_ENDIAN);

        // When
        metadata.wrap(buffer, offset, 23, (short)1);
        final boolean hasTopic = metadata.nextTopic();

        // Then
        assertThat(metadata.topicArrayOffset()).isEqualTo(offset + 8);
        assertThat(metadata.topicCount()).isEqualTo(1);
        assertThat(hasTopic).isTrue();
        assertThat(metadata.topicEntryOffset()).isEqualTo(offset + 12);
        assertThat(metadata.topicEntryLength()).isEqualTo(11);
        assertThat(metadata.topicErrorCode()).isEqualTo((short)0x0102);
        assertThat(metadata.topicNameOffset()).isEqualTo(offset + 16);
        assertThat(metadata.topicNameLength()).isEqualTo(2);
        assertThat(metadata.isInternal()).isTrue();
        assertThat(metadata.partitionCount()).isZero();
        assertThat(metadata.nextTopic()).isFalse();
    }

    @Test
    void shouldRejectEveryTruncationBeforeTheEndOfTheTopics()
    {
        for (short version = ApiKeys.METADATA.oldestVersion(); version <= HIGHEST_VERSION; version++)
        {
            // Given
            final short walkedVersion = version;
            final MetadataResponseData data = response(version);
            final UnsafeBuffer buffer = WireFixtures.serialize(data, version);
            final int endOfTopics = WireFixtures.bodyLength(data, version) - lengthAfterTopics(version);

            for (int length = 0; length < endOfTopics; length++)
            {
                final int truncatedLength = length;

                // When / Then
                assertThatThrownBy(() ->
                {
                    metadata.wrap(buffer, WireFixtures.BODY_OFFSET, truncatedLength, walkedVersion);
                    walk(buffer);
                }).as("v%d cut at %d", version, length).isInstanceOf(MalformedFrameException.class);
            }
            metadata.wrap(buffer, WireFixtures.BODY_OFFSET, endOfTopics, version);
            assertThat(walk(buffer)).as("v%d", version).hasSize(data.topics().size());
        }
    }

    @Test
    void shouldRejectNullTopicNameBeforeV12()
    {
        // Given: the v1 body of the byte-level test, with a null name
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[32]);
        buffer.putInt(4, 1, ByteOrder.BIG_ENDIAN);
        buffer.putInt(8, 1, ByteOrder.BIG_ENDIAN);
        buffer.putShort(14, (short)-1, ByteOrder.BIG_ENDIAN);
        metadata.wrap(buffer, 0, 32, (short)1);

        // When / Then
        assertThatThrownBy(metadata::nextTopic)
            .isInstanceOf(MalformedFrameException.class)
            .hasMessage("null where the schema allows none: field=name");
    }

    @Test
    void shouldRejectNegativeHostLength()
    {
        // Given: v0 with one broker whose host length is -3
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[32]);
        buffer.putInt(0, 1, ByteOrder.BIG_ENDIAN);
        buffer.putShort(8, (short)-3, ByteOrder.BIG_ENDIAN);

        // When / Then
        assertThatThrownBy(() -> metadata.wrap(buffer, 0, 32, (short)0))
            .isInstanceOf(MalformedFrameException.class)
            .hasMessage("negative length: field=host, length=-3");
    }

    @Test
    void shouldRejectReplicaCountLargerThanTheBytesLeft()
    {
        // Given: v0, no brokers, one topic "t" with one partition claiming 20 replicas in 40 bytes
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[27 + 40]);
        buffer.putInt(4, 1, ByteOrder.BIG_ENDIAN);
        buffer.putShort(10, (short)1, ByteOrder.BIG_ENDIAN);
        buffer.putInt(13, 1, ByteOrder.BIG_ENDIAN);
        buffer.putInt(27, 20, ByteOrder.BIG_ENDIAN);
        metadata.wrap(buffer, 0, buffer.capacity(), (short)0);

        // When / Then
        assertThatThrownBy(metadata::nextTopic)
            .isInstanceOf(MalformedFrameException.class)
            .hasMessage("field runs past the end of the frame: field=replica_nodes, needed=80, remaining=36");
    }

    @Test
    void shouldWalkWithoutAllocating()
    {
        // Given
        final short version = 12;
        final MetadataResponseData data = response(version);
        final UnsafeBuffer buffer = WireFixtures.serialize(data, version);
        final int bodyLength = WireFixtures.bodyLength(data, version);
        final int runs = 20_000;

        // When
        final long allocated = WireFixtures.allocatedBytes(runs, () ->
        {
            metadata.wrap(buffer, WireFixtures.BODY_OFFSET, bodyLength, version);
            while (metadata.nextTopic())
            {
                metadata.topicEntryLength();
            }
        });

        // Then: well under one byte per walk, so no walk allocates an object
        assertThat(allocated).isLessThan(runs);
    }

    /**
     * The fields after the topics: cluster_authorized_operations (v8-v10), error_code (v13+), tagged fields (v9+).
     */
    private static int lengthAfterTopics(final short version)
    {
        int length = version >= 8 && version <= 10 ? 4 : 0;
        length += version >= 13 ? 2 : 0;
        return length + (version >= 9 ? 1 : 0);
    }

    private List<String> walk(final DirectBuffer buffer)
    {
        final List<String> walked = new ArrayList<>();
        while (metadata.nextTopic())
        {
            final String name = metadata.topicNameLength() < 0 ? null :
                buffer.getStringWithoutLengthUtf8(metadata.topicNameOffset(), metadata.topicNameLength());
            walked.add(topic(metadata.topicErrorCode(), name,
                new Uuid(metadata.topicIdMostSignificantBits(), metadata.topicIdLeastSignificantBits()),
                metadata.isInternal(), metadata.partitionCount()));
        }
        return walked;
    }

    private static List<String> describe(final MetadataResponseData expected)
    {
        final List<String> topics = new ArrayList<>();
        for (final MetadataResponseTopic topic : expected.topics())
        {
            topics.add(topic(topic.errorCode(), topic.name(), topic.topicId(), topic.isInternal(), topic.partitions().size()));
        }
        return topics;
    }

    private static String topic(
        final short errorCode, final String name, final Uuid id, final boolean internal, final int partitions)
    {
        return "error=" + errorCode + ", name=" + name + ", id=" + id + ", internal=" + internal +
            ", partitions=" + partitions;
    }

    private static MetadataResponseData response(final short version)
    {
        final MetadataResponseData data = new MetadataResponseData()
            .setThrottleTimeMs(5)
            .setClusterId("cluster-a")
            .setControllerId(2)
            .setClusterAuthorizedOperations(version >= 8 && version <= 10 ? 0x0F0F : Integer.MIN_VALUE);
        for (int node = 1; node <= 3; node++)
        {
            data.brokers().add(new MetadataResponseBroker()
                .setNodeId(node)
                .setHost("broker-" + node + ".internal")
                .setPort(9092)
                .setRack(node == 2 ? null : "rack-" + node));
        }
        data.topics().add(new MetadataResponseTopic()
            .setName("orders")
            .setTopicId(new Uuid(0x0123456789ABCDEFL, 0x7EDCBA9876543210L))
            .setTopicAuthorizedOperations(version >= 8 ? 0x0AAA : Integer.MIN_VALUE)
            .setPartitions(List.of(partition(0, List.of(1, 2, 3), List.of()), partition(1, List.of(2, 3), List.of(3)),
                partition(2, List.of(3, 1), List.of()))));
        data.topics().add(new MetadataResponseTopic()
            .setName("__consumer_offsets")
            .setTopicId(new Uuid(-1L, 42L))
            .setIsInternal(true)
            .setPartitions(List.of(partition(0, List.of(1), List.of()))));
        data.topics().add(new MetadataResponseTopic()
            .setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
            .setName("missing-\u00e9-" + "x".repeat(140)));
        if (version >= 12)
        {
            data.topics().add(new MetadataResponseTopic()
                .setErrorCode(Errors.UNKNOWN_TOPIC_ID.code())
                .setName(null)
                .setTopicId(new Uuid(5L, 6L)));
        }
        return data;
    }

    private static MetadataResponsePartition partition(final int index, final List<Integer> replicas, final List<Integer> offline)
    {
        return new MetadataResponsePartition()
            .setPartitionIndex(index)
            .setLeaderId(replicas.get(0))
            .setLeaderEpoch(7)
            .setReplicaNodes(replicas)
            .setIsrNodes(replicas.subList(0, 1))
            .setOfflineReplicas(offline);
    }
}

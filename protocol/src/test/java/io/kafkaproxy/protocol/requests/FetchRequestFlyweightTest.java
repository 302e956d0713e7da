package io.kafkaproxy.protocol.requests;

import io.kafkaproxy.protocol.WireFixtures;
import io.kafkaproxy.protocol.responses.ProxyApiVersions;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.protocol.wire.MalformedFrameException;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchRequestData.ForgottenTopic;
import org.apache.kafka.common.message.FetchRequestData.ReplicaState;
import org.apache.kafka.common.protocol.types.RawTaggedField;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static org.agrona.BitUtil.SIZE_OF_BYTE;
import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FetchRequestFlyweightTest
{
    private static final short HIGHEST_VERSION = ProxyApiVersions.highestDecodedVersion(ApiKeyIds.FETCH);
    private static final short LOWEST_WRITTEN_VERSION = 4;
    private static final int MAX_BYTES_OFFSET = 12;
    private static final FetchRequestData DEFAULTS = new FetchRequestData();

    private final FetchRequestFlyweight fetch = new FetchRequestFlyweight();

    @Test
    void shouldReadTheLeadingFieldsAndWalkEveryTopicOfEveryVersion()
    {
        for (short version = 0; version <= HIGHEST_VERSION; version++)
        {
            // Given
            final FetchRequestData data = request(version, true);
            final UnsafeBuffer buffer = serialize(data, version);

            // When
            fetch.wrap(buffer, WireFixtures.BODY_OFFSET, bodyLength(data, version), version);
            final List<String> walked = walk(buffer);

            // Then
            final FetchRequestData expected = roundTrip(data, version);
            assertThat(fetch.replicaId()).as("v%d", version).isEqualTo(expected.replicaId());
            assertThat(fetch.maxWaitMs()).as("v%d", version).isEqualTo(expected.maxWaitMs());
            assertThat(fetch.minBytes()).as("v%d", version).isEqualTo(expected.minBytes());
            assertThat(fetch.maxBytes()).as("v%d", version).isEqualTo(expected.maxBytes());
            assertThat(fetch.isolationLevel()).as("v%d", version).isEqualTo(expected.isolationLevel());
            assertThat(fetch.sessionId()).as("v%d", version).isEqualTo(expected.sessionId());
            assertThat(fetch.sessionEpoch()).as("v%d", version).isEqualTo(expected.sessionEpoch());
            assertThat(fetch.namesTopicsById()).as("v%d", version).isEqualTo(version >= 13);
            assertThat(fetch.topicCount()).as("v%d", version).isEqualTo(expected.topics().size());
            assertThat(walked).as("v%d", version).containsExactlyElementsOf(describe(expected, version));
            assertThat(fetch.nextTopic()).as("v%d", version).isFalse();
        }
    }

    @Test
    void shouldReportReplicaIdOfAFollowerUpToV14()
    {
        for (short version = 0; version <= 14; version++)
        {
            // Given
            final FetchRequestData data = request(version, false).setReplicaId(1001);
            final UnsafeBuffer buffer = serialize(data, version);

            // When
            fetch.wrap(buffer, WireFixtures.BODY_OFFSET, bodyLength(data, version), version);

            // Then
            assertThat(fetch.replicaId()).as("v%d", version).isEqualTo(1001);
        }
    }

    @Test
    void shouldReportAConsumerFromV15WhereTheReplicaIdMovedIntoATaggedField()
    {
        // Given
        final short version = 15;
        final FetchRequestData data = request(version, false)
            .setReplicaState(new ReplicaState().setReplicaId(1001).setReplicaEpoch(7));
        final UnsafeBuffer buffer = serialize(data, version);

        // When
        fetch.wrap(buffer, WireFixtures.BODY_OFFSET, bodyLength(data, version), version);

        // Then
        assertThat(fetch.replicaId()).isEqualTo(FetchRequestFlyweight.CONSUMER_REPLICA_ID);
    }

    @Test
    void shouldReadEveryLeadingFieldOfV7ByteByByte()
    {
        // Given: v7 with one topic "t" of two partitions of 24 bytes each
        final int offset = 3;
        final int partitionLength = 4 + 8 + 8 + 4;
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64 + 2 * partitionLength]);
        buffer.putInt(offset, 0x01020304, ByteOrder.BIG_ENDIAN);
        buffer.putInt(offset + 4, 0x05060708, ByteOrder.BIG_ENDIAN);
        buffer.putInt(offset + 8, 0x090A0B0C, ByteOrder.BIG_ENDIAN);
        buffer.putInt(offset + 12, 0x0D0E0F10, ByteOrder.BIG_ENDIAN);
        buffer.putByte(offset + 16, (byte)1);
        buffer.putInt(offset + 17, 0x11121314, ByteOrder.BIG_ENDIAN);
        buffer.putInt(offset + 21, 0x15161718, ByteOrder.BIG_ENDIAN);
        buffer.putInt(offset + 25, 1, ByteOrder.BIG_ENDIAN);
        buffer.putShort(offset + 29, (short)1, ByteOrder.BIG_ENDIAN);
        buffer.putByte(offset + 31, (byte)'t');
        buffer.putInt(offset + 32, 2, ByteOrder.BIG_ENDIAN);
        final int length = 36 + 2 * partitionLength + SIZE_OF_INT;

        // When
        fetch.wrap(buffer, offset, length, (short)7);
        final boolean hasTopic = fetch.nextTopic();

        // Then
        assertThat(fetch.replicaId()).isEqualTo(0x01020304);
        assertThat(fetch.maxWaitMs()).isEqualTo(0x05060708);
        assertThat(fetch.minBytes()).isEqualTo(0x090A0B0C);
        assertThat(fetch.maxBytes()).isEqualTo(0x0D0E0F10);
        assertThat(fetch.isolationLevel()).isEqualTo((byte)1);
        assertThat(fetch.sessionId()).isEqualTo(0x11121314);
        assertThat(fetch.sessionEpoch()).isEqualTo(0x15161718);
        assertThat(fetch.topicCount()).isEqualTo(1);
        assertThat(hasTopic).isTrue();
        assertThat(fetch.topicNameOffset()).isEqualTo(offset + 31);
        assertThat(fetch.topicNameLength()).isEqualTo(1);
        assertThat(fetch.partitionCount()).isEqualTo(2);
        assertThat(fetch.nextTopic()).isFalse();
    }

    @Test
    void shouldSkipTaggedFieldsOfTopicsAndPartitions()
    {
        for (short version = 12; version <= HIGHEST_VERSION; version++)
        {
            // Given
            final FetchRequestData data = request(version, true);
            for (final FetchTopic topic : data.topics())
            {
                topic.unknownTaggedFields().add(new RawTaggedField(9, new byte[300]));
                for (final FetchPartition partition : topic.partitions())
                {
                    partition.unknownTaggedFields().add(new RawTaggedField(5, new byte[] {1, 2}));
                }
            }
            final UnsafeBuffer buffer = serialize(data, version);

            // When
            fetch.wrap(buffer, WireFixtures.BODY_OFFSET, bodyLength(data, version), version);
            final List<String> walked = walk(buffer);

            // Then
            assertThat(walked).as("v%d", version).containsExactlyElementsOf(describe(roundTrip(data, version), version));
        }
    }

    @Test
    void shouldRejectEveryTruncationBeforeTheEndOfTheTopics()
    {
        // Given: requests with nothing after the topics but empty forgotten topics, empty rack id and no tags
        final short[] versions = {0, 3, 4, 6, 7, 11, 12, 13, 17, 18};
        final int[] suffixLengths = {0, 0, 0, 0, 4, 6, 3, 3, 3, 3};
        for (int i = 0; i < versions.length; i++)
        {
            final short version = versions[i];
            final FetchRequestData data = request(version, false);
            final UnsafeBuffer buffer = serialize(data, version);
            final int endOfTopics = bodyLength(data, version) - suffixLengths[i];

            for (int length = 0; length < endOfTopics; length++)
            {
                final int truncatedLength = length;

                // When / Then
                assertThatThrownBy(() ->
                {
                    fetch.wrap(buffer, WireFixtures.BODY_OFFSET, truncatedLength, version);
                    walk(buffer);
                }).as("v%d cut at %d", version, length).isInstanceOf(MalformedFrameException.class);
            }
            fetch.wrap(buffer, WireFixtures.BODY_OFFSET, endOfTopics, version);
            assertThat(walk(buffer)).as("v%d", version).hasSize(data.topics().size());
        }
    }

    @Test
    void shouldRejectPartitionCountLargerThanTheBytesLeft()
    {
        // Given: v4, one topic "t" claiming 100 partitions of 16 bytes with 200 bytes left
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[17 + 4 + 3 + 4 + 200]);
        buffer.putInt(17, 1, ByteOrder.BIG_ENDIAN);
        buffer.putShort(21, (short)1, ByteOrder.BIG_ENDIAN);
        buffer.putInt(24, 100, ByteOrder.BIG_ENDIAN);
        fetch.wrap(buffer, 0, buffer.capacity(), (short)4);

        // When / Then
        assertThatThrownBy(fetch::nextTopic)
            .isInstanceOf(MalformedFrameException.class)
            .hasMessage("field runs past the end of the frame: field=partitions, needed=1600, remaining=200");
    }

    @Test
    void shouldRejectNegativeTopicNameLength()
    {
        // Given: v4, one topic whose name length is -2
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[32]);
        buffer.putInt(17, 1, ByteOrder.BIG_ENDIAN);
        buffer.putShort(21, (short)-2, ByteOrder.BIG_ENDIAN);
        fetch.wrap(buffer, 0, buffer.capacity(), (short)4);

        // When / Then
        assertThatThrownBy(fetch::nextTopic)
            .isInstanceOf(MalformedFrameException.class)
            .hasMessage("negative length: field=topic, length=-2");
    }

    @Test
    void shouldRejectNullTopics()
    {
        // Given: v4 whose topics array is null
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[32]);
        buffer.putInt(17, -1, ByteOrder.BIG_ENDIAN);

        // When / Then
        assertThatThrownBy(() -> fetch.wrap(buffer, 0, buffer.capacity(), (short)4))
            .isInstanceOf(MalformedFrameException.class)
            .hasMessage("null where the schema allows none: field=topics");
    }

    @Test
    void shouldWalkWithoutAllocating()
    {
        // Given
        final short version = 17;
        final FetchRequestData data = request(version, true);
        final UnsafeBuffer buffer = serialize(data, version);
        final int bodyLength = bodyLength(data, version);
        final int runs = 20_000;

        // When
        final long allocated = WireFixtures.allocatedBytes(runs, () ->
        {
            fetch.wrap(buffer, WireFixtures.BODY_OFFSET, bodyLength, version);
            while (fetch.nextTopic())
            {
                fetch.partitionCount();
            }
        });

        // Then: well under one byte per walk, so no walk allocates an object
        assertThat(allocated).isLessThan(runs);
    }

    /**
     * The body of a request. kafka-clients 4 writes no Fetch below v4: v3 is v4 without isolation_level, and
     * v0-v2 are v3 without max_bytes, the two adjacent fields ahead of the topics.
     */
    private static UnsafeBuffer serialize(final FetchRequestData data, final short version)
    {
        if (version >= LOWEST_WRITTEN_VERSION)
        {
            return WireFixtures.serialize(data, version);
        }
        return WireFixtures.serializeWithout(data, LOWEST_WRITTEN_VERSION, removedOffset(version), removedLength(version));
    }

    private static int bodyLength(final FetchRequestData data, final short version)
    {
        return WireFixtures.bodyLength(data, (short)Math.max(version, LOWEST_WRITTEN_VERSION)) - removedLength(version);
    }

    private static int removedOffset(final short version)
    {
        return version >= 3 ? MAX_BYTES_OFFSET + SIZE_OF_INT : MAX_BYTES_OFFSET;
    }

    private static int removedLength(final short version)
    {
        if (version >= LOWEST_WRITTEN_VERSION)
        {
            return 0;
        }
        return version >= 3 ? SIZE_OF_BYTE : SIZE_OF_INT + SIZE_OF_BYTE;
    }

    private static FetchRequestData roundTrip(final FetchRequestData data, final short version)
    {
        final FetchRequestData expected =
            WireFixtures.roundTrip(data, (short)Math.max(version, LOWEST_WRITTEN_VERSION), FetchRequestData::new);
        if (version < 3)
        {
            expected.setMaxBytes(DEFAULTS.maxBytes());
        }
        if (version < LOWEST_WRITTEN_VERSION)
        {
            expected.setIsolationLevel(DEFAULTS.isolationLevel());
        }
        return expected;
    }

    private List<String> walk(final DirectBuffer buffer)
    {
        final List<String> walked = new ArrayList<>();
        while (fetch.nextTopic())
        {
            final String name = fetch.topicNameLength() < 0 ? null :
                buffer.getStringWithoutLengthUtf8(fetch.topicNameOffset(), fetch.topicNameLength());
            walked.add(topic(name, new Uuid(fetch.topicIdMostSignificantBits(), fetch.topicIdLeastSignificantBits()),
                fetch.partitionCount()));
        }
        return walked;
    }

    private static List<String> describe(final FetchRequestData expected, final short version)
    {
        final List<String> topics = new ArrayList<>();
        for (final FetchTopic topic : expected.topics())
        {
            topics.add(topic(version >= 13 ? null : topic.topic(), topic.topicId(), topic.partitions().size()));
        }
        return topics;
    }

    private static String topic(final String name, final Uuid id, final int partitions)
    {
        return "name=" + name + ", id=" + id + ", partitions=" + partitions;
    }

    /**
     * A request using every field the version has; {@code withTrailer} adds forgotten topics, a rack id and a
     * cluster id after the topics.
     */
    private static FetchRequestData request(final short version, final boolean withTrailer)
    {
        final FetchRequestData data = new FetchRequestData()
            .setReplicaId(-1)
            .setMaxWaitMs(500)
            .setMinBytes(1)
            .setMaxBytes(52_428_800)
            .setIsolationLevel((byte)1)
            .setSessionId(version >= 7 ? 1234 : 0)
            .setSessionEpoch(version >= 7 ? 5 : -1);
        data.topics().add(new FetchTopic()
            .setTopic("orders")
            .setTopicId(new Uuid(0x0123456789ABCDEFL, 0x7EDCBA9876543210L))
            .setPartitions(List.of(partition(0, version), partition(1, version), partition(2, version))));
        data.topics().add(new FetchTopic()
            .setTopic("payments-\u00e9-" + "x".repeat(130))
            .setTopicId(new Uuid(-1L, 42L))
            .setPartitions(List.of(partition(7, version))));
        data.topics().add(new FetchTopic()
            .setTopic("no-partitions")
            .setTopicId(new Uuid(5L, 6L)));
        if (withTrailer)
        {
            data.setRackId("rack-a").setClusterId(version >= 12 ? "cluster-a" : null);
            if (version >= 7)
            {
                data.forgottenTopicsData().add(new ForgottenTopic()
                    .setTopic("old")
                    .setTopicId(new Uuid(9L, 10L))
                    .setPartitions(List.of(1, 2, 3)));
            }
        }
        return data;
    }

    private static FetchPartition partition(final int index, final short version)
    {
        return new FetchPartition()
            .setPartition(index)
            .setCurrentLeaderEpoch(4)
            .setFetchOffset(1000L * index + 17)
            .setLastFetchedEpoch(version >= 12 ? 3 : -1)
            .setLogStartOffset(12L)
            .setPartitionMaxBytes(1_048_576)
            .setReplicaDirectoryId(new Uuid(11L, 12L))
            .setHighWatermark(99L);
    }
}

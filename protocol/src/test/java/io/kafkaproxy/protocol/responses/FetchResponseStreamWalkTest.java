package io.kafkaproxy.protocol.responses;

import io.kafkaproxy.protocol.WireFixtures;
import io.kafkaproxy.protocol.wire.MalformedFrameException;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.types.RawTaggedField;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;

import static io.kafkaproxy.protocol.WireFixtures.RecordingMapper.ADVERTISED_HOST;
import static io.kafkaproxy.protocol.WireFixtures.RecordingMapper.proxyPortOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FetchResponseStreamWalkTest
{
    private static final int BODY_OFFSET = WireFixtures.BODY_OFFSET;
    private static final int STAND_IN_HEAD_LENGTH = 11;
    private static final int SWEPT_LENGTH = 20_000;

    private final FetchResponseStreamWalk walk = new FetchResponseStreamWalk();
    private final FetchTaggedFieldsRewriter rewriter = new FetchTaggedFieldsRewriter();
    private final WireFixtures.RecordingMapper mapper = new WireFixtures.RecordingMapper();

    @Test
    void shouldFindTheTaggedFieldsOfEveryFlexibleVersionSplitAtEveryByte()
    {
        for (short version = FetchResponseStreamWalk.FIRST_FLEXIBLE_VERSION; version <= ApiKeys.FETCH.latestVersion(true); version++)
        {
            for (final boolean withEndpoints : new boolean[] {false, true})
            {
                // Given
                final FetchResponseData data = fetch(withEndpoints && version >= 16, "broker-2.internal");
                final UnsafeBuffer body = WireFixtures.serialize(data, version);
                final int bodyLength = WireFixtures.bodyLength(data, version);
                final int taggedFieldsLength = taggedFieldsLength(data, version);

                for (int split = 0; split <= bodyLength; split++)
                {
                    // When
                    walk.reset(version, bodyLength);
                    final int flowing = walk.feed(body, BODY_OFFSET, split) + walk.feed(body, BODY_OFFSET + split, bodyLength - split);

                    // Then
                    assertThat(walk.taggedFieldsReached()).as("version %d, split %d", version, split).isTrue();
                    assertThat(flowing).as("version %d, split %d", version, split).isEqualTo(bodyLength - taggedFieldsLength);
                    assertThat(walk.taggedFieldsLength()).isEqualTo(taggedFieldsLength);
                }
            }
        }
    }

    @Test
    void shouldFindTheTaggedFieldsAfterUnknownTaggedFieldsOfTheLastTopicSplitAtEveryByte()
    {
        for (short version = FetchResponseStreamWalk.FIRST_FLEXIBLE_VERSION; version <= ApiKeys.FETCH.latestVersion(true); version++)
        {
            for (final boolean onPartition : new boolean[] {false, true})
            {
                // Given: the last topic (and maybe its last partition) carries a tagged field the schema does not know
                final FetchResponseData data = fetch(version >= 16, "broker-2.with.a.long.name.internal");
                final FetchResponseData.FetchableTopicResponse lastTopic = data.responses().get(data.responses().size() - 1);
                lastTopic.unknownTaggedFields().add(new RawTaggedField(5, new byte[] {7, 7}));
                if (onPartition)
                {
                    lastTopic.partitions().get(lastTopic.partitions().size() - 1).unknownTaggedFields()
                        .add(new RawTaggedField(9, new byte[] {8, 8, 8}));
                }
                final UnsafeBuffer body = WireFixtures.serialize(data, version);
                final int bodyLength = WireFixtures.bodyLength(data, version);
                final int taggedFieldsLength = taggedFieldsLength(data, version);

                for (int split = 0; split <= bodyLength; split++)
                {
                    // When
                    walk.reset(version, bodyLength);
                    final int flowing = walk.feed(body, BODY_OFFSET, split) + walk.feed(body, BODY_OFFSET + split, bodyLength - split);

                    // Then
                    assertThat(walk.taggedFieldsReached()).as("version %d, split %d", version, split).isTrue();
                    assertThat(flowing).as("version %d, split %d", version, split).isEqualTo(bodyLength - taggedFieldsLength);
                    assertThat(walk.taggedFieldsLength()).as("version %d, split %d", version, split).isEqualTo(taggedFieldsLength);
                }
                if (version >= 16)
                {
                    final FetchResponseData parsed = rewriteAndParse(data, version, body, bodyLength, FetchTaggedFieldsRewriter.REWRITTEN);
                    assertThat(parsed.nodeEndpoints()).extracting(FetchResponseData.NodeEndpoint::host).containsOnly(ADVERTISED_HOST);
                    assertThat(parsed.responses()).isEqualTo(WireFixtures.roundTrip(data, version, FetchResponseData::new).responses());
                }
            }
        }
    }

    @Test
    void shouldFindTheTaggedFieldsFedInRandomPieces()
    {
        final Random random = new Random(42);
        for (short version = FetchResponseStreamWalk.FIRST_FLEXIBLE_VERSION; version <= ApiKeys.FETCH.latestVersion(true); version++)
        {
            // Given
            final FetchResponseData data = fetch(version >= 16, "broker-2.internal");
            final UnsafeBuffer body = WireFixtures.serialize(data, version);
            final int bodyLength = WireFixtures.bodyLength(data, version);
            final int taggedFieldsLength = taggedFieldsLength(data, version);
            for (int run = 0; run < 200; run++)
            {
                // When
                walk.reset(version, bodyLength);
                int flowing = 0;
                int position = 0;
                while (position < bodyLength)
                {
                    final int length = Math.min(bodyLength - position, 1 + random.nextInt(run % 2 == 0 ? 8 : 300));
                    flowing += walk.feed(body, BODY_OFFSET + position, length);
                    position += length;
                }

                // Then
                assertThat(walk.taggedFieldsReached()).isTrue();
                assertThat(flowing).isEqualTo(bodyLength - taggedFieldsLength);
            }
        }
    }

    @Test
    void shouldWalkWithoutAllocating()
    {
        // Given
        final short version = ApiKeys.FETCH.latestVersion(true);
        final FetchResponseData data = fetch(false, "broker-2.internal");
        final UnsafeBuffer body = WireFixtures.serialize(data, version);
        final int bodyLength = WireFixtures.bodyLength(data, version);

        // When
        final long allocated = WireFixtures.allocatedBytes(10_000, () ->
        {
            walk.reset(version, bodyLength);
            walk.feed(body, BODY_OFFSET, 100);
            walk.feed(body, BODY_OFFSET + 100, bodyLength - 100);
        });

        // Then
        assertThat(allocated).isZero();
    }

    @Test
    void shouldNotReachTheTaggedFieldsOfATruncatedBody()
    {
        // Given
        final short version = ApiKeys.FETCH.latestVersion(true);
        final FetchResponseData data = fetch(false, "broker-2.internal");
        final UnsafeBuffer body = WireFixtures.serialize(data, version);
        final int bodyLength = WireFixtures.bodyLength(data, version);

        // When
        walk.reset(version, bodyLength);
        walk.feed(body, BODY_OFFSET, bodyLength - 10);

        // Then
        assertThat(walk.taggedFieldsReached()).isFalse();
    }

    @Test
    void shouldRejectARecordsLengthPastTheBody()
    {
        // Given: a body whose first partition's records claim more bytes than the body has
        final short version = ApiKeys.FETCH.latestVersion(true);
        final FetchResponseData data = new FetchResponseData();
        data.responses().add(new FetchResponseData.FetchableTopicResponse().setTopicId(new Uuid(1, 2))
            .setPartitions(List.of(new FetchResponseData.PartitionData().setRecords(MemoryRecords.withRecords(
                Compression.NONE, new SimpleRecord("v".getBytes(StandardCharsets.UTF_8)))))));
        final UnsafeBuffer body = WireFixtures.serialize(data, version);
        final int bodyLength = WireFixtures.bodyLength(data, version);

        // When, Then: the body is announced shorter than it is
        walk.reset(version, bodyLength - 20);
        assertThatThrownBy(() -> walk.feed(body, BODY_OFFSET, bodyLength - 20)).isInstanceOf(MalformedFrameException.class);
    }

    @Test
    void shouldRejectAVarintThatDoesNotEnd()
    {
        // Given
        final UnsafeBuffer body = new UnsafeBuffer(new byte[20]);
        body.setMemory(10, 10, (byte)0x80);

        // When, Then
        walk.reset((short)17, 20);
        assertThatThrownBy(() -> walk.feed(body, 0, 20)).isInstanceOf(MalformedFrameException.class);
    }

    @Test
    void shouldLeaveTaggedFieldsWithoutEndpointsUnchanged()
    {
        // Given
        final short version = ApiKeys.FETCH.latestVersion(true);
        final FetchResponseData data = fetch(false, "broker-2.internal");
        final UnsafeBuffer body = WireFixtures.serialize(data, version);
        final int bodyLength = WireFixtures.bodyLength(data, version);
        final int taggedFieldsLength = taggedFieldsLength(data, version);

        // When
        final int outcome = rewriter.rewrite(version, body, BODY_OFFSET + bodyLength - taggedFieldsLength, taggedFieldsLength, mapper);

        // Then
        assertThat(outcome).isEqualTo(FetchTaggedFieldsRewriter.UNCHANGED);
    }

    @Test
    void shouldPadShorterRewrittenEndpointsToTheSameLength()
    {
        for (short version = 16; version <= ApiKeys.FETCH.latestVersion(true); version++)
        {
            // Given: broker hosts longer than the proxy's, so the rewrite is shorter
            final FetchResponseData data = fetch(true, "broker-2.with.a.long.name.internal");
            final UnsafeBuffer body = WireFixtures.serialize(data, version);
            final int bodyLength = WireFixtures.bodyLength(data, version);

            // When
            final FetchResponseData parsed = rewriteAndParse(data, version, body, bodyLength, FetchTaggedFieldsRewriter.REWRITTEN);

            // Then
            assertThat(parsed.nodeEndpoints()).extracting(FetchResponseData.NodeEndpoint::host).containsOnly(ADVERTISED_HOST);
            assertThat(parsed.nodeEndpoints()).extracting(FetchResponseData.NodeEndpoint::port)
                .containsExactly(proxyPortOf(2), proxyPortOf(4));
            assertThat(parsed.unknownTaggedFields()).extracting(RawTaggedField::tag).contains(3, FetchTaggedFieldsRewriter.PADDING_TAG);
            assertThat(parsed.responses()).isEqualTo(WireFixtures.roundTrip(data, version, FetchResponseData::new).responses());
        }
    }

    @Test
    void shouldPadEveryShorterLengthIncludingOneByteShorter()
    {
        final short version = ApiKeys.FETCH.latestVersion(true);
        for (int extra = 0; extra < 200; extra++)
        {
            // Given: broker hosts from as long as the proxy's to much longer
            final FetchResponseData data = fetch(true, ADVERTISED_HOST + "x".repeat(extra));
            final UnsafeBuffer body = WireFixtures.serialize(data, version);
            final int bodyLength = WireFixtures.bodyLength(data, version);

            // When
            final FetchResponseData parsed = rewriteAndParse(data, version, body, bodyLength, -1);

            // Then: the rewritten endpoints, or none when the difference leaves no room for padding
            if (parsed.nodeEndpoints().isEmpty())
            {
                assertThat(parsed.unknownTaggedFields()).extracting(RawTaggedField::tag).containsExactly(FetchTaggedFieldsRewriter.PADDING_TAG);
            }
            else
            {
                assertThat(parsed.nodeEndpoints()).extracting(FetchResponseData.NodeEndpoint::host).containsOnly(ADVERTISED_HOST);
            }
            assertThat(parsed.responses()).isEqualTo(WireFixtures.roundTrip(data, version, FetchResponseData::new).responses());
        }
    }

    @Test
    void shouldRewriteEndpointsShorterByAnyLengthIntoTheSameLength()
    {
        final short version = ApiKeys.FETCH.latestVersion(true);
        for (final boolean withExtraTag : new boolean[] {false, true})
        {
            final StringBuilder host = new StringBuilder(ADVERTISED_HOST);
            for (int longer = 1; longer <= SWEPT_LENGTH; longer++)
            {
                // Given: the broker's host longer than the proxy's by one byte to many, so the rewrite is that much shorter
                host.append('x');
                final FetchResponseData data = endpointsOnly(host.toString(), withExtraTag);
                final UnsafeBuffer body = WireFixtures.serialize(data, version);
                final int bodyLength = WireFixtures.bodyLength(data, version);

                // When
                final FetchResponseData parsed = rewriteAndParse(data, version, body, bodyLength, FetchTaggedFieldsRewriter.REWRITTEN);

                // Then: never dropped for the length alone, however few bytes are over
                assertThat(parsed.nodeEndpoints()).as("longer by %d", longer)
                    .extracting(FetchResponseData.NodeEndpoint::host).containsExactly(ADVERTISED_HOST);
                assertThat(parsed.nodeEndpoints().find(2).port()).isEqualTo(proxyPortOf(2));
                if (withExtraTag)
                {
                    assertThat(parsed.unknownTaggedFields()).extracting(RawTaggedField::tag).contains(3);
                }
            }
        }
    }

    @Test
    void shouldPadDroppedEndpointsToEveryLength()
    {
        final short version = ApiKeys.FETCH.latestVersion(true);
        mapper.forcedPorts.put(2, BrokerEndpointMapper.PORT_PENDING);
        final BitSet lengths = new BitSet();
        for (final boolean withExtraTag : new boolean[] {false, true})
        {
            final StringBuilder host = new StringBuilder();
            for (int hostLength = 1; hostLength <= SWEPT_LENGTH; hostLength++)
            {
                // Given: endpoints that must go, their node's listener not bound yet
                host.append('h');
                final FetchResponseData data = endpointsOnly(host.toString(), withExtraTag);
                final UnsafeBuffer body = WireFixtures.serialize(data, version);
                final int bodyLength = WireFixtures.bodyLength(data, version);

                // When
                final FetchResponseData parsed = rewriteAndParse(data, version, body, bodyLength, FetchTaggedFieldsRewriter.ENDPOINTS_DROPPED);

                // Then
                assertThat(parsed.nodeEndpoints()).as("host length %d", hostLength).isEmpty();
                lengths.set(bodyLength - STAND_IN_HEAD_LENGTH);
            }
        }
        // Every length from the shortest fields that carry an endpoint on, including those whose padding size needs a
        // byte more than its shortest encoding (a padding field of 130 or 16387 bytes)
        final int shortest = lengths.nextSetBit(0);
        assertThat(lengths.nextClearBit(shortest)).isGreaterThan(SWEPT_LENGTH);
        assertThat(shortest).isLessThan(130);
    }

    @Test
    void shouldDropLongerRewrittenEndpoints()
    {
        // Given: broker hosts shorter than the proxy's
        final short version = ApiKeys.FETCH.latestVersion(true);
        final FetchResponseData data = fetch(true, "b");
        final UnsafeBuffer body = WireFixtures.serialize(data, version);
        final int bodyLength = WireFixtures.bodyLength(data, version);

        // When
        final FetchResponseData parsed = rewriteAndParse(data, version, body, bodyLength, FetchTaggedFieldsRewriter.ENDPOINTS_DROPPED);

        // Then
        assertThat(parsed.nodeEndpoints()).isEmpty();
        assertThat(parsed.unknownTaggedFields()).extracting(RawTaggedField::tag).containsExactly(FetchTaggedFieldsRewriter.PADDING_TAG);
        assertThat(parsed.responses()).isEqualTo(WireFixtures.roundTrip(data, version, FetchResponseData::new).responses());
    }

    @Test
    void shouldDropEndpointsOfANodeWhoseListenerIsPending()
    {
        // Given
        final short version = ApiKeys.FETCH.latestVersion(true);
        final FetchResponseData data = fetch(true, "broker-2.with.a.long.name.internal");
        final UnsafeBuffer body = WireFixtures.serialize(data, version);
        final int bodyLength = WireFixtures.bodyLength(data, version);
        mapper.forcedPorts.put(4, BrokerEndpointMapper.PORT_PENDING);

        // When
        final FetchResponseData parsed = rewriteAndParse(data, version, body, bodyLength, FetchTaggedFieldsRewriter.ENDPOINTS_DROPPED);

        // Then
        assertThat(parsed.nodeEndpoints()).isEmpty();
        assertThat(parsed.responses()).isEqualTo(WireFixtures.roundTrip(data, version, FetchResponseData::new).responses());
    }

    @Test
    void shouldDropEndpointsOfANodeWithoutAProxyAddressAndSaySo()
    {
        // Given: node 4 can be given no proxy port at all
        final short version = ApiKeys.FETCH.latestVersion(true);
        final FetchResponseData data = fetch(true, "broker-2.with.a.long.name.internal");
        final UnsafeBuffer body = WireFixtures.serialize(data, version);
        final int bodyLength = WireFixtures.bodyLength(data, version);
        mapper.forcedPorts.put(4, BrokerEndpointMapper.PORT_UNAVAILABLE);

        // When
        final FetchResponseData parsed = rewriteAndParse(data, version, body, bodyLength, FetchTaggedFieldsRewriter.ENDPOINTS_UNAVAILABLE);

        // Then: padded as when dropped, the broker's addresses never sent
        assertThat(parsed.nodeEndpoints()).isEmpty();
        assertThat(parsed.responses()).isEqualTo(WireFixtures.roundTrip(data, version, FetchResponseData::new).responses());
    }

    /** Walks the body, rewrites its tagged fields in place, and parses the result with kafka-clients. */
    private FetchResponseData rewriteAndParse(
        final FetchResponseData data, final short version, final UnsafeBuffer body, final int bodyLength, final int expectedOutcome)
    {
        walk.reset(version, bodyLength);
        final int flowing = walk.feed(body, BODY_OFFSET, bodyLength);
        final int taggedFieldsLength = walk.taggedFieldsLength();
        assertThat(flowing + taggedFieldsLength).isEqualTo(bodyLength);
        final int outcome = rewriter.rewrite(version, body, BODY_OFFSET + flowing, taggedFieldsLength, mapper);
        if (expectedOutcome >= 0)
        {
            assertThat(outcome).isEqualTo(expectedOutcome);
        }
        final byte[] bytes = new byte[bodyLength];
        body.getBytes(BODY_OFFSET, bytes, 0, flowing);
        if (outcome == FetchTaggedFieldsRewriter.UNCHANGED)
        {
            body.getBytes(BODY_OFFSET + flowing, bytes, flowing, taggedFieldsLength);
        }
        else
        {
            rewriter.output().getBytes(0, bytes, flowing, taggedFieldsLength);
        }
        final ByteBuffer parsedBytes = ByteBuffer.wrap(bytes);
        final FetchResponseData parsed = new FetchResponseData(WireFixtures.accessor(parsedBytes), version);
        assertThat(parsedBytes.remaining()).as("bytes left after the parse").isZero();
        return parsed;
    }

    /** The length of the top-level tagged fields: those of the same response without topics, after its head. */
    private static int taggedFieldsLength(final FetchResponseData data, final short version)
    {
        final FetchResponseData empty = new FetchResponseData().setNodeEndpoints(data.nodeEndpoints().duplicate());
        empty.unknownTaggedFields().addAll(data.unknownTaggedFields());
        return WireFixtures.bodyLength(empty, version) - STAND_IN_HEAD_LENGTH;
    }

    /** A Fetch response with no topics, one node's endpoint, and maybe a tagged field clients do not know. */
    private static FetchResponseData endpointsOnly(final String brokerHost, final boolean withExtraTag)
    {
        final FetchResponseData data = new FetchResponseData().setThrottleTimeMs(1).setSessionId(77);
        data.nodeEndpoints().add(new FetchResponseData.NodeEndpoint().setNodeId(2).setHost(brokerHost).setPort(9092));
        if (withExtraTag)
        {
            data.unknownTaggedFields().add(new RawTaggedField(3, new byte[] {1}));
        }
        return data;
    }

    private static FetchResponseData fetch(final boolean withEndpoints, final String brokerHost)
    {
        final FetchResponseData data = new FetchResponseData().setThrottleTimeMs(1).setSessionId(77);
        for (int topic = 0; topic < 2; topic++)
        {
            final List<FetchResponseData.PartitionData> partitions = new ArrayList<>();
            partitions.add(new FetchResponseData.PartitionData()
                .setPartitionIndex(0)
                .setHighWatermark(10)
                .setAbortedTransactions(List.of(
                    new FetchResponseData.AbortedTransaction().setProducerId(5).setFirstOffset(2),
                    new FetchResponseData.AbortedTransaction().setProducerId(6).setFirstOffset(3)))
                .setPreferredReadReplica(3)
                .setCurrentLeader(new FetchResponseData.LeaderIdAndEpoch().setLeaderId(2).setLeaderEpoch(1))
                .setDivergingEpoch(new FetchResponseData.EpochEndOffset().setEpoch(4).setEndOffset(99))
                .setRecords(records(300)));
            partitions.add(new FetchResponseData.PartitionData()
                .setPartitionIndex(1)
                .setAbortedTransactions(null)
                .setSnapshotId(new FetchResponseData.SnapshotId().setEndOffset(5).setEpoch(2))
                .setRecords(null));
            partitions.add(new FetchResponseData.PartitionData()
                .setPartitionIndex(2)
                .setRecords(records(2)));
            data.responses().add(new FetchResponseData.FetchableTopicResponse()
                .setTopic("topic-" + topic)
                .setTopicId(new Uuid(11, 22 + topic))
                .setPartitions(partitions));
        }
        if (withEndpoints)
        {
            for (final int nodeId : new int[] {2, 4})
            {
                data.nodeEndpoints().add(new FetchResponseData.NodeEndpoint().setNodeId(nodeId).setHost(brokerHost).setPort(9092).setRack("r"));
            }
        }
        data.unknownTaggedFields().add(new RawTaggedField(3, new byte[] {1}));
        return data;
    }

    private static MemoryRecords records(final int count)
    {
        final SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++)
        {
            records[i] = new SimpleRecord(("key-" + i).getBytes(StandardCharsets.UTF_8), ("value-" + i).getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withRecords(Compression.NONE, records);
    }
}

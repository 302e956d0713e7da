package io.kafkaproxy.protocol.responses;

import io.kafkaproxy.protocol.WireFixtures;
import io.kafkaproxy.protocol.wire.ApiHeaderVersions;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.protocol.wire.MalformedFrameException;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ShareAcknowledgeResponseData;
import org.apache.kafka.common.message.ShareFetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.types.RawTaggedField;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BiFunction;

import static io.kafkaproxy.protocol.WireFixtures.RecordingMapper.ADVERTISED_HOST;
import static io.kafkaproxy.protocol.WireFixtures.RecordingMapper.proxyPortOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NodeEndpointsResponseRewriterTest
{
    private static final Uuid TOPIC_ID = new Uuid(11, 22);

    private final EndpointArrayRewriter endpoints = new EndpointArrayRewriter();
    private final ResponseSplice splice = new ResponseSplice();
    private final WireFixtures.RecordingMapper mapper = new WireFixtures.RecordingMapper();

    @Test
    void shouldRewriteNodeEndpointsOfEveryProduceVersion()
    {
        for (short version = NodeEndpointsResponseRewriter.FIRST_PRODUCE_VERSION; version <= ApiKeys.PRODUCE.latestVersion(true); version++)
        {
            assertRewritten(ApiKeyIds.PRODUCE, version, produce(version, true, false), produce(version, true, true),
                ProduceResponseData::new);
        }
    }

    @Test
    void shouldLeaveProduceResponseWithoutNodeEndpointsUnchanged()
    {
        for (short version = NodeEndpointsResponseRewriter.FIRST_PRODUCE_VERSION; version <= ApiKeys.PRODUCE.latestVersion(true); version++)
        {
            assertUnchanged(ApiKeyIds.PRODUCE, version, produce(version, false, false));
        }
    }

    @Test
    void shouldRewriteNodeEndpointsOfEveryFetchVersionWithoutTouchingRecords()
    {
        for (short version = NodeEndpointsResponseRewriter.FIRST_FETCH_VERSION; version <= ApiKeys.FETCH.latestVersion(true); version++)
        {
            // Given
            final FetchResponseData original = fetch(true, false);
            final UnsafeBuffer buffer = WireFixtures.serialize(original, version);
            final int bodyLength = WireFixtures.bodyLength(original, version);

            // When
            final int outcome = NodeEndpointsResponseRewriter.rewrite(ApiKeyIds.FETCH,
                endpoints.wrap(buffer, WireFixtures.BODY_OFFSET, bodyLength, mapper, splice), version);

            // Then: only the trailing tagged fields were replaced, the records ahead of them were kept in place
            assertThat(outcome).isEqualTo(RewriteOutcome.SPLICED);
            assertThat(WireFixtures.BODY_OFFSET + bodyLength - splice.replaceToOffset()).isZero();
            assertThat(splice.replaceFromOffset()).isGreaterThan(WireFixtures.BODY_OFFSET + 100);
            final FetchResponseData actual = new FetchResponseData(
                WireFixtures.accessor(WireFixtures.spliced(buffer, WireFixtures.BODY_OFFSET, bodyLength, splice)), version);
            final FetchResponseData expected = fetch(true, true);
            assertThat(actual.nodeEndpoints()).isEqualTo(expected.nodeEndpoints());
            assertThat(actual.unknownTaggedFields()).isEqualTo(expected.unknownTaggedFields());
            assertThat(recordValue(actual)).isEqualTo("value-1");
            assertThat(actual.responses().get(0).partitions().get(0).currentLeader().leaderId()).isEqualTo(2);
            assertThat(actual.responses().get(0).partitions().get(0).abortedTransactions()).hasSize(1);
        }
    }

    @Test
    void shouldLeaveFetchResponseWithoutNodeEndpointsUnchanged()
    {
        assertUnchanged(ApiKeyIds.FETCH, (short)17, fetch(false, false));
    }

    @Test
    void shouldRewriteNodeEndpointsOfShareFetchAndShareAcknowledge()
    {
        for (short version = ApiKeys.SHARE_FETCH.oldestVersion(); version <= ApiKeys.SHARE_FETCH.latestVersion(true); version++)
        {
            assertRewritten(ApiKeyIds.SHARE_FETCH, version, shareFetch(true, false), shareFetch(true, true),
                ShareFetchResponseData::new);
        }
        for (short version = ApiKeys.SHARE_ACKNOWLEDGE.oldestVersion(); version <= ApiKeys.SHARE_ACKNOWLEDGE.latestVersion(true); version++)
        {
            assertRewritten(ApiKeyIds.SHARE_ACKNOWLEDGE, version, shareAcknowledge(true, false), shareAcknowledge(true, true),
                ShareAcknowledgeResponseData::new);
        }
    }

    @Test
    void shouldLeaveShareResponsesWithoutNodeEndpointsUnchanged()
    {
        assertUnchanged(ApiKeyIds.SHARE_FETCH, (short)1, shareFetch(false, false));
        assertUnchanged(ApiKeyIds.SHARE_ACKNOWLEDGE, (short)2, shareAcknowledge(false, false));
    }

    @Test
    void shouldRejectFetchResponseWhoseRecordsRunPastTheFrame()
    {
        // Given
        final FetchResponseData original = fetch(true, false);
        final short version = 16;
        final UnsafeBuffer buffer = WireFixtures.serialize(original, version);
        final int bodyLength = WireFixtures.bodyLength(original, version);

        // When / Then
        assertThatThrownBy(() -> NodeEndpointsResponseRewriter.rewrite(ApiKeyIds.FETCH,
            endpoints.wrap(buffer, WireFixtures.BODY_OFFSET, bodyLength - 60, mapper, splice), version))
            .isInstanceOf(MalformedFrameException.class);
    }

    private <T extends ApiMessage> void assertRewritten(
        final short apiKey,
        final short version,
        final T original,
        final T expected,
        final BiFunction<org.apache.kafka.common.protocol.Readable, Short, T> parser)
    {
        // Given
        final UnsafeBuffer buffer = WireFixtures.serialize(original, version);
        final int bodyLength = WireFixtures.bodyLength(original, version);

        // When
        final int outcome = NodeEndpointsResponseRewriter.rewrite(apiKey,
            endpoints.wrap(buffer, WireFixtures.BODY_OFFSET, bodyLength, mapper, splice), version);

        // Then
        assertThat(outcome).as("%s v%d", ApiHeaderVersions.apiName(apiKey), version).isEqualTo(RewriteOutcome.SPLICED);
        final ByteBuffer rewritten = WireFixtures.spliced(buffer, WireFixtures.BODY_OFFSET, bodyLength, splice);
        assertThat(parser.apply(WireFixtures.accessor(rewritten), version))
            .as("%s v%d", ApiHeaderVersions.apiName(apiKey), version)
            .isEqualTo(WireFixtures.roundTrip(expected, version, parser));
        assertThat(mapper.brokerAddresses).containsEntry(4, "broker-4.internal:9092");
    }

    private void assertUnchanged(final short apiKey, final short version, final ApiMessage original)
    {
        // Given
        final UnsafeBuffer buffer = WireFixtures.serialize(original, version);
        final int bodyLength = WireFixtures.bodyLength(original, version);

        // When
        final int outcome = NodeEndpointsResponseRewriter.rewrite(apiKey,
            endpoints.wrap(buffer, WireFixtures.BODY_OFFSET, bodyLength, mapper, splice), version);

        // Then
        assertThat(outcome).as("%s v%d", ApiHeaderVersions.apiName(apiKey), version).isEqualTo(RewriteOutcome.UNCHANGED);
        assertThat(mapper.brokerAddresses).isEmpty();
    }

    private static ProduceResponseData produce(final short version, final boolean withEndpoints, final boolean rewritten)
    {
        final ProduceResponseData data = new ProduceResponseData().setThrottleTimeMs(9);
        final ProduceResponseData.TopicProduceResponse topic = new ProduceResponseData.TopicProduceResponse()
            .setPartitionResponses(List.of(new ProduceResponseData.PartitionProduceResponse()
                .setIndex(0)
                .setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code())
                .setErrorMessage("moved")
                .setRecordErrors(List.of(new ProduceResponseData.BatchIndexAndErrorMessage()
                    .setBatchIndex(3).setBatchIndexErrorMessage("bad")))
                .setCurrentLeader(new ProduceResponseData.LeaderIdAndEpoch().setLeaderId(4).setLeaderEpoch(8))));
        if (version >= 13)
        {
            topic.setTopicId(TOPIC_ID);
        }
        else
        {
            topic.setName("orders");
        }
        data.responses().add(topic);
        if (withEndpoints)
        {
            data.nodeEndpoints().add(new ProduceResponseData.NodeEndpoint()
                .setNodeId(4)
                .setHost(rewritten ? ADVERTISED_HOST : "broker-4.internal")
                .setPort(rewritten ? proxyPortOf(4) : 9092)
                .setRack("r4"));
        }
        data.unknownTaggedFields().add(new RawTaggedField(6, new byte[] {6, 6, 6}));
        return data;
    }

    private static FetchResponseData fetch(final boolean withEndpoints, final boolean rewritten)
    {
        final MemoryRecords records = MemoryRecords.withRecords(Compression.NONE,
            new SimpleRecord("key".getBytes(StandardCharsets.UTF_8), "value-1".getBytes(StandardCharsets.UTF_8)));
        final FetchResponseData data = new FetchResponseData().setThrottleTimeMs(1).setSessionId(77);
        data.responses().add(new FetchResponseData.FetchableTopicResponse()
            .setTopicId(TOPIC_ID)
            .setPartitions(List.of(new FetchResponseData.PartitionData()
                .setPartitionIndex(0)
                .setHighWatermark(10)
                .setAbortedTransactions(List.of(new FetchResponseData.AbortedTransaction().setProducerId(5).setFirstOffset(2)))
                .setCurrentLeader(new FetchResponseData.LeaderIdAndEpoch().setLeaderId(2).setLeaderEpoch(1))
                .setRecords(records))));
        if (withEndpoints)
        {
            for (final int nodeId : new int[] {2, 4})
            {
                data.nodeEndpoints().add(new FetchResponseData.NodeEndpoint()
                    .setNodeId(nodeId)
                    .setHost(rewritten ? ADVERTISED_HOST : "broker-" + nodeId + ".internal")
                    .setPort(rewritten ? proxyPortOf(nodeId) : 9092));
            }
        }
        data.unknownTaggedFields().add(new RawTaggedField(3, new byte[] {1}));
        return data;
    }

    private static ShareFetchResponseData shareFetch(final boolean withEndpoints, final boolean rewritten)
    {
        final ShareFetchResponseData data = new ShareFetchResponseData()
            .setThrottleTimeMs(2)
            .setErrorMessage("ok")
            .setAcquisitionLockTimeoutMs(30000);
        data.responses().add(new ShareFetchResponseData.ShareFetchableTopicResponse()
            .setTopicId(TOPIC_ID)
            .setPartitions(List.of(new ShareFetchResponseData.PartitionData()
                .setPartitionIndex(1)
                .setCurrentLeader(new ShareFetchResponseData.LeaderIdAndEpoch().setLeaderId(4).setLeaderEpoch(2))
                .setRecords(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("v".getBytes(StandardCharsets.UTF_8))))
                .setAcquiredRecords(List.of(new ShareFetchResponseData.AcquiredRecords()
                    .setFirstOffset(0).setLastOffset(0).setDeliveryCount((short)1))))));
        if (withEndpoints)
        {
            data.nodeEndpoints().add(new ShareFetchResponseData.NodeEndpoint()
                .setNodeId(4)
                .setHost(rewritten ? ADVERTISED_HOST : "broker-4.internal")
                .setPort(rewritten ? proxyPortOf(4) : 9092)
                .setRack(null));
        }
        return data;
    }

    private static ShareAcknowledgeResponseData shareAcknowledge(final boolean withEndpoints, final boolean rewritten)
    {
        final ShareAcknowledgeResponseData data = new ShareAcknowledgeResponseData().setThrottleTimeMs(2);
        data.responses().add(new ShareAcknowledgeResponseData.ShareAcknowledgeTopicResponse()
            .setTopicId(TOPIC_ID)
            .setPartitions(List.of(new ShareAcknowledgeResponseData.PartitionData()
                .setPartitionIndex(1)
                .setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code())
                .setCurrentLeader(new ShareAcknowledgeResponseData.LeaderIdAndEpoch().setLeaderId(4).setLeaderEpoch(2)))));
        if (withEndpoints)
        {
            data.nodeEndpoints().add(new ShareAcknowledgeResponseData.NodeEndpoint()
                .setNodeId(4)
                .setHost(rewritten ? ADVERTISED_HOST : "broker-4.internal")
                .setPort(rewritten ? proxyPortOf(4) : 9092)
                .setRack("r4"));
        }
        return data;
    }

    private static String recordValue(final FetchResponseData data)
    {
        final MemoryRecords records = (MemoryRecords)data.responses().get(0).partitions().get(0).records();
        final ByteBuffer value = records.records().iterator().next().value();
        return StandardCharsets.UTF_8.decode(value).toString();
    }
}

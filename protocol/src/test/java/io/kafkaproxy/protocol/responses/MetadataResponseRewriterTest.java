package io.kafkaproxy.protocol.responses;

import io.kafkaproxy.protocol.WireFixtures;
import io.kafkaproxy.protocol.wire.MalformedFrameException;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.types.RawTaggedField;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;

import static io.kafkaproxy.protocol.WireFixtures.RecordingMapper.ADVERTISED_HOST;
import static io.kafkaproxy.protocol.WireFixtures.RecordingMapper.proxyPortOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MetadataResponseRewriterTest
{
    private static final int[] NODE_IDS = {1, 1000, 2_000_000_000};

    private final MetadataResponseRewriter rewriter = new MetadataResponseRewriter();
    private final ResponseSplice splice = new ResponseSplice();
    private final WireFixtures.RecordingMapper mapper = new WireFixtures.RecordingMapper();

    @Test
    void shouldRewriteEveryBrokerOfEveryVersionAndKeepTheRest()
    {
        for (short version = ApiKeys.METADATA.oldestVersion(); version <= ApiKeys.METADATA.latestVersion(true); version++)
        {
            // Given
            final MetadataResponseData original = response(false);
            final UnsafeBuffer buffer = WireFixtures.serialize(original, version);
            final int bodyLength = WireFixtures.bodyLength(original, version);

            // When
            final int outcome = rewriter.rewrite(buffer, WireFixtures.BODY_OFFSET, bodyLength, version, mapper, splice);

            // Then
            assertThat(outcome).as("v%d", version).isEqualTo(RewriteOutcome.SPLICED);
            final ByteBuffer rewritten = WireFixtures.spliced(buffer, WireFixtures.BODY_OFFSET, bodyLength, splice);
            final MetadataResponseData actual = new MetadataResponseData(WireFixtures.accessor(rewritten), version);
            final MetadataResponseData expected = WireFixtures.roundTrip(response(true), version, MetadataResponseData::new);
            assertThat(actual).as("v%d", version).isEqualTo(expected);
            assertThat(rewritten.remaining()).isZero();
            assertThat(mapper.brokerAddresses).containsEntry(1000, "broker-1000.internal:9092");
        }
    }

    @Test
    void shouldPresentTheMapperClusterIdFromVersion2()
    {
        for (short version = ApiKeys.METADATA.oldestVersion(); version <= ApiKeys.METADATA.latestVersion(true); version++)
        {
            // Given
            mapper.clusterId = "virtual-cluster-east-standby";
            final MetadataResponseData original = response(false);
            final UnsafeBuffer buffer = WireFixtures.serialize(original, version);
            final int bodyLength = WireFixtures.bodyLength(original, version);

            // When
            final int outcome = rewriter.rewrite(buffer, WireFixtures.BODY_OFFSET, bodyLength, version, mapper, splice);

            // Then
            assertThat(outcome).as("v%d", version).isEqualTo(RewriteOutcome.SPLICED);
            final ByteBuffer rewritten = WireFixtures.spliced(buffer, WireFixtures.BODY_OFFSET, bodyLength, splice);
            final MetadataResponseData actual = new MetadataResponseData(WireFixtures.accessor(rewritten), version);
            final MetadataResponseData expected = WireFixtures.roundTrip(
                response(true).setClusterId("virtual-cluster-east-standby"), version, MetadataResponseData::new);
            assertThat(actual).as("v%d", version).isEqualTo(expected);
            assertThat(rewritten.remaining()).isZero();
        }
    }

    @Test
    void shouldKeepUnknownTaggedFieldsOfBrokers()
    {
        // Given
        final short version = 12;
        final MetadataResponseData original = response(false);
        original.brokers().find(1).unknownTaggedFields().add(new RawTaggedField(9, new byte[] {4, 2}));
        final UnsafeBuffer buffer = WireFixtures.serialize(original, version);
        final int bodyLength = WireFixtures.bodyLength(original, version);

        // When
        rewriter.rewrite(buffer, WireFixtures.BODY_OFFSET, bodyLength, version, mapper, splice);

        // Then
        final MetadataResponseData actual = new MetadataResponseData(
            WireFixtures.accessor(WireFixtures.spliced(buffer, WireFixtures.BODY_OFFSET, bodyLength, splice)), version);
        assertThat(actual.brokers().find(1).unknownTaggedFields())
            .containsExactly(new RawTaggedField(9, new byte[] {4, 2}));
    }

    @Test
    void shouldGiveEachNodeItsOwnHostWhenTheMapperNamesNodes()
    {
        // Given: every node on one port, each under a name of its own (SNI routing)
        final BrokerEndpointMapper namedNodes = new BrokerEndpointMapper()
        {
            @Override
            public int proxyPort(final int nodeId, final String brokerHost, final int brokerPort)
            {
                return 9443;
            }

            @Override
            public String advertisedHost()
            {
                return "bootstrap.example";
            }

            @Override
            public String advertisedHost(final int nodeId)
            {
                return "broker-" + nodeId + ".example";
            }
        };
        final short version = 12;
        final MetadataResponseData original = response(false);
        final UnsafeBuffer buffer = WireFixtures.serialize(original, version);
        final int bodyLength = WireFixtures.bodyLength(original, version);

        // When
        rewriter.rewrite(buffer, WireFixtures.BODY_OFFSET, bodyLength, version, namedNodes, splice);

        // Then
        final MetadataResponseData actual = new MetadataResponseData(
            WireFixtures.accessor(WireFixtures.spliced(buffer, WireFixtures.BODY_OFFSET, bodyLength, splice)), version);
        for (final int nodeId : NODE_IDS)
        {
            assertThat(actual.brokers().find(nodeId).host()).isEqualTo("broker-" + nodeId + ".example");
            assertThat(actual.brokers().find(nodeId).port()).isEqualTo(9443);
        }
    }

    @Test
    void shouldReportPendingWhenAListenerIsStillStarting()
    {
        // Given
        mapper.forcedPorts.put(1000, BrokerEndpointMapper.PORT_PENDING);
        final MetadataResponseData original = response(false);
        final UnsafeBuffer buffer = WireFixtures.serialize(original, (short)9);

        // When
        final int outcome = rewriter.rewrite(buffer, WireFixtures.BODY_OFFSET,
            WireFixtures.bodyLength(original, (short)9), (short)9, mapper, splice);

        // Then: every node was still offered to the mapper, so all listeners start at once
        assertThat(outcome).isEqualTo(RewriteOutcome.ENDPOINTS_PENDING);
        assertThat(mapper.brokerAddresses).containsOnlyKeys(1, 1000, 2_000_000_000);
    }

    @Test
    void shouldReportUnavailableOverPending()
    {
        // Given
        mapper.forcedPorts.put(1, BrokerEndpointMapper.PORT_UNAVAILABLE);
        mapper.forcedPorts.put(1000, BrokerEndpointMapper.PORT_PENDING);
        final MetadataResponseData original = response(false);
        final UnsafeBuffer buffer = WireFixtures.serialize(original, (short)1);

        // When
        final int outcome = rewriter.rewrite(buffer, WireFixtures.BODY_OFFSET,
            WireFixtures.bodyLength(original, (short)1), (short)1, mapper, splice);

        // Then
        assertThat(outcome).isEqualTo(RewriteOutcome.ENDPOINTS_UNAVAILABLE);
    }

    @Test
    void shouldRejectTruncatedBrokersArray()
    {
        // Given
        final MetadataResponseData original = response(false);
        final UnsafeBuffer buffer = WireFixtures.serialize(original, (short)5);

        // When / Then
        assertThatThrownBy(() -> rewriter.rewrite(buffer, WireFixtures.BODY_OFFSET, 20, (short)5, mapper, splice))
            .isInstanceOf(MalformedFrameException.class);
    }

    private static MetadataResponseData response(final boolean rewritten)
    {
        final MetadataResponseData data = new MetadataResponseData()
            .setThrottleTimeMs(5)
            .setClusterId("cluster-a")
            .setControllerId(1000);
        for (final int nodeId : NODE_IDS)
        {
            data.brokers().add(new MetadataResponseBroker()
                .setNodeId(nodeId)
                .setHost(rewritten ? ADVERTISED_HOST : "broker-" + nodeId + ".internal")
                .setPort(rewritten ? proxyPortOf(nodeId) : 9092)
                .setRack(nodeId == 1 ? null : "rack-" + nodeId));
        }
        final MetadataResponseTopic topic = new MetadataResponseTopic()
            .setName("orders")
            .setTopicId(new Uuid(0x1234L, 0x5678L))
            .setPartitions(List.of(new MetadataResponsePartition()
                .setPartitionIndex(0)
                .setLeaderId(1000)
                .setLeaderEpoch(3)
                .setReplicaNodes(List.of(1, 1000))
                .setIsrNodes(List.of(1, 1000))
                .setOfflineReplicas(List.of())));
        data.topics().add(topic);
        return data;
    }
}

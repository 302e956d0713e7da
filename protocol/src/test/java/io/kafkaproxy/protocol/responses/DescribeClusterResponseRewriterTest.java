package io.kafkaproxy.protocol.responses;

import io.kafkaproxy.protocol.WireFixtures;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeClusterResponseData.DescribeClusterBroker;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static io.kafkaproxy.protocol.WireFixtures.RecordingMapper.ADVERTISED_HOST;
import static io.kafkaproxy.protocol.WireFixtures.RecordingMapper.proxyPortOf;
import static org.assertj.core.api.Assertions.assertThat;

class DescribeClusterResponseRewriterTest
{
    private final EndpointArrayRewriter endpoints = new EndpointArrayRewriter();
    private final ResponseSplice splice = new ResponseSplice();
    private final WireFixtures.RecordingMapper mapper = new WireFixtures.RecordingMapper();

    @Test
    void shouldRewriteEveryBrokerOfEveryVersion()
    {
        for (short version = ApiKeys.DESCRIBE_CLUSTER.oldestVersion(); version <= ApiKeys.DESCRIBE_CLUSTER.latestVersion(true); version++)
        {
            // Given
            final DescribeClusterResponseData original = response(version, false);
            final UnsafeBuffer buffer = WireFixtures.serialize(original, version);
            final int bodyLength = WireFixtures.bodyLength(original, version);

            // When
            final int outcome = DescribeClusterResponseRewriter.rewrite(
                endpoints.wrap(buffer, WireFixtures.BODY_OFFSET, bodyLength, mapper, splice), version);

            // Then
            assertThat(outcome).as("v%d", version).isEqualTo(RewriteOutcome.SPLICED);
            final ByteBuffer rewritten = WireFixtures.spliced(buffer, WireFixtures.BODY_OFFSET, bodyLength, splice);
            assertThat(new DescribeClusterResponseData(WireFixtures.accessor(rewritten), version))
                .as("v%d", version)
                .isEqualTo(WireFixtures.roundTrip(response(version, true), version, DescribeClusterResponseData::new));
        }
    }

    @Test
    void shouldPresentTheMapperClusterIdInEveryVersion()
    {
        for (short version = ApiKeys.DESCRIBE_CLUSTER.oldestVersion(); version <= ApiKeys.DESCRIBE_CLUSTER.latestVersion(true); version++)
        {
            // Given
            mapper.clusterId = "virtual-cluster-east";
            final DescribeClusterResponseData original = response(version, false);
            final UnsafeBuffer buffer = WireFixtures.serialize(original, version);
            final int bodyLength = WireFixtures.bodyLength(original, version);

            // When
            final int outcome = DescribeClusterResponseRewriter.rewrite(
                endpoints.wrap(buffer, WireFixtures.BODY_OFFSET, bodyLength, mapper, splice), version);

            // Then
            assertThat(outcome).as("v%d", version).isEqualTo(RewriteOutcome.SPLICED);
            final ByteBuffer rewritten = WireFixtures.spliced(buffer, WireFixtures.BODY_OFFSET, bodyLength, splice);
            assertThat(new DescribeClusterResponseData(WireFixtures.accessor(rewritten), version))
                .as("v%d", version)
                .isEqualTo(WireFixtures.roundTrip(response(version, true).setClusterId("virtual-cluster-east"), version,
                    DescribeClusterResponseData::new));
        }
    }

    private static DescribeClusterResponseData response(final short version, final boolean rewritten)
    {
        final DescribeClusterResponseData data = new DescribeClusterResponseData()
            .setThrottleTimeMs(1)
            .setErrorMessage("note")
            .setEndpointType((byte)1)
            .setClusterId("cluster-a")
            .setControllerId(2)
            .setClusterAuthorizedOperations(42);
        for (final int nodeId : new int[] {2, 31337})
        {
            data.brokers().add(new DescribeClusterBroker()
                .setBrokerId(nodeId)
                .setHost(rewritten ? ADVERTISED_HOST : "10.0.0." + (nodeId % 250))
                .setPort(rewritten ? proxyPortOf(nodeId) : 9092)
                .setRack(nodeId == 2 ? "r1" : null)
                .setIsFenced(version >= 2 && nodeId == 31337));
        }
        return data;
    }
}

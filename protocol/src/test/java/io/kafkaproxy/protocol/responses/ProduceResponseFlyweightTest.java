package io.kafkaproxy.protocol.responses;

import io.kafkaproxy.protocol.WireFixtures;
import io.kafkaproxy.protocol.wire.MalformedFrameException;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.BatchIndexAndErrorMessage;
import org.apache.kafka.common.message.ProduceResponseData.LeaderIdAndEpoch;
import org.apache.kafka.common.message.ProduceResponseData.NodeEndpoint;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.types.RawTaggedField;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProduceResponseFlyweightTest
{
    private static final short FIRST_MIRROR_VERSION = 3;
    private static final short LAST_VERSION = 13;

    @Test
    void shouldReadEveryPartitionsTopicIndexAndErrorCodeAsKafkaClientsWroteThemInEveryVersion()
    {
        for (short version = FIRST_MIRROR_VERSION; version <= LAST_VERSION; version++)
        {
            // Given
            final ProduceResponseData response = response(version);
            final UnsafeBuffer buffer = WireFixtures.serialize(response, version);
            final ProduceResponseFlyweight flyweight = new ProduceResponseFlyweight();

            // When
            flyweight.wrap(buffer, WireFixtures.BODY_OFFSET, WireFixtures.bodyLength(response, version), version);
            final List<String> read = new ArrayList<>();
            while (flyweight.nextPartition())
            {
                read.add(topicOf(flyweight, buffer, version) + "/" + flyweight.partitionIndex() + "=" + flyweight.errorCode());
            }

            // Then
            final List<String> expected = new ArrayList<>();
            for (final TopicProduceResponse topic : response.responses())
            {
                for (final PartitionProduceResponse partition : topic.partitionResponses())
                {
                    expected.add((version >= 13 ? topic.topicId().toString() : topic.name()) + "/" + partition.index() + "=" +
                        partition.errorCode());
                }
            }
            assertThat(read).as("version %d", version).isEqualTo(expected);
        }
    }

    @Test
    void shouldCompareTheTopicNameWithoutBuildingAString()
    {
        // Given
        final short version = 9;
        final ProduceResponseData response = response(version);
        final UnsafeBuffer buffer = WireFixtures.serialize(response, version);
        final int length = WireFixtures.bodyLength(response, version);
        final ProduceResponseFlyweight flyweight = new ProduceResponseFlyweight().wrap(buffer, WireFixtures.BODY_OFFSET, length, version);

        // When
        flyweight.nextPartition();

        // Then
        assertThat(flyweight.topicNameEquals("orders")).isTrue();
        assertThat(flyweight.topicNameEquals("orderz")).isFalse();
        assertThat(flyweight.topicNameEquals("orders-2")).isFalse();
        assertThat(WireFixtures.allocatedBytes(1_000, () ->
        {
            flyweight.wrap(buffer, WireFixtures.BODY_OFFSET, length, version);
            while (flyweight.nextPartition())
            {
                flyweight.topicNameEquals("orders");
            }
        })).isZero();
    }

    @Test
    void shouldReadAResponseWithoutTopicsOrWithATopicWithoutPartitions()
    {
        // Given
        final short version = 11;
        final ProduceResponseData response = new ProduceResponseData();
        response.responses().add(new TopicProduceResponse().setName("empty"));
        response.responses().add(new TopicProduceResponse().setName("one").setPartitionResponses(List.of(
            new PartitionProduceResponse().setIndex(4).setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code()))));
        final UnsafeBuffer buffer = WireFixtures.serialize(response, version);
        final ProduceResponseFlyweight flyweight = new ProduceResponseFlyweight()
            .wrap(buffer, WireFixtures.BODY_OFFSET, WireFixtures.bodyLength(response, version), version);

        // When
        final boolean first = flyweight.nextPartition();

        // Then
        assertThat(first).isTrue();
        assertThat(flyweight.topicNameEquals("one")).isTrue();
        assertThat(flyweight.partitionIndex()).isEqualTo(4);
        assertThat(flyweight.errorCode()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER.code());
        assertThat(flyweight.nextPartition()).isFalse();
        final UnsafeBuffer empty = WireFixtures.serialize(new ProduceResponseData(), version);
        assertThat(flyweight.wrap(empty, WireFixtures.BODY_OFFSET, WireFixtures.bodyLength(new ProduceResponseData(), version), version)
            .nextPartition()).isFalse();
    }

    @Test
    void shouldRefuseAResponseCutShort()
    {
        for (short version = FIRST_MIRROR_VERSION; version <= LAST_VERSION; version++)
        {
            // Given
            final ProduceResponseData response = response(version);
            final UnsafeBuffer buffer = WireFixtures.serialize(response, version);
            final int cut = WireFixtures.bodyLength(response, version) / 2;
            final ProduceResponseFlyweight flyweight = new ProduceResponseFlyweight()
                .wrap(buffer, WireFixtures.BODY_OFFSET, cut, version);
            final short at = version;

            // When / Then
            assertThatThrownBy(() ->
            {
                while (flyweight.nextPartition())
                {
                    flyweight.errorCode();
                }
            }).as("version %d", at).isInstanceOf(MalformedFrameException.class);
        }
    }

    private static String topicOf(final ProduceResponseFlyweight flyweight, final UnsafeBuffer buffer, final short version)
    {
        if (version >= 13)
        {
            return new Uuid(flyweight.topicIdMostSignificantBits(), flyweight.topicIdLeastSignificantBits()).toString();
        }
        return buffer.getStringWithoutLengthUtf8(flyweight.topicNameOffset(), flyweight.topicNameLength());
    }

    /**
     * Two topics (one with a long name), partitions stored and refused, record errors and messages (v8+), the current
     * leader (v10+), unknown tagged fields (v9+) and node endpoints (v10+): every field the flyweight must skip.
     */
    private static ProduceResponseData response(final short version)
    {
        final ProduceResponseData response = new ProduceResponseData().setThrottleTimeMs(12);
        final String[] names = {"orders", "payments-" + "x".repeat(200)};
        for (int t = 0; t < names.length; t++)
        {
            final List<PartitionProduceResponse> partitions = new ArrayList<>();
            for (int p = 0; p < 3; p++)
            {
                final boolean failed = p == 1;
                final PartitionProduceResponse partition = new PartitionProduceResponse()
                    .setIndex(p * 7 + t)
                    .setErrorCode(failed ? Errors.NOT_LEADER_OR_FOLLOWER.code() : 0)
                    .setBaseOffset(1000L * p)
                    .setLogAppendTimeMs(1_700_000_000_000L)
                    .setLogStartOffset(17L);
                if (version >= 8 && failed)
                {
                    partition.setErrorMessage("not the leader \u00e9")
                        .setRecordErrors(List.of(new BatchIndexAndErrorMessage().setBatchIndex(3).setBatchIndexErrorMessage("bad key"),
                            new BatchIndexAndErrorMessage().setBatchIndex(4).setBatchIndexErrorMessage(null)));
                }
                if (version >= 10 && failed)
                {
                    partition.setCurrentLeader(new LeaderIdAndEpoch().setLeaderId(2).setLeaderEpoch(9));
                }
                if (version >= 9)
                {
                    partition.unknownTaggedFields().add(new RawTaggedField(5, new byte[] {1, 2}));
                }
                partitions.add(partition);
            }
            final TopicProduceResponse topic = new TopicProduceResponse()
                .setName(version >= 13 ? "" : names[t])
                .setTopicId(new Uuid(t + 1L, t + 2L))
                .setPartitionResponses(partitions);
            if (version >= 9)
            {
                topic.unknownTaggedFields().add(new RawTaggedField(8, new byte[130]));
            }
            response.responses().add(topic);
        }
        if (version >= 10)
        {
            response.nodeEndpoints().add(new NodeEndpoint().setNodeId(2).setHost("broker-2").setPort(9092));
        }
        return response;
    }
}

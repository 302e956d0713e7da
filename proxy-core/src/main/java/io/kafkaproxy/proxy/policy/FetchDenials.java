package io.kafkaproxy.proxy.policy;

import io.kafkaproxy.proxy.request.RequestDecision;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.record.internal.MemoryRecords;

import java.util.Collection;
import java.util.ArrayList;
import java.util.List;

/**
 * The rare path of a Fetch request with denied topics: the request goes on without them (even with none left,
 * so the broker's fetch session and max_wait_ms still hold), and the broker's answer gets them back with their
 * error next to the real data of the allowed ones.
 *
 * <p>Read and written with Kafka's generated classes; the hot path (nothing denied) never comes here. Rewriting
 * the response copies its records once, on this path only.
 */
final class FetchDenials extends TopicDenials<FetchRequestData, FetchTopic, FetchableTopicResponse, FetchResponseData>
{
    FetchDenials()
    {
    }

    @Override
    void decide(
        final ByteBufAllocator alloc, final ByteBuf frame, final int bodyOffset, final short apiVersion,
        final FetchRequestData request, final RequestDecision outcome)
    {
        outcome.forward(KafkaMessageFrames.withBody(alloc, frame, bodyOffset, request, apiVersion), this);
    }

    @Override
    FetchRequestData parseRequest(final ByteBufferAccessor body, final short apiVersion)
    {
        return new FetchRequestData(body, apiVersion);
    }

    @Override
    Collection<FetchTopic> topics(final FetchRequestData request)
    {
        return request.topics();
    }

    @Override
    String name(final FetchTopic topic)
    {
        return topic.topic();
    }

    @Override
    Uuid id(final FetchTopic topic)
    {
        return topic.topicId();
    }

    @Override
    FetchableTopicResponse deniedAnswer(final FetchTopic topic, final short error)
    {
        final List<PartitionData> partitions = new ArrayList<>(topic.partitions().size());
        for (final FetchPartition partition : topic.partitions())
        {
            partitions.add(new PartitionData()
                .setPartitionIndex(partition.partition())
                .setErrorCode(error)
                .setHighWatermark(-1)
                .setLastStableOffset(-1)
                .setLogStartOffset(-1)
                .setRecords(MemoryRecords.EMPTY));
        }
        return new FetchableTopicResponse().setTopic(topic.topic()).setTopicId(topic.topicId()).setPartitions(partitions);
    }

    @Override
    int partitionCount(final FetchableTopicResponse answer)
    {
        return answer.partitions().size();
    }

    @Override
    FetchResponseData parseResponse(final ByteBufferAccessor body, final short apiVersion)
    {
        return new FetchResponseData(body, apiVersion);
    }

    @Override
    Collection<FetchableTopicResponse> responses(final FetchResponseData response)
    {
        return response.responses();
    }
}

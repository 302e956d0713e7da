package io.kafkaproxy.proxy.policy;

import io.kafkaproxy.proxy.request.RequestDecision;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.ByteBufferAccessor;

import java.util.Collection;
import java.util.ArrayList;
import java.util.List;

/**
 * The rare path of a Produce request with denied topics: the request goes on without them, and the broker's answer
 * gets them back with their error, so allowed partitions in the same request get the broker's real answer.
 *
 * <p>Read and written with Kafka's generated classes; the hot path (nothing denied) never comes here.
 */
final class ProduceDenials extends TopicDenials<ProduceRequestData, TopicProduceData, TopicProduceResponse, ProduceResponseData>
{
    ProduceDenials()
    {
    }

    @Override
    void decide(
        final ByteBufAllocator alloc, final ByteBuf frame, final int bodyOffset, final short apiVersion,
        final ProduceRequestData request, final RequestDecision outcome)
    {
        if (request.acks() == 0)
        {
            // No answer will come: the denied part is dropped (and counted), the rest goes on.
            if (request.topicData().isEmpty())
            {
                outcome.drop();
            }
            else
            {
                outcome.forward(KafkaMessageFrames.withBody(alloc, frame, bodyOffset, request, apiVersion), null);
            }
            return;
        }
        if (request.topicData().isEmpty())
        {
            outcome.answer(merged(new ProduceResponseData()));
        }
        else
        {
            outcome.forward(KafkaMessageFrames.withBody(alloc, frame, bodyOffset, request, apiVersion), this);
        }
    }

    @Override
    ProduceRequestData parseRequest(final ByteBufferAccessor body, final short apiVersion)
    {
        return new ProduceRequestData(body, apiVersion);
    }

    @Override
    Collection<TopicProduceData> topics(final ProduceRequestData request)
    {
        return request.topicData();
    }

    @Override
    String name(final TopicProduceData topic)
    {
        return topic.name();
    }

    @Override
    Uuid id(final TopicProduceData topic)
    {
        return topic.topicId();
    }

    @Override
    TopicProduceResponse deniedAnswer(final TopicProduceData topic, final short error)
    {
        final List<PartitionProduceResponse> partitions = new ArrayList<>(topic.partitionData().size());
        for (final PartitionProduceData partition : topic.partitionData())
        {
            partitions.add(new PartitionProduceResponse()
                .setIndex(partition.index())
                .setErrorCode(error)
                .setBaseOffset(-1)
                .setLogAppendTimeMs(-1)
                .setLogStartOffset(-1));
        }
        return new TopicProduceResponse().setName(topic.name()).setTopicId(topic.topicId()).setPartitionResponses(partitions);
    }

    @Override
    int partitionCount(final TopicProduceResponse answer)
    {
        return answer.partitionResponses().size();
    }

    @Override
    ProduceResponseData parseResponse(final ByteBufferAccessor body, final short apiVersion)
    {
        return new ProduceResponseData(body, apiVersion);
    }

    @Override
    Collection<TopicProduceResponse> responses(final ProduceResponseData response)
    {
        return response.responses();
    }
}

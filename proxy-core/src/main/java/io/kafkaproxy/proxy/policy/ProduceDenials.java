package io.kafkaproxy.proxy.policy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.Errors;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The rare path of a Produce request with denied topics: the request goes on without them, and the broker's answer
 * gets them back with their error, so allowed partitions in the same request get the broker's real answer.
 *
 * <p>Read and written with Kafka's generated classes; the hot path (nothing denied) never comes here.
 */
final class ProduceDenials implements ResponseAmendment
{
    private final List<TopicProduceResponse> denied;

    private ProduceDenials(final List<TopicProduceResponse> denied)
    {
        this.denied = denied;
    }

    /**
     * Splits a request with at least one denied topic.
     *
     * @param alloc      allocates the new frame.
     * @param frame      the request, size field first; not released here.
     * @param bodyOffset where its body starts.
     * @param apiVersion its version.
     * @param verdicts   decides each topic.
     * @param outcome    receives the outcome.
     */
    static void split(
        final ByteBufAllocator alloc,
        final ByteBuf frame,
        final int bodyOffset,
        final short apiVersion,
        final TopicVerdicts verdicts,
        final PolicyOutcome outcome)
    {
        final ProduceRequestData request = new ProduceRequestData(KafkaMessageFrames.body(frame, bodyOffset), apiVersion);
        final List<TopicProduceResponse> denied = new ArrayList<>();
        int deniedPartitions = 0;
        final Iterator<TopicProduceData> topics = request.topicData().iterator();
        while (topics.hasNext())
        {
            final TopicProduceData topic = topics.next();
            final short error = verdicts.errorFor(apiVersion >= 13 ? null : topic.name(), apiVersion >= 13 ? topic.topicId() : org.apache.kafka.common.Uuid.ZERO_UUID);
            if (error == Errors.NONE.code())
            {
                continue;
            }
            topics.remove();
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
            deniedPartitions += partitions.size();
            denied.add(new TopicProduceResponse().setName(topic.name()).setTopicId(topic.topicId()).setPartitionResponses(partitions));
        }
        outcome.deniedPartitions(deniedPartitions);
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
        final ProduceDenials amendment = new ProduceDenials(denied);
        if (request.topicData().isEmpty())
        {
            outcome.answer(amendment.merged(new ProduceResponseData()));
        }
        else
        {
            outcome.forward(KafkaMessageFrames.withBody(alloc, frame, bodyOffset, request, apiVersion), amendment);
        }
    }

    private ProduceResponseData merged(final ProduceResponseData response)
    {
        for (final TopicProduceResponse topic : denied)
        {
            response.responses().add(topic.duplicate());
        }
        return response;
    }

    @Override
    public ByteBuf amend(final ByteBufAllocator alloc, final ByteBuf response, final int bodyOffset, final short apiVersion)
    {
        try
        {
            final ProduceResponseData data = new ProduceResponseData(KafkaMessageFrames.body(response, bodyOffset), apiVersion);
            return KafkaMessageFrames.withBody(alloc, response, bodyOffset, merged(data), apiVersion);
        }
        finally
        {
            response.release();
        }
    }
}

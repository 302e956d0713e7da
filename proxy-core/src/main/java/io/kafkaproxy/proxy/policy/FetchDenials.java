package io.kafkaproxy.proxy.policy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The rare path of a Fetch request with denied topics: the request goes on without them (even with none left,
 * so the broker's fetch session and max_wait_ms still hold), and the broker's answer gets them back with their
 * error next to the real data of the allowed ones.
 *
 * <p>Read and written with Kafka's generated classes; the hot path (nothing denied) never comes here. Rewriting
 * the response copies its records once, on this path only.
 */
final class FetchDenials implements ResponseAmendment
{
    private static final short FIRST_TOPIC_ID_VERSION = 13;

    private final List<FetchableTopicResponse> denied;

    private FetchDenials(final List<FetchableTopicResponse> denied)
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
        final FetchRequestData request = new FetchRequestData(KafkaMessageFrames.body(frame, bodyOffset), apiVersion);
        final boolean byId = apiVersion >= FIRST_TOPIC_ID_VERSION;
        final List<FetchableTopicResponse> denied = new ArrayList<>();
        int deniedPartitions = 0;
        final Iterator<FetchTopic> topics = request.topics().iterator();
        while (topics.hasNext())
        {
            final FetchTopic topic = topics.next();
            final short error = verdicts.errorFor(byId ? null : topic.topic(), byId ? topic.topicId() : Uuid.ZERO_UUID);
            if (error == Errors.NONE.code())
            {
                continue;
            }
            topics.remove();
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
            deniedPartitions += partitions.size();
            denied.add(new FetchableTopicResponse().setTopic(topic.topic()).setTopicId(topic.topicId()).setPartitions(partitions));
        }
        outcome.deniedPartitions(deniedPartitions);
        outcome.forward(KafkaMessageFrames.withBody(alloc, frame, bodyOffset, request, apiVersion), new FetchDenials(denied));
    }

    @Override
    public ByteBuf amend(final ByteBufAllocator alloc, final ByteBuf response, final int bodyOffset, final short apiVersion)
    {
        try
        {
            final FetchResponseData data = new FetchResponseData(KafkaMessageFrames.body(response, bodyOffset), apiVersion);
            for (final FetchableTopicResponse topic : denied)
            {
                data.responses().add(topic.duplicate());
            }
            return KafkaMessageFrames.withBody(alloc, response, bodyOffset, data, apiVersion);
        }
        finally
        {
            response.release();
        }
    }
}

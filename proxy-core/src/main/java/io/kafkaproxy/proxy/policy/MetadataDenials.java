package io.kafkaproxy.proxy.policy;

import io.kafkaproxy.proxy.request.ResponseAmendment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.Errors;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Takes the topics a client may not describe out of a Metadata response, the way a broker does: a topic the
 * client asked for by name stays, answered with TOPIC_AUTHORIZATION_FAILED and nothing else; a topic it would
 * only see by listing all topics is left out.
 *
 * <p>Made only while a rule can deny describing topics to the client; reads and writes the response with Kafka's
 * generated classes, and leaves it untouched when nothing in it is denied.
 */
final class MetadataDenials implements ResponseAmendment
{
    private final boolean listsAllTopics;
    private final TopicVerdicts verdicts;
    private final List<String> deniedNames = new ArrayList<>(0);

    private MetadataDenials(final boolean listsAllTopics, final TopicVerdicts verdicts)
    {
        this.listsAllTopics = listsAllTopics;
        this.verdicts = verdicts;
    }

    /**
     * The amendment for one Metadata request.
     *
     * @param frame      the request, size field first; not released here.
     * @param bodyOffset where its body starts.
     * @param apiVersion its version.
     * @param verdicts   decides each topic of the response.
     * @return the amendment to apply to its response.
     */
    static MetadataDenials forRequest(final ByteBuf frame, final int bodyOffset, final short apiVersion, final TopicVerdicts verdicts)
    {
        final MetadataRequestData request =
            KafkaMessageFrames.read(frame, bodyOffset, apiVersion, body -> new MetadataRequestData(body, apiVersion));
        // v0 asks for every topic with an empty list; later versions with a null one.
        final boolean all = request.topics() == null || (apiVersion == 0 && request.topics().isEmpty());
        return new MetadataDenials(all, verdicts);
    }

    /**
     * The topics this amendment denied, for the audit log.
     *
     * @return the names, empty before {@link #amend} or when nothing was denied.
     */
    List<String> deniedNames()
    {
        return deniedNames;
    }

    @Override
    public ByteBuf amend(final ByteBufAllocator alloc, final ByteBuf response, final int bodyOffset, final short apiVersion)
    {
        final MetadataResponseData data =
            KafkaMessageFrames.read(response, bodyOffset, apiVersion, body -> new MetadataResponseData(body, apiVersion));
        final Iterator<MetadataResponseTopic> topics = data.topics().iterator();
        final List<MetadataResponseTopic> hidden = new ArrayList<>(0);
        while (topics.hasNext())
        {
            final MetadataResponseTopic topic = topics.next();
            if (topic.name() == null || verdicts.errorFor(topic.name(), Uuid.ZERO_UUID) == Errors.NONE.code())
            {
                continue;
            }
            deniedNames.add(topic.name());
            topics.remove();
            if (!listsAllTopics)
            {
                hidden.add(new MetadataResponseTopic()
                    .setName(topic.name())
                    .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
                    .setTopicId(Uuid.ZERO_UUID)
                    .setIsInternal(false)
                    .setPartitions(List.of())
                    .setTopicAuthorizedOperations(topic.topicAuthorizedOperations()));
            }
        }
        if (deniedNames.isEmpty())
        {
            return response;
        }
        try
        {
            for (final MetadataResponseTopic topic : hidden)
            {
                data.topics().add(topic);
            }
            return KafkaMessageFrames.withBody(alloc, response, bodyOffset, data, apiVersion);
        }
        finally
        {
            response.release();
        }
    }
}

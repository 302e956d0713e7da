package io.kafkaproxy.protocol.responses;

import io.kafkaproxy.protocol.wire.ApiHeaderVersions;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.protocol.wire.KafkaWireReader;
import io.kafkaproxy.protocol.wire.MalformedFrameException;
import io.kafkaproxy.protocol.wire.TopicEntryCursor;
import org.agrona.DirectBuffer;

import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.agrona.BitUtil.SIZE_OF_SHORT;

/**
 * View over the body of a Metadata response, v0 to v13, with a cursor that walks its topics one entry at a time,
 * so that the caller can filter them (hide topics a principal may not describe).
 *
 * <pre>
 *  [throttle_time_ms int32 (v3+)]
 *  brokers [ node_id int32 | host string | port int32 | [rack nullable string (v1+)] | tagged fields (v9+) ]
 *  [cluster_id nullable string (v2+)] | [controller_id int32 (v1+)]
 *  topics [
 *      error_code int16 | name string (nullable v12+) | [topic_id uuid (v10+)] | [is_internal bool (v1+)]
 *      partitions [ error_code int16 | partition_index int32 | leader_id int32 | [leader_epoch int32 (v7+)]
 *                   | replica_nodes []int32 | isr_nodes []int32 | [offline_replicas []int32 (v5+)]
 *                   | tagged fields (v9+) ]
 *      [topic_authorized_operations int32 (v8+)] | tagged fields (v9+)
 *  ]
 *  [cluster_authorized_operations int32 (v8-v10)] | [error_code int16 (v13+)] | tagged fields (v9+)   (not read)
 * </pre>
 *
 * From v9, the first flexible version, strings and arrays carry compact (varint) lengths. {@link #wrap} skips
 * everything ahead of the topics; each {@link #nextTopic()} reads one whole topic entry and records its byte
 * range (the walk is {@link TopicEntryCursor}'s), so a caller can drop it (and must then rewrite the count at
 * {@link #topicArrayOffset()}). Not thread safe; one instance per connection or per thread, re-wrapped for each
 * response.
 */
public final class MetadataResponseFlyweight extends TopicEntryCursor
{
    private static final short FIRST_CONTROLLER_VERSION = 1;
    private static final short FIRST_RACK_VERSION = 1;
    private static final short FIRST_INTERNAL_VERSION = 1;
    private static final short FIRST_CLUSTER_ID_VERSION = 2;
    private static final short FIRST_THROTTLE_VERSION = 3;
    private static final short FIRST_OFFLINE_REPLICAS_VERSION = 5;
    private static final short FIRST_LEADER_EPOCH_VERSION = 7;
    private static final short FIRST_AUTHORIZED_OPERATIONS_VERSION = 8;
    private static final short FIRST_TOPIC_ID_VERSION = 10;
    private static final short FIRST_NULLABLE_NAME_VERSION = 12;
    private static final int PARTITION_FIXED_LENGTH = SIZE_OF_SHORT + SIZE_OF_INT + SIZE_OF_INT;

    private short apiVersion;
    private boolean flexible;
    private short topicErrorCode;
    private boolean isInternal;

    /**
     * Wraps a Metadata response body and skips to its topics.
     *
     * @param buffer     the buffer holding the response.
     * @param offset     the offset of the body.
     * @param length     the body length.
     * @param apiVersion the response version.
     * @return this flyweight, with the topic cursor before the first topic.
     * @throws MalformedFrameException if the fields ahead of the topics run past the body or carry a hostile
     *                                 length.
     */
    public MetadataResponseFlyweight wrap(final DirectBuffer buffer, final int offset, final int length, final short apiVersion)
    {
        this.apiVersion = apiVersion;
        flexible = ApiHeaderVersions.isFlexible(ApiKeyIds.METADATA, apiVersion);
        final KafkaWireReader reader = reader().wrap(buffer, offset, length);
        if (apiVersion >= FIRST_THROTTLE_VERSION)
        {
            reader.skip(SIZE_OF_INT, "throttle_time_ms");
        }
        skipBrokers(reader);
        if (apiVersion >= FIRST_CLUSTER_ID_VERSION)
        {
            reader.skipString(flexible, "cluster_id");
        }
        if (apiVersion >= FIRST_CONTROLLER_VERSION)
        {
            reader.skip(SIZE_OF_INT, "controller_id");
        }
        topicErrorCode = 0;
        isInternal = false;
        beginTopics(flexible, "topics");
        return this;
    }

    /**
     * The error the broker reports for the current topic.
     *
     * @return error_code of the topic entry.
     */
    public short topicErrorCode()
    {
        return topicErrorCode;
    }

    /**
     * Whether the current topic is internal ({@code __consumer_offsets}, {@code __transaction_state}).
     *
     * @return is_internal, or false in v0.
     */
    public boolean isInternal()
    {
        return isInternal;
    }

    @Override
    protected void readTopicEntry()
    {
        final KafkaWireReader reader = reader();
        topicErrorCode = reader.readInt16("error_code");
        readTopicName(apiVersion >= FIRST_NULLABLE_NAME_VERSION, "name");
        if (apiVersion >= FIRST_TOPIC_ID_VERSION)
        {
            readTopicId();
        }
        isInternal = apiVersion >= FIRST_INTERNAL_VERSION && reader.readInt8("is_internal") != 0;
        final int partitionCount = readPartitionCount("partitions");
        for (int i = 0; i < partitionCount; i++)
        {
            skipPartition(reader);
        }
        if (apiVersion >= FIRST_AUTHORIZED_OPERATIONS_VERSION)
        {
            reader.skip(SIZE_OF_INT, "topic_authorized_operations");
        }
    }

    private void skipBrokers(final KafkaWireReader reader)
    {
        final int brokerCount = reader.readNonNullableArrayLength(flexible, "brokers");
        for (int i = 0; i < brokerCount; i++)
        {
            reader.skip(SIZE_OF_INT, "node_id");
            reader.skip(reader.readNonNullableStringLength(flexible, "host"), "host");
            reader.skip(SIZE_OF_INT, "port");
            if (apiVersion >= FIRST_RACK_VERSION)
            {
                reader.skipString(flexible, "rack");
            }
            reader.skipTaggedFields(flexible, "brokers");
        }
    }

    private void skipPartition(final KafkaWireReader reader)
    {
        reader.skip(PARTITION_FIXED_LENGTH, "partitions");
        if (apiVersion >= FIRST_LEADER_EPOCH_VERSION)
        {
            reader.skip(SIZE_OF_INT, "leader_epoch");
        }
        skipNodeIds(reader, "replica_nodes");
        skipNodeIds(reader, "isr_nodes");
        if (apiVersion >= FIRST_OFFLINE_REPLICAS_VERSION)
        {
            skipNodeIds(reader, "offline_replicas");
        }
        reader.skipTaggedFields(flexible, "partitions");
    }

    private void skipNodeIds(final KafkaWireReader reader, final String field)
    {
        reader.skipFixedSizeElements(reader.readNonNullableArrayLength(flexible, field), SIZE_OF_INT, field);
    }
}

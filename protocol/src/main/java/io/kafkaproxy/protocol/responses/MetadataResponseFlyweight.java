package io.kafkaproxy.protocol.responses;

import io.kafkaproxy.protocol.wire.ApiHeaderVersions;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.protocol.wire.KafkaWireReader;
import io.kafkaproxy.protocol.wire.MalformedFrameException;
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
 * range, so a caller can drop it (and must then rewrite the count at {@link #topicArrayOffset()}). Not thread
 * safe; one instance per connection or per thread, re-wrapped for each response.
 */
public final class MetadataResponseFlyweight
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

    private final KafkaWireReader reader = new KafkaWireReader();
    private short apiVersion;
    private boolean flexible;
    private int topicArrayOffset;
    private int topicCount;
    private int topicsLeft;
    private int topicEntryOffset;
    private int topicEntryLength;
    private short topicErrorCode;
    private int topicNameOffset;
    private int topicNameLength;
    private long topicIdMostSignificantBits;
    private long topicIdLeastSignificantBits;
    private boolean isInternal;
    private int partitionCount;

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
        reader.wrap(buffer, offset, length);
        if (apiVersion >= FIRST_THROTTLE_VERSION)
        {
            reader.skip(SIZE_OF_INT, "throttle_time_ms");
        }
        skipBrokers();
        if (apiVersion >= FIRST_CLUSTER_ID_VERSION)
        {
            reader.skipString(flexible, "cluster_id");
        }
        if (apiVersion >= FIRST_CONTROLLER_VERSION)
        {
            reader.skip(SIZE_OF_INT, "controller_id");
        }
        topicArrayOffset = reader.position();
        topicCount = reader.readNonNullableArrayLength(flexible, "topics");
        topicsLeft = topicCount;
        topicEntryOffset = reader.position();
        topicEntryLength = 0;
        topicErrorCode = 0;
        topicNameOffset = KafkaWireReader.NULL_LENGTH;
        topicNameLength = KafkaWireReader.NULL_LENGTH;
        topicIdMostSignificantBits = 0;
        topicIdLeastSignificantBits = 0;
        isInternal = false;
        partitionCount = 0;
        return this;
    }

    /**
     * Where the topics array starts: the offset of its count, which a caller dropping topics rewrites.
     *
     * @return the absolute offset of the topics count in the wrapped buffer.
     */
    public int topicArrayOffset()
    {
        return topicArrayOffset;
    }

    /**
     * The number of topic entries in the response.
     *
     * @return the length of topics.
     */
    public int topicCount()
    {
        return topicCount;
    }

    /**
     * Moves the cursor to the next topic entry, reading its fields and skipping its partitions.
     *
     * @return true if a topic was read, false once every topic has been.
     * @throws MalformedFrameException if the entry runs past the body or carries a hostile length.
     */
    public boolean nextTopic()
    {
        if (topicsLeft <= 0)
        {
            return false;
        }
        topicsLeft--;
        topicEntryOffset = reader.position();
        topicErrorCode = reader.readInt16("error_code");
        topicNameLength = apiVersion >= FIRST_NULLABLE_NAME_VERSION ?
            reader.readStringLength(flexible, "name") : reader.readNonNullableStringLength(flexible, "name");
        topicNameOffset = reader.position();
        if (topicNameLength > 0)
        {
            reader.skip(topicNameLength, "name");
        }
        if (apiVersion >= FIRST_TOPIC_ID_VERSION)
        {
            topicIdMostSignificantBits = reader.readInt64("topic_id");
            topicIdLeastSignificantBits = reader.readInt64("topic_id");
        }
        isInternal = apiVersion >= FIRST_INTERNAL_VERSION && reader.readInt8("is_internal") != 0;
        partitionCount = reader.readNonNullableArrayLength(flexible, "partitions");
        for (int i = 0; i < partitionCount; i++)
        {
            skipPartition();
        }
        if (apiVersion >= FIRST_AUTHORIZED_OPERATIONS_VERSION)
        {
            reader.skip(SIZE_OF_INT, "topic_authorized_operations");
        }
        if (flexible)
        {
            reader.skipTaggedFields("topics");
        }
        topicEntryLength = reader.position() - topicEntryOffset;
        return true;
    }

    /**
     * Where the current topic entry starts in the wrapped buffer.
     *
     * @return the absolute offset of the entry's error_code.
     */
    public int topicEntryOffset()
    {
        return topicEntryOffset;
    }

    /**
     * The length of the current topic entry, partitions and tagged fields included.
     *
     * @return the entry length in bytes.
     */
    public int topicEntryLength()
    {
        return topicEntryLength;
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
     * Where the current topic's name starts in the wrapped buffer, as UTF-8 bytes.
     *
     * @return the absolute offset of the name bytes.
     */
    public int topicNameOffset()
    {
        return topicNameOffset;
    }

    /**
     * The length of the current topic's name in bytes.
     *
     * @return the length, or {@link KafkaWireReader#NULL_LENGTH} for a null name (v12+, a topic asked for by an
     *         id the broker does not know).
     */
    public int topicNameLength()
    {
        return topicNameLength;
    }

    /**
     * The high half of the current topic's id.
     *
     * @return the most significant bits, or 0 before v10.
     */
    public long topicIdMostSignificantBits()
    {
        return topicIdMostSignificantBits;
    }

    /**
     * The low half of the current topic's id.
     *
     * @return the least significant bits, or 0 before v10.
     */
    public long topicIdLeastSignificantBits()
    {
        return topicIdLeastSignificantBits;
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

    /**
     * The number of partition entries of the current topic.
     *
     * @return the length of partitions.
     */
    public int partitionCount()
    {
        return partitionCount;
    }

    private void skipBrokers()
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
            if (flexible)
            {
                reader.skipTaggedFields("brokers");
            }
        }
    }

    private void skipPartition()
    {
        reader.skip(PARTITION_FIXED_LENGTH, "partitions");
        if (apiVersion >= FIRST_LEADER_EPOCH_VERSION)
        {
            reader.skip(SIZE_OF_INT, "leader_epoch");
        }
        skipNodeIds("replica_nodes");
        skipNodeIds("isr_nodes");
        if (apiVersion >= FIRST_OFFLINE_REPLICAS_VERSION)
        {
            skipNodeIds("offline_replicas");
        }
        if (flexible)
        {
            reader.skipTaggedFields("partitions");
        }
    }

    private void skipNodeIds(final String field)
    {
        reader.skipFixedSizeElements(reader.readNonNullableArrayLength(flexible, field), SIZE_OF_INT, field);
    }
}

package io.kafkaproxy.protocol.responses;

import io.kafkaproxy.protocol.wire.ApiHeaderVersions;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.protocol.wire.KafkaWireReader;
import io.kafkaproxy.protocol.wire.MalformedFrameException;
import org.agrona.DirectBuffer;

import static org.agrona.BitUtil.SIZE_OF_LONG;

/**
 * A walk over the partitions of a Produce response body, v3 to v13, reading of each only what says whether its
 * records were stored: the topic (name, or id from v13), the partition index and the error code. Everything else is
 * skipped by length.
 *
 * <pre>
 *  responses [ name string (v3-v12) | topic_id uuid (v13+)
 *              partition_responses [ index int32 | error_code int16 | base_offset int64 | log_append_time_ms int64
 *                                    | log_start_offset int64 (v5+)
 *                                    | record_errors [ batch_index int32 | message nullable string | tags (v9+) ] (v8+)
 *                                    | error_message nullable string (v8+) | tags (v9+, current_leader v10+) ]
 *              | tags (v9+) ]
 *  throttle_time_ms int32 | tags (v9+, node_endpoints v10+)                                              (not read)
 * </pre>
 *
 * For produce mirroring, which settles each partition of its requests to a shadow cluster by the answer's error
 * code: the kafka-clients message classes would build objects for every partition of every answer. Allocates nothing.
 * Not thread safe; one instance per thread, re-wrapped for each response.
 */
public final class ProduceResponseFlyweight
{
    private static final short FIRST_LOG_START_OFFSET_VERSION = 5;
    private static final short FIRST_RECORD_ERRORS_VERSION = 8;
    private static final short FIRST_TOPIC_ID_VERSION = 13;

    private final KafkaWireReader reader = new KafkaWireReader();
    private short apiVersion;
    private boolean flexible;
    private int topicsLeft;
    private int partitionsLeft;
    private int topicNameOffset;
    private int topicNameLength;
    private long topicIdMostSignificantBits;
    private long topicIdLeastSignificantBits;
    private int partitionIndex;
    private short errorCode;

    /**
     * Wraps a Produce response body and reads up to its first topic.
     *
     * @param buffer     the buffer holding the response.
     * @param offset     the offset of the body (after the response header).
     * @param length     the length of the body.
     * @param apiVersion the response version, 3 or later.
     * @return this flyweight, before the first partition.
     * @throws MalformedFrameException if the body is shorter than its topic count.
     */
    public ProduceResponseFlyweight wrap(final DirectBuffer buffer, final int offset, final int length, final short apiVersion)
    {
        reader.wrap(buffer, offset, length);
        this.apiVersion = apiVersion;
        this.flexible = ApiHeaderVersions.isFlexible(ApiKeyIds.PRODUCE, apiVersion);
        topicsLeft = reader.readNonNullableArrayLength(flexible, "responses");
        partitionsLeft = 0;
        return this;
    }

    /**
     * Moves to the next partition, of this topic or of the next.
     *
     * @return true if a partition was read, false once every one of every topic has been.
     * @throws MalformedFrameException if a field runs past the body.
     */
    public boolean nextPartition()
    {
        while (partitionsLeft <= 0)
        {
            if (!nextTopic())
            {
                return false;
            }
        }
        partitionsLeft--;
        partitionIndex = reader.readInt32("index");
        errorCode = reader.readInt16("error_code");
        reader.skip(2 * SIZE_OF_LONG, "base_offset, log_append_time_ms");
        if (apiVersion >= FIRST_LOG_START_OFFSET_VERSION)
        {
            reader.skip(SIZE_OF_LONG, "log_start_offset");
        }
        if (apiVersion >= FIRST_RECORD_ERRORS_VERSION)
        {
            int recordErrors = reader.readNonNullableArrayLength(flexible, "record_errors");
            while (recordErrors-- > 0)
            {
                reader.readInt32("batch_index");
                reader.skipString(flexible, "batch_index_error_message");
                reader.skipTaggedFields(flexible, "record_errors");
            }
            reader.skipString(flexible, "error_message");
        }
        reader.skipTaggedFields(flexible, "partition_responses");
        if (partitionsLeft == 0)
        {
            reader.skipTaggedFields(flexible, "responses");
        }
        return true;
    }

    private boolean nextTopic()
    {
        if (topicsLeft <= 0)
        {
            return false;
        }
        topicsLeft--;
        if (apiVersion >= FIRST_TOPIC_ID_VERSION)
        {
            topicIdMostSignificantBits = reader.readInt64("topic_id");
            topicIdLeastSignificantBits = reader.readInt64("topic_id");
            topicNameOffset = reader.position();
            topicNameLength = 0;
        }
        else
        {
            topicNameLength = reader.readNonNullableStringLength(flexible, "name");
            topicNameOffset = reader.position();
            reader.skip(topicNameLength, "name");
        }
        partitionsLeft = reader.readNonNullableArrayLength(flexible, "partition_responses");
        if (partitionsLeft == 0)
        {
            reader.skipTaggedFields(flexible, "responses");
        }
        return true;
    }

    /**
     * Where the current topic's name starts in the wrapped buffer (v3 to v12).
     *
     * @return the absolute offset of its first byte.
     */
    public int topicNameOffset()
    {
        return topicNameOffset;
    }

    /**
     * The length of the current topic's name in bytes (v3 to v12; 0 from v13, which names topics by id).
     *
     * @return the length.
     */
    public int topicNameLength()
    {
        return topicNameLength;
    }

    /**
     * The current topic's id, most significant half (v13+).
     *
     * @return the bits.
     */
    public long topicIdMostSignificantBits()
    {
        return topicIdMostSignificantBits;
    }

    /**
     * The current topic's id, least significant half (v13+).
     *
     * @return the bits.
     */
    public long topicIdLeastSignificantBits()
    {
        return topicIdLeastSignificantBits;
    }

    /**
     * Whether the current topic's name, as the response spells it, is the given one, compared byte for byte against
     * its characters: topic names are ASCII ({@code [a-zA-Z0-9._-]}), so no string is built.
     *
     * @param name a topic name.
     * @return true if the bytes are the name's.
     */
    public boolean topicNameEquals(final String name)
    {
        if (name.length() != topicNameLength)
        {
            return false;
        }
        final DirectBuffer buffer = reader.buffer();
        for (int i = 0; i < topicNameLength; i++)
        {
            if (buffer.getByte(topicNameOffset + i) != name.charAt(i))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * The current partition's index.
     *
     * @return index.
     */
    public int partitionIndex()
    {
        return partitionIndex;
    }

    /**
     * The current partition's error code.
     *
     * @return 0 when its records were stored; a Kafka error code otherwise.
     */
    public short errorCode()
    {
        return errorCode;
    }
}

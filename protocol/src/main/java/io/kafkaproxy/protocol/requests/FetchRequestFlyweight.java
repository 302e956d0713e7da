package io.kafkaproxy.protocol.requests;

import io.kafkaproxy.protocol.wire.ApiHeaderVersions;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.protocol.wire.KafkaWireReader;
import io.kafkaproxy.protocol.wire.MalformedFrameException;
import io.kafkaproxy.protocol.wire.TopicEntryCursor;
import org.agrona.DirectBuffer;

import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.agrona.BitUtil.SIZE_OF_LONG;

/**
 * View over the body of a Fetch request, v0 to v18: the fixed fields ahead of {@code topics}, and a cursor that
 * walks the topics one entry at a time for ACL checks.
 *
 * <pre>
 *  [replica_id int32 (v0-v14)] | max_wait_ms int32 | min_bytes int32 | [max_bytes int32 (v3+)]
 *  [isolation_level int8 (v4+)] | [session_id int32 | session_epoch int32 (v7+)]
 *  topics [
 *      topic string (v0-v12) | topic_id uuid (v13+)
 *      partitions [ partition int32 | [current_leader_epoch int32 (v9+)] | fetch_offset int64
 *                   | [last_fetched_epoch int32 (v12+)] | [log_start_offset int64 (v5+)]
 *                   | partition_max_bytes int32 | tagged fields (v12+) ]
 *      tagged fields (v12+)
 *  ]
 *  [forgotten_topics_data (v7+)] | [rack_id string (v11+)]
 *  tagged fields (v12+): cluster_id, replica_state (v15+)                         (not read)
 * </pre>
 *
 * From v12, the first flexible version, strings and arrays carry compact (varint) lengths. Since v15 a follower
 * sends its id in the trailing {@code replica_state} tagged field instead of {@code replica_id}; this view does
 * not read past the topics, so it reports {@code replica_id} only where the field exists. The topic walk is
 * {@link TopicEntryCursor}'s. Not thread safe; one instance per connection or per thread, re-wrapped for each
 * request.
 */
public final class FetchRequestFlyweight extends TopicEntryCursor
{
    /** The replica id of a consumer, and what {@link #replicaId()} reports from v15 on. */
    public static final int CONSUMER_REPLICA_ID = -1;

    private static final short LAST_REPLICA_ID_VERSION = 14;
    private static final short FIRST_MAX_BYTES_VERSION = 3;
    private static final short FIRST_ISOLATION_LEVEL_VERSION = 4;
    private static final short FIRST_LOG_START_OFFSET_VERSION = 5;
    private static final short FIRST_SESSION_VERSION = 7;
    private static final short FIRST_LEADER_EPOCH_VERSION = 9;
    private static final short FIRST_LAST_FETCHED_EPOCH_VERSION = 12;
    private static final short FIRST_TOPIC_ID_VERSION = 13;
    private static final int DEFAULT_MAX_BYTES = Integer.MAX_VALUE;
    private static final int DEFAULT_SESSION_ID = 0;
    private static final int DEFAULT_SESSION_EPOCH = -1;

    private boolean flexible;
    private boolean topicsById;
    private int partitionLength;
    private int replicaId;
    private int maxWaitMs;
    private int minBytes;
    private int maxBytes;
    private byte isolationLevel;
    private int sessionId;
    private int sessionEpoch;

    /**
     * Wraps a Fetch request body and reads the fields ahead of the topics.
     *
     * @param buffer     the buffer holding the request.
     * @param offset     the offset of the body.
     * @param length     the body length.
     * @param apiVersion the request version.
     * @return this flyweight, with the topic cursor before the first topic.
     * @throws MalformedFrameException if the leading fields run past the body or the topic count is out of range.
     */
    public FetchRequestFlyweight wrap(final DirectBuffer buffer, final int offset, final int length, final short apiVersion)
    {
        final KafkaWireReader reader = reader().wrap(buffer, offset, length);
        flexible = ApiHeaderVersions.isFlexible(ApiKeyIds.FETCH, apiVersion);
        topicsById = apiVersion >= FIRST_TOPIC_ID_VERSION;
        partitionLength = partitionLength(apiVersion);
        replicaId = apiVersion <= LAST_REPLICA_ID_VERSION ? reader.readInt32("replica_id") : CONSUMER_REPLICA_ID;
        maxWaitMs = reader.readInt32("max_wait_ms");
        minBytes = reader.readInt32("min_bytes");
        maxBytes = apiVersion >= FIRST_MAX_BYTES_VERSION ? reader.readInt32("max_bytes") : DEFAULT_MAX_BYTES;
        isolationLevel = apiVersion >= FIRST_ISOLATION_LEVEL_VERSION ? reader.readInt8("isolation_level") : 0;
        if (apiVersion >= FIRST_SESSION_VERSION)
        {
            sessionId = reader.readInt32("session_id");
            sessionEpoch = reader.readInt32("session_epoch");
        }
        else
        {
            sessionId = DEFAULT_SESSION_ID;
            sessionEpoch = DEFAULT_SESSION_EPOCH;
        }
        beginTopics(flexible, "topics");
        return this;
    }

    /**
     * The broker id of a follower, or {@link #CONSUMER_REPLICA_ID} for a consumer.
     *
     * @return replica_id up to v14; {@link #CONSUMER_REPLICA_ID} from v15, where a follower's id moved into a
     *         tagged field this view does not read.
     */
    public int replicaId()
    {
        return replicaId;
    }

    /**
     * How long the broker may wait for {@link #minBytes()} to accumulate.
     *
     * @return max_wait_ms.
     */
    public int maxWaitMs()
    {
        return maxWaitMs;
    }

    /**
     * The least data the broker should wait for before answering.
     *
     * @return min_bytes.
     */
    public int minBytes()
    {
        return minBytes;
    }

    /**
     * The most data the response should carry (KIP-74).
     *
     * @return max_bytes, or Kafka's default {@link Integer#MAX_VALUE} before v3.
     */
    public int maxBytes()
    {
        return maxBytes;
    }

    /**
     * Which records the consumer may see: 0 for read-uncommitted, 1 for read-committed.
     *
     * @return isolation_level, or 0 before v4.
     */
    public byte isolationLevel()
    {
        return isolationLevel;
    }

    /**
     * The incremental fetch session (KIP-227).
     *
     * @return session_id, or 0 before v7.
     */
    public int sessionId()
    {
        return sessionId;
    }

    /**
     * The epoch within the fetch session.
     *
     * @return session_epoch, or -1 before v7.
     */
    public int sessionEpoch()
    {
        return sessionEpoch;
    }

    /**
     * Whether topics are named by topic id rather than by name (v13+, KIP-516).
     *
     * @return true when {@link #topicIdMostSignificantBits()} and {@link #topicIdLeastSignificantBits()} carry the
     *         topic and {@link #topicNameLength()} is {@link KafkaWireReader#NULL_LENGTH}.
     */
    public boolean namesTopicsById()
    {
        return topicsById;
    }

    @Override
    protected void readTopicEntry()
    {
        final KafkaWireReader reader = reader();
        readTopicIdOrName(topicsById, "topic");
        final int partitionCount = readPartitionCount("partitions");
        if (flexible)
        {
            for (int i = 0; i < partitionCount; i++)
            {
                reader.skip(partitionLength, "partitions");
                reader.skipTaggedFields("partitions");
            }
        }
        else
        {
            reader.skipFixedSizeElements(partitionCount, partitionLength, "partitions");
        }
    }

    private static int partitionLength(final short apiVersion)
    {
        int length = SIZE_OF_INT + SIZE_OF_LONG + SIZE_OF_INT;
        if (apiVersion >= FIRST_LEADER_EPOCH_VERSION)
        {
            length += SIZE_OF_INT;
        }
        if (apiVersion >= FIRST_LAST_FETCHED_EPOCH_VERSION)
        {
            length += SIZE_OF_INT;
        }
        if (apiVersion >= FIRST_LOG_START_OFFSET_VERSION)
        {
            length += SIZE_OF_LONG;
        }
        return length;
    }
}

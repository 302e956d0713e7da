package io.kafkaproxy.protocol.requests;

import io.kafkaproxy.protocol.wire.ApiHeaderVersions;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.protocol.wire.KafkaWireReader;
import io.kafkaproxy.protocol.wire.MalformedFrameException;
import io.kafkaproxy.protocol.wire.TopicEntryCursor;
import org.agrona.DirectBuffer;

import static org.agrona.BitUtil.SIZE_OF_INT;

/**
 * View over the body of a Produce request: the fields ahead of {@code topic_data}, and a cursor that walks the
 * topics one entry at a time for ACL checks and byte-rate quotas.
 *
 * <pre>
 *  [transactional_id nullable string (v3+)] | acks int16 | timeout_ms int32
 *  topic_data [
 *      name string (v0-v12) | topic_id uuid (v13+)
 *      partition_data [ index int32 | records nullable records | tagged fields (v9+) ]
 *      tagged fields (v9+)
 *  ]
 *  tagged fields (v9+)
 * </pre>
 *
 * From v9, the first flexible version, strings, arrays and records carry compact (varint) lengths. Records are
 * skipped by their declared length and never read. {@link #wrap} reads up to the topic count; each
 * {@link #nextTopic()} reads one topic entry (the walk is {@link TopicEntryCursor}'s) and sums its record bytes,
 * so a walk allocates nothing. Not thread safe; one instance per connection or per thread, re-wrapped for each
 * request.
 */
public final class ProduceRequestFlyweight extends TopicEntryCursor
{
    /** The acks value of a request the broker will not answer. */
    public static final short ACKS_NONE = 0;

    private static final short FIRST_TRANSACTIONAL_VERSION = 3;
    private static final short FIRST_TOPIC_ID_VERSION = 13;

    private boolean flexible;
    private boolean topicsById;
    private int transactionalIdOffset;
    private int transactionalIdLength;
    private short acks;
    private int timeoutMs;
    private int recordBytes;

    /**
     * Wraps a Produce request body and reads the fields ahead of the topics.
     *
     * @param buffer     the buffer holding the request.
     * @param offset     the offset of the body.
     * @param length     the body length.
     * @param apiVersion the request version.
     * @return this flyweight, with the topic cursor before the first topic.
     * @throws MalformedFrameException if the leading fields run past the body or carry a hostile length.
     */
    public ProduceRequestFlyweight wrap(final DirectBuffer buffer, final int offset, final int length, final short apiVersion)
    {
        final KafkaWireReader reader = reader().wrap(buffer, offset, length);
        flexible = ApiHeaderVersions.isFlexible(ApiKeyIds.PRODUCE, apiVersion);
        topicsById = apiVersion >= FIRST_TOPIC_ID_VERSION;
        if (apiVersion >= FIRST_TRANSACTIONAL_VERSION)
        {
            transactionalIdLength = reader.readStringLength(flexible, "transactional_id");
            transactionalIdOffset = reader.position();
            if (transactionalIdLength > 0)
            {
                reader.skip(transactionalIdLength, "transactional_id");
            }
        }
        else
        {
            transactionalIdLength = KafkaWireReader.NULL_LENGTH;
            transactionalIdOffset = KafkaWireReader.NULL_LENGTH;
        }
        acks = reader.readInt16("acks");
        timeoutMs = reader.readInt32("timeout_ms");
        recordBytes = 0;
        beginTopics(flexible, "topic_data");
        return this;
    }

    /**
     * Where the transactional id's UTF-8 bytes start in the wrapped buffer.
     *
     * @return the absolute offset, or {@link KafkaWireReader#NULL_LENGTH} before v3.
     */
    public int transactionalIdOffset()
    {
        return transactionalIdOffset;
    }

    /**
     * The length of the transactional id in bytes.
     *
     * @return the length, or {@link KafkaWireReader#NULL_LENGTH} when null or before v3.
     */
    public int transactionalIdLength()
    {
        return transactionalIdLength;
    }

    /**
     * The acknowledgement mode; {@link #ACKS_NONE} means no response will come.
     *
     * @return acks.
     */
    public short acks()
    {
        return acks;
    }

    /**
     * How long the broker may wait for replication before answering.
     *
     * @return timeout_ms.
     */
    public int timeoutMs()
    {
        return timeoutMs;
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

    /**
     * The bytes of record data the current topic carries: the sum of its partitions' record-set lengths, with
     * null records counting zero. This is what a produce byte-rate quota charges.
     *
     * @return the record bytes of the current topic.
     */
    public int recordBytes()
    {
        return recordBytes;
    }

    @Override
    protected void readTopicEntry()
    {
        final KafkaWireReader reader = reader();
        readTopicIdOrName(topicsById, "name");
        final int partitionCount = readPartitionCount("partition_data");
        int bytes = 0;
        for (int i = 0; i < partitionCount; i++)
        {
            reader.skip(SIZE_OF_INT, "index");
            final int recordsLength = reader.readBytesLength(flexible, "records");
            if (recordsLength > 0)
            {
                reader.skip(recordsLength, "records");
                bytes += recordsLength;
            }
            reader.skipTaggedFields(flexible, "partition_data");
        }
        recordBytes = bytes;
    }

    @Override
    protected void afterLastTopic()
    {
        reader().skipTaggedFields(flexible, "produce_request");
    }
}

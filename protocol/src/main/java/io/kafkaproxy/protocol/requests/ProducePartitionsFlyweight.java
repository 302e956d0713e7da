package io.kafkaproxy.protocol.requests;

import io.kafkaproxy.protocol.wire.ApiHeaderVersions;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.protocol.wire.KafkaWireReader;
import io.kafkaproxy.protocol.wire.MalformedFrameException;
import org.agrona.DirectBuffer;

import static org.agrona.BitUtil.SIZE_OF_LONG;

/**
 * A walk over the partitions of one topic entry of a Produce request, as {@link ProduceRequestFlyweight} marked it
 * ({@code topicEntryOffset}, {@code topicEntryLength}): each partition's index and where its record set lies.
 *
 * <pre>
 *  topic entry: name string (v0-v12) | topic_id uuid (v13+)
 *               partition_data [ index int32 | records nullable records | tagged fields (v9+) ] ...
 * </pre>
 *
 * For produce mirroring, which copies the record sets of the topics it mirrors; the records are not read here.
 * Allocates nothing. Not thread safe; one instance per thread, re-wrapped per topic entry.
 */
public final class ProducePartitionsFlyweight
{
    private static final short FIRST_TOPIC_ID_VERSION = 13;

    private final KafkaWireReader reader = new KafkaWireReader();
    private boolean flexible;
    private int partitionsLeft;
    private int partitionIndex;
    private int recordsOffset;
    private int recordsLength;

    /**
     * Wraps one topic entry and reads up to its partitions.
     *
     * @param buffer     the buffer holding the request.
     * @param offset     the entry's first byte.
     * @param length     the entry's length.
     * @param apiVersion the request version.
     * @return this flyweight, before the first partition.
     * @throws MalformedFrameException if the entry runs past its length.
     */
    public ProducePartitionsFlyweight wrap(final DirectBuffer buffer, final int offset, final int length, final short apiVersion)
    {
        reader.wrap(buffer, offset, length);
        flexible = ApiHeaderVersions.isFlexible(ApiKeyIds.PRODUCE, apiVersion);
        if (apiVersion >= FIRST_TOPIC_ID_VERSION)
        {
            reader.skip(2 * SIZE_OF_LONG, "topic_id");
        }
        else
        {
            reader.skipString(flexible, "name");
        }
        partitionsLeft = reader.readNonNullableArrayLength(flexible, "partition_data");
        return this;
    }

    /**
     * Moves to the next partition.
     *
     * @return true if a partition was read, false once every one has been.
     * @throws MalformedFrameException if the partition runs past the entry.
     */
    public boolean nextPartition()
    {
        if (partitionsLeft <= 0)
        {
            return false;
        }
        partitionsLeft--;
        partitionIndex = reader.readInt32("index");
        recordsLength = reader.readBytesLength(flexible, "records");
        recordsOffset = reader.position();
        if (recordsLength > 0)
        {
            reader.skip(recordsLength, "records");
        }
        reader.skipTaggedFields(flexible, "partition_data");
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
     * Where the current partition's record set starts in the wrapped buffer.
     *
     * @return the absolute offset.
     */
    public int recordsOffset()
    {
        return recordsOffset;
    }

    /**
     * The length of the current partition's record set.
     *
     * @return the length, zero or {@link KafkaWireReader#NULL_LENGTH} when there are no records.
     */
    public int recordsLength()
    {
        return recordsLength;
    }
}

package io.kafkaproxy.protocol.wire;

/**
 * A cursor over the topics array of a message, one entry at a time: the walk shared by the Produce and Fetch
 * request flyweights and the Metadata response flyweight, which extend it.
 *
 * <pre>
 *  topics [ entry... ]                               count at {@link #topicArrayOffset()}
 *  entry:  ...fields the subclass reads... | tagged fields (flexible versions)
 *          within them: name string and/or topic_id uuid, and partitions [...]
 * </pre>
 *
 * The subclass's {@code wrap} positions {@link #reader()} at the topics count and calls {@link #beginTopics};
 * each {@link #nextTopic()} then marks where the entry starts, has {@link #readTopicEntry()} read it with the
 * helpers below, skips the entry's tagged fields and records its byte range, so that a caller can check, charge,
 * drop or copy a topic without decoding anything else. Nothing is allocated. Not thread safe; a subclass instance
 * is kept per connection or per thread and re-wrapped for each message.
 *
 * <p>A base class rather than a member, so the flyweights offer the topic accessors once, here, and their callers
 * keep calling them on the flyweight. Every subclass is final, so once {@link #nextTopic()} is inlined into a
 * caller holding one, its {@link #readTopicEntry()} call is no longer virtual.
 */
public abstract class TopicEntryCursor
{
    private final KafkaWireReader reader = new KafkaWireReader();
    private boolean flexible;
    private String topicsField;
    private int topicArrayOffset;
    private int topicCount;
    private int topicsLeft;
    private int topicEntryOffset;
    private int topicEntryLength;
    private int topicNameOffset;
    private int topicNameLength;
    private long topicIdMostSignificantBits;
    private long topicIdLeastSignificantBits;
    private int partitionCount;

    /**
     * Where the topics array starts: the offset of its count, which a caller dropping topics rewrites.
     *
     * @return the absolute offset of the topics count in the wrapped buffer.
     */
    public final int topicArrayOffset()
    {
        return topicArrayOffset;
    }

    /**
     * The number of topic entries in the message.
     *
     * @return the length of the topics array.
     */
    public final int topicCount()
    {
        return topicCount;
    }

    /**
     * Moves the cursor to the next topic entry, reading its name or id and skipping its partitions.
     *
     * @return true if a topic was read, false once every topic has been.
     * @throws MalformedFrameException if the entry runs past the body or carries a hostile length.
     */
    public final boolean nextTopic()
    {
        if (topicsLeft <= 0)
        {
            return false;
        }
        topicsLeft--;
        topicEntryOffset = reader.position();
        readTopicEntry();
        reader.skipTaggedFields(flexible, topicsField);
        topicEntryLength = reader.position() - topicEntryOffset;
        if (topicsLeft == 0)
        {
            afterLastTopic();
        }
        return true;
    }

    /**
     * Where the current topic entry starts in the wrapped buffer.
     *
     * @return the absolute offset of the entry's first byte.
     */
    public final int topicEntryOffset()
    {
        return topicEntryOffset;
    }

    /**
     * The length of the current topic entry, partitions and tagged fields included.
     *
     * @return the entry length in bytes.
     */
    public final int topicEntryLength()
    {
        return topicEntryLength;
    }

    /**
     * Where the current topic's name starts in the wrapped buffer, as UTF-8 bytes.
     *
     * @return the absolute offset, or {@link KafkaWireReader#NULL_LENGTH} when the entry carries no name.
     */
    public final int topicNameOffset()
    {
        return topicNameOffset;
    }

    /**
     * The length of the current topic's name in bytes.
     *
     * @return the length, or {@link KafkaWireReader#NULL_LENGTH} when the entry carries no name: topics named by
     *         id (Produce v13+, Fetch v13+), or a null name (Metadata v12+, a topic asked for by an id the broker
     *         does not know).
     */
    public final int topicNameLength()
    {
        return topicNameLength;
    }

    /**
     * The high half of the current topic's id.
     *
     * @return the most significant bits, or 0 in versions without topic ids.
     */
    public final long topicIdMostSignificantBits()
    {
        return topicIdMostSignificantBits;
    }

    /**
     * The low half of the current topic's id.
     *
     * @return the least significant bits, or 0 in versions without topic ids.
     */
    public final long topicIdLeastSignificantBits()
    {
        return topicIdLeastSignificantBits;
    }

    /**
     * The number of partition entries of the current topic.
     *
     * @return the length of the topic's partitions array.
     */
    public final int partitionCount()
    {
        return partitionCount;
    }

    /**
     * The reader over the wrapped message, which the subclass wraps and positions.
     *
     * @return the reader.
     */
    protected final KafkaWireReader reader()
    {
        return reader;
    }

    /**
     * Reads the topics count at the reader's position and puts the cursor before the first topic.
     *
     * @param flexible    whether the message version uses compact encodings.
     * @param topicsField the wire name of the topics array, for error messages.
     * @throws MalformedFrameException if the count is null or could not fit in the bytes left.
     */
    protected final void beginTopics(final boolean flexible, final String topicsField)
    {
        this.flexible = flexible;
        this.topicsField = topicsField;
        topicArrayOffset = reader.position();
        topicCount = reader.readNonNullableArrayLength(flexible, topicsField);
        topicsLeft = topicCount;
        topicEntryOffset = reader.position();
        topicEntryLength = 0;
        topicNameOffset = KafkaWireReader.NULL_LENGTH;
        topicNameLength = KafkaWireReader.NULL_LENGTH;
        topicIdMostSignificantBits = 0;
        topicIdLeastSignificantBits = 0;
        partitionCount = 0;
        if (topicCount == 0)
        {
            afterLastTopic();
        }
    }

    /**
     * Reads one topic entry up to, not including, its tagged fields, with the helpers of this class.
     *
     * @throws MalformedFrameException if the entry runs past the body or carries a hostile length.
     */
    protected abstract void readTopicEntry();

    /**
     * Reads what follows the topics array once every entry has been read; nothing unless overridden.
     *
     * @throws MalformedFrameException if those fields run past the body.
     */
    protected void afterLastTopic()
    {
    }

    /**
     * Reads the topic's name at the reader's position.
     *
     * @param nullable whether the schema allows a null name.
     * @param field    the wire name of the field.
     * @throws MalformedFrameException if the name is null where not allowed or runs past the body.
     */
    protected final void readTopicName(final boolean nullable, final String field)
    {
        topicNameLength = nullable ?
            reader.readStringLength(flexible, field) : reader.readNonNullableStringLength(flexible, field);
        topicNameOffset = reader.position();
        if (topicNameLength > 0)
        {
            reader.skip(topicNameLength, field);
        }
    }

    /**
     * Reads the topic's id at the reader's position.
     *
     * @throws MalformedFrameException if the id runs past the body.
     */
    protected final void readTopicId()
    {
        topicIdMostSignificantBits = reader.readInt64("topic_id");
        topicIdLeastSignificantBits = reader.readInt64("topic_id");
    }

    /**
     * Reads the topic's id or its non-nullable name at the reader's position, as a request names it.
     *
     * @param byId      whether the version names topics by id (KIP-516).
     * @param nameField the wire name of the name field.
     * @throws MalformedFrameException if the field runs past the body.
     */
    protected final void readTopicIdOrName(final boolean byId, final String nameField)
    {
        if (byId)
        {
            readTopicId();
        }
        else
        {
            readTopicName(false, nameField);
        }
    }

    /**
     * Reads the count of the topic's partitions array at the reader's position.
     *
     * @param field the wire name of the array.
     * @return the partition count, zero or more.
     * @throws MalformedFrameException if the array is null or its count could not fit in the bytes left.
     */
    protected final int readPartitionCount(final String field)
    {
        partitionCount = reader.readNonNullableArrayLength(flexible, field);
        return partitionCount;
    }
}

package io.kafkaproxy.protocol.responses;

import io.kafkaproxy.protocol.wire.MalformedFrameException;
import org.agrona.DirectBuffer;

import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.agrona.BitUtil.SIZE_OF_LONG;
import static org.agrona.BitUtil.SIZE_OF_SHORT;

/**
 * Walks the body of a flexible Fetch response (v12+) as its bytes arrive, in successive ranges of any size, to find
 * where its top-level tagged fields start: everything before them may be forwarded at once, and only they (where
 * {@code NodeEndpoints} sits, KIP-951) need holding for a rewrite.
 *
 * <pre>
 *  body:       throttle_time_ms int32 | error_code int16 | session_id int32
 *              | responses [topic] | tagged fields {0: node_endpoints}         &lt;-- held from here
 *  topic:      name compact string (v12) or topic_id uuid (v13+) | partitions [partition] | tagged fields
 *  partition:  partition_index int32 | error_code int16 | high_watermark int64 | last_stable_offset int64
 *              | log_start_offset int64 | aborted_transactions compact nullable [producer_id int64 | first_offset int64
 *              | tagged fields] | preferred_read_replica int32 | records compact nullable bytes
 *              | tagged fields {0: diverging_epoch, 1: current_leader, 2: snapshot_id}
 * </pre>
 *
 * <p>The walk reads only lengths and counts; fixed fields and record bytes are skipped by their length without being
 * looked at, so a field split across two ranges needs no carry but the varint being read (its value so far and its
 * shift). A state machine: {@link #step} says what comes next, {@link #skipLeft} how many bytes are still to be
 * skipped before it. One instance per connection, {@link #reset} for each response; allocates nothing.
 */
public final class FetchResponseStreamWalk
{
    /** The first Fetch version with compact (flexible) encodings, the first this walk reads. */
    public static final short FIRST_FLEXIBLE_VERSION = 12;

    private static final short FIRST_TOPIC_ID_VERSION = 13;
    private static final int MAX_VARINT_BYTES = 5;
    private static final int UUID_LENGTH = 2 * SIZE_OF_LONG;
    private static final int HEAD_LENGTH = SIZE_OF_INT + SIZE_OF_SHORT + SIZE_OF_INT;
    private static final int PARTITION_FIXED_LENGTH = SIZE_OF_INT + SIZE_OF_SHORT + 3 * SIZE_OF_LONG;
    private static final int ABORTED_FIXED_LENGTH = 2 * SIZE_OF_LONG;

    private static final int TOPIC_COUNT = 0;
    private static final int TOPIC_NAME_LENGTH = 1;
    private static final int PARTITION_COUNT = 2;
    private static final int ABORTED_COUNT = 3;
    private static final int ABORTED_TAGGED_FIELDS = 4;
    private static final int RECORDS_LENGTH = 5;
    private static final int PARTITION_TAGGED_FIELDS = 6;
    private static final int TOPIC_TAGGED_FIELDS = 7;
    private static final int TAG = 8;
    private static final int TAG_SIZE = 9;
    private static final int TOPICS_DONE = 10;
    private static final int REACHED = 11;

    private short apiVersion;
    private long bodyLeft;
    private int step;
    private long skipLeft;
    private int varintValue;
    private int varintShift;
    private int topicsLeft;
    private int partitionsLeft;
    private int abortedLeft;
    private int taggedFieldsLeft;
    private int afterTaggedFields;
    private int taggedFieldsLength;

    /**
     * Starts the walk of a response body.
     *
     * @param apiVersion the Fetch version, at least {@link #FIRST_FLEXIBLE_VERSION}.
     * @param bodyLength the body's length (the frame after its size field and response header).
     * @return this walk.
     */
    public FetchResponseStreamWalk reset(final short apiVersion, final int bodyLength)
    {
        if (apiVersion < FIRST_FLEXIBLE_VERSION)
        {
            throw new IllegalArgumentException("not a flexible Fetch version: " + apiVersion);
        }
        this.apiVersion = apiVersion;
        this.bodyLeft = bodyLength;
        step = TOPIC_COUNT;
        skipLeft = HEAD_LENGTH;
        varintValue = 0;
        varintShift = 0;
        topicsLeft = 0;
        partitionsLeft = 0;
        abortedLeft = 0;
        taggedFieldsLeft = 0;
        afterTaggedFields = 0;
        taggedFieldsLength = 0;
        return this;
    }

    /**
     * Walks the next bytes of the body.
     *
     * @param buffer the bytes.
     * @param offset where they start.
     * @param length how many; the next range starts where this one ends.
     * @return how many of them come before the top-level tagged fields: {@code length} until the walk reaches them.
     * @throws MalformedFrameException if a count or length is out of range, a varint does not end, or the walk runs
     *                                 past the body.
     */
    public int feed(final DirectBuffer buffer, final int offset, final int length)
    {
        if (step != REACHED && length > bodyLeft)
        {
            throw new MalformedFrameException("bytes past the end of the Fetch body: length=" + length +
                ", remaining=" + bodyLeft);
        }
        int position = offset;
        final int end = offset + length;
        while (step != REACHED)
        {
            if (skipLeft > 0)
            {
                final int skipped = (int)Math.min(skipLeft, end - position);
                skipLeft -= skipped;
                position += skipped;
                bodyLeft -= skipped;
                if (skipLeft > 0)
                {
                    break;
                }
            }
            if (step == TOPICS_DONE)
            {
                // Only now: the last topic's last tagged-field value was still being skipped when its count ended.
                step = REACHED;
                taggedFieldsLength = (int)bodyLeft;
                break;
            }
            if (position == end)
            {
                break;
            }
            final byte b = buffer.getByte(position++);
            bodyLeft--;
            varintValue |= (b & 0x7F) << varintShift;
            if ((b & 0x80) != 0)
            {
                varintShift += 7;
                if (varintShift >= 7 * MAX_VARINT_BYTES)
                {
                    throw new MalformedFrameException("varint does not end within 5 bytes: field=" + fieldName());
                }
                continue;
            }
            final int value = varintValue;
            varintValue = 0;
            varintShift = 0;
            onVarint(value);
            if (skipLeft > bodyLeft)
            {
                throw new MalformedFrameException("field runs past the end of the Fetch body: field=" + fieldName() +
                    ", needed=" + skipLeft + ", remaining=" + bodyLeft);
            }
        }
        return step == REACHED ? position - offset : length;
    }

    /**
     * Whether the walk has reached the top-level tagged fields: every later byte of the body belongs to them.
     *
     * @return true once reached.
     */
    public boolean taggedFieldsReached()
    {
        return step == REACHED;
    }

    /**
     * The length of the top-level tagged fields, the body's last bytes.
     *
     * @return the length, once {@link #taggedFieldsReached()}.
     */
    public int taggedFieldsLength()
    {
        return taggedFieldsLength;
    }

    private void onVarint(final int value)
    {
        switch (step)
        {
            case TOPIC_COUNT:
                topicsLeft = count(value, false, "responses");
                nextTopic();
                break;
            case TOPIC_NAME_LENGTH:
                skip(count(value, false, "topic"));
                step = PARTITION_COUNT;
                break;
            case PARTITION_COUNT:
                partitionsLeft = count(value, false, "partitions");
                nextPartition();
                break;
            case ABORTED_COUNT:
                abortedLeft = count(value, true, "aborted_transactions");
                nextAborted();
                break;
            case RECORDS_LENGTH:
                skip(count(value, true, "records"));
                taggedFields(PARTITION_TAGGED_FIELDS);
                break;
            case ABORTED_TAGGED_FIELDS:
            case PARTITION_TAGGED_FIELDS:
            case TOPIC_TAGGED_FIELDS:
                taggedFieldsLeft = count(value + 1, false, "tagged_fields");
                nextTaggedField();
                break;
            case TAG:
                step = TAG_SIZE;
                break;
            case TAG_SIZE:
                skip(count(value + 1, false, "tagged_field"));
                nextTaggedField();
                break;
            default:
                throw new IllegalStateException("no varint expected: step=" + step);
        }
    }

    private void nextTopic()
    {
        if (topicsLeft == 0)
        {
            // The top-level tagged fields start once what is still to skip (a topic tagged field's value) is skipped.
            step = TOPICS_DONE;
            return;
        }
        topicsLeft--;
        if (apiVersion >= FIRST_TOPIC_ID_VERSION)
        {
            skip(UUID_LENGTH);
            step = PARTITION_COUNT;
        }
        else
        {
            step = TOPIC_NAME_LENGTH;
        }
    }

    private void nextPartition()
    {
        if (partitionsLeft == 0)
        {
            taggedFields(TOPIC_TAGGED_FIELDS);
            return;
        }
        partitionsLeft--;
        skip(PARTITION_FIXED_LENGTH);
        step = ABORTED_COUNT;
    }

    private void nextAborted()
    {
        if (abortedLeft == 0)
        {
            skip(SIZE_OF_INT);
            step = RECORDS_LENGTH;
            return;
        }
        abortedLeft--;
        skip(ABORTED_FIXED_LENGTH);
        taggedFields(ABORTED_TAGGED_FIELDS);
    }

    private void taggedFields(final int fieldsStep)
    {
        step = fieldsStep;
        afterTaggedFields = fieldsStep;
    }

    private void nextTaggedField()
    {
        if (taggedFieldsLeft > 0)
        {
            taggedFieldsLeft--;
            step = TAG;
            return;
        }
        switch (afterTaggedFields)
        {
            case ABORTED_TAGGED_FIELDS:
                nextAborted();
                break;
            case PARTITION_TAGGED_FIELDS:
                nextPartition();
                break;
            default:
                nextTopic();
                break;
        }
    }

    private void skip(final int bytes)
    {
        // Adds up: a tagged field's value and the next partition's fixed fields are skipped in one go.
        skipLeft += bytes;
    }

    private int count(final int encoded, final boolean nullable, final String field)
    {
        // Compact arrays, strings and bytes carry their length + 1, 0 meaning null (allowed only where the schema says
        // nullable); tagged field counts and sizes, which carry the plain length, come here as length + 1.
        if (encoded == 0 && nullable)
        {
            return 0;
        }
        final int count = encoded - 1;
        if (count < 0 || count > bodyLeft)
        {
            throw new MalformedFrameException("array length out of range: field=" + field + ", length=" + count);
        }
        return count;
    }

    private String fieldName()
    {
        switch (step)
        {
            case TOPIC_COUNT:
                return "responses";
            case TOPIC_NAME_LENGTH:
                return "topic";
            case PARTITION_COUNT:
                return "partitions";
            case ABORTED_COUNT:
                return "aborted_transactions";
            case RECORDS_LENGTH:
                return "records";
            default:
                return "tagged_fields";
        }
    }
}

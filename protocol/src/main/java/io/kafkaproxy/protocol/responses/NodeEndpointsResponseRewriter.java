package io.kafkaproxy.protocol.responses;

import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.protocol.wire.KafkaWireReader;
import io.kafkaproxy.protocol.wire.KafkaWireWriter;
import io.kafkaproxy.protocol.wire.MalformedFrameException;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;

import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.agrona.BitUtil.SIZE_OF_LONG;
import static org.agrona.BitUtil.SIZE_OF_SHORT;

/**
 * Rewrites the {@code NodeEndpoints} that Produce (v10+), Fetch (v16+), ShareFetch and ShareAcknowledge
 * responses carry when a partition's leader has moved (KIP-951, KIP-932).
 *
 * <p>The endpoints come after every topic, so the response is walked to find them, skipping records by their
 * length without looking inside. In Produce and Fetch they are tag 0 of the top-level tagged fields, present
 * only after a leader change; in the share apis they are a regular array, usually empty. A response without
 * endpoints is {@link RewriteOutcome#UNCHANGED}; otherwise only the bytes from the endpoints to the end are
 * replaced and the records ahead of them are kept where they are.
 *
 * <pre>
 *  Produce v10+:  responses [name | topic_id (v13+), partition_responses [...]] | throttle_time_ms
 *                 | tagged fields {0: node_endpoints}
 *  Fetch v16+:    throttle_time_ms | error_code | session_id
 *                 | responses [topic_id, partitions [..., records, tagged fields]] | tagged fields {0: node_endpoints}
 *  ShareFetch:    throttle_time_ms | error_code | error_message | acquisition_lock_timeout_ms
 *                 | responses [...] | node_endpoints | tagged fields
 *  ShareAck:      throttle_time_ms | error_code | error_message | [acquisition_lock_timeout_ms (v2+)]
 *                 | responses [...] | node_endpoints | tagged fields
 * </pre>
 *
 * Not thread safe; one instance per thread.
 */
public final class NodeEndpointsResponseRewriter
{
    /** The first Produce version that can carry node endpoints. */
    public static final short FIRST_PRODUCE_VERSION = 10;
    /** The first Fetch version that can carry node endpoints. */
    public static final short FIRST_FETCH_VERSION = 16;

    private static final int NODE_ENDPOINTS_TAG = 0;
    private static final short FIRST_PRODUCE_TOPIC_ID_VERSION = 13;
    private static final short FIRST_SHARE_ACK_LOCK_TIMEOUT_VERSION = 2;

    private final KafkaWireReader reader = new KafkaWireReader();
    private final EndpointRewriting endpoints = new EndpointRewriting(reader);
    private final ExpandableDirectByteBuffer taggedValue = new ExpandableDirectByteBuffer(256);
    private final KafkaWireWriter taggedValueWriter = new KafkaWireWriter();

    /**
     * Rewrites one response body if it carries node endpoints.
     *
     * @param apiKey     Produce, Fetch, ShareFetch or ShareAcknowledge.
     * @param buffer     the buffer holding the response.
     * @param bodyOffset the offset of the body.
     * @param bodyLength the body length.
     * @param apiVersion the response version, at least the api's first version with node endpoints.
     * @param mapper     the address mapper.
     * @param splice     receives the replacement when the outcome is {@link RewriteOutcome#SPLICED}.
     * @return a {@link RewriteOutcome} constant.
     * @throws MalformedFrameException if the walk runs past the body.
     */
    public int rewrite(
        final short apiKey,
        final DirectBuffer buffer,
        final int bodyOffset,
        final int bodyLength,
        final short apiVersion,
        final BrokerEndpointMapper mapper,
        final ResponseSplice splice)
    {
        reader.wrap(buffer, bodyOffset, bodyLength);
        endpoints.reset();
        switch (apiKey)
        {
            case ApiKeyIds.PRODUCE:
                skipProduceTopics(apiVersion);
                reader.skip(SIZE_OF_INT, "throttle_time_ms");
                return rewriteTaggedNodeEndpoints(apiVersion, mapper, splice);
            case ApiKeyIds.FETCH:
                reader.skip(SIZE_OF_INT + SIZE_OF_SHORT + SIZE_OF_INT, "throttle_time_ms,error_code,session_id");
                skipFetchTopics();
                return rewriteTaggedNodeEndpoints(apiVersion, mapper, splice);
            case ApiKeyIds.SHARE_FETCH:
                reader.skip(SIZE_OF_INT + SIZE_OF_SHORT, "throttle_time_ms,error_code");
                reader.skipString(true, "error_message");
                reader.skip(SIZE_OF_INT, "acquisition_lock_timeout_ms");
                skipShareFetchTopics();
                return rewriteNodeEndpointsArray(apiVersion, mapper, splice);
            case ApiKeyIds.SHARE_ACKNOWLEDGE:
                reader.skip(SIZE_OF_INT + SIZE_OF_SHORT, "throttle_time_ms,error_code");
                reader.skipString(true, "error_message");
                if (apiVersion >= FIRST_SHARE_ACK_LOCK_TIMEOUT_VERSION)
                {
                    reader.skip(SIZE_OF_INT, "acquisition_lock_timeout_ms");
                }
                skipShareAcknowledgeTopics();
                return rewriteNodeEndpointsArray(apiVersion, mapper, splice);
            default:
                return RewriteOutcome.UNCHANGED;
        }
    }

    private void skipProduceTopics(final short apiVersion)
    {
        final int topicCount = reader.readArrayLength(true, "responses");
        for (int topic = 0; topic < topicCount; topic++)
        {
            if (apiVersion >= FIRST_PRODUCE_TOPIC_ID_VERSION)
            {
                reader.skipUuid("topic_id");
            }
            else
            {
                reader.skipString(true, "name");
            }
            final int partitionCount = reader.readArrayLength(true, "partition_responses");
            for (int partition = 0; partition < partitionCount; partition++)
            {
                reader.skip(SIZE_OF_INT + SIZE_OF_SHORT + 3 * SIZE_OF_LONG,
                    "index,error_code,base_offset,log_append_time_ms,log_start_offset");
                final int recordErrorCount = reader.readArrayLength(true, "record_errors");
                for (int recordError = 0; recordError < recordErrorCount; recordError++)
                {
                    reader.skip(SIZE_OF_INT, "batch_index");
                    reader.skipString(true, "batch_index_error_message");
                    reader.skipTaggedFields("record_error");
                }
                reader.skipString(true, "error_message");
                reader.skipTaggedFields("partition_response");
            }
            reader.skipTaggedFields("topic_response");
        }
    }

    private void skipFetchTopics()
    {
        final int topicCount = reader.readArrayLength(true, "responses");
        for (int topic = 0; topic < topicCount; topic++)
        {
            reader.skipUuid("topic_id");
            final int partitionCount = reader.readArrayLength(true, "partitions");
            for (int partition = 0; partition < partitionCount; partition++)
            {
                reader.skip(SIZE_OF_INT + SIZE_OF_SHORT + 3 * SIZE_OF_LONG,
                    "partition_index,error_code,high_watermark,last_stable_offset,log_start_offset");
                final int abortedCount = reader.readArrayLength(true, "aborted_transactions");
                for (int aborted = 0; aborted < abortedCount; aborted++)
                {
                    reader.skip(2 * SIZE_OF_LONG, "producer_id,first_offset");
                    reader.skipTaggedFields("aborted_transaction");
                }
                reader.skip(SIZE_OF_INT, "preferred_read_replica");
                reader.skipBytes(true, "records");
                reader.skipTaggedFields("partition");
            }
            reader.skipTaggedFields("topic");
        }
    }

    private void skipShareFetchTopics()
    {
        final int topicCount = reader.readArrayLength(true, "responses");
        for (int topic = 0; topic < topicCount; topic++)
        {
            reader.skipUuid("topic_id");
            final int partitionCount = reader.readArrayLength(true, "partitions");
            for (int partition = 0; partition < partitionCount; partition++)
            {
                reader.skip(SIZE_OF_INT + SIZE_OF_SHORT, "partition_index,error_code");
                reader.skipString(true, "error_message");
                reader.skip(SIZE_OF_SHORT, "acknowledge_error_code");
                reader.skipString(true, "acknowledge_error_message");
                skipLeaderIdAndEpoch();
                reader.skipBytes(true, "records");
                final int acquiredCount = reader.readArrayLength(true, "acquired_records");
                for (int acquired = 0; acquired < acquiredCount; acquired++)
                {
                    reader.skip(2 * SIZE_OF_LONG + SIZE_OF_SHORT, "first_offset,last_offset,delivery_count");
                    reader.skipTaggedFields("acquired_records");
                }
                reader.skipTaggedFields("partition");
            }
            reader.skipTaggedFields("topic");
        }
    }

    private void skipShareAcknowledgeTopics()
    {
        final int topicCount = reader.readArrayLength(true, "responses");
        for (int topic = 0; topic < topicCount; topic++)
        {
            reader.skipUuid("topic_id");
            final int partitionCount = reader.readArrayLength(true, "partitions");
            for (int partition = 0; partition < partitionCount; partition++)
            {
                reader.skip(SIZE_OF_INT + SIZE_OF_SHORT, "partition_index,error_code");
                reader.skipString(true, "error_message");
                skipLeaderIdAndEpoch();
                reader.skipTaggedFields("partition");
            }
            reader.skipTaggedFields("topic");
        }
    }

    private void skipLeaderIdAndEpoch()
    {
        reader.skip(2 * SIZE_OF_INT, "leader_id,leader_epoch");
        reader.skipTaggedFields("current_leader");
    }

    private int rewriteNodeEndpointsArray(
        final short apiVersion, final BrokerEndpointMapper mapper, final ResponseSplice splice)
    {
        final int arrayOffset = reader.position();
        final KafkaWireWriter writer = splice.begin(arrayOffset);
        final int count = endpoints.rewriteArray(EndpointEntryLayout.NODE_ENDPOINT, apiVersion, true, mapper, writer);
        splice.end(reader.position());
        return count > 0 ? endpoints.outcome() : RewriteOutcome.UNCHANGED;
    }

    private int rewriteTaggedNodeEndpoints(
        final short apiVersion, final BrokerEndpointMapper mapper, final ResponseSplice splice)
    {
        final DirectBuffer buffer = reader.buffer();
        final int sectionOffset = reader.position();
        final int fieldCount = reader.readUnsignedVarint("tagged_fields");
        if (fieldCount == 0)
        {
            return RewriteOutcome.UNCHANGED;
        }
        if (fieldCount < 0 || fieldCount > reader.remaining())
        {
            throw new MalformedFrameException("tagged field count out of range: field=tagged_fields, count=" + fieldCount);
        }
        final KafkaWireWriter writer = splice.begin(sectionOffset);
        writer.writeUnsignedVarint(fieldCount);
        boolean foundEndpoints = false;
        for (int i = 0; i < fieldCount; i++)
        {
            final int fieldOffset = reader.position();
            final int tag = reader.readUnsignedVarint("tag");
            final int size = reader.readUnsignedVarint("tag_size");
            final int valueOffset = reader.position();
            if (size < 0 || size > reader.remaining())
            {
                throw new MalformedFrameException("tagged field runs past the end of the frame: tag=" + tag +
                    ", size=" + size + ", remaining=" + reader.remaining());
            }
            if (tag != NODE_ENDPOINTS_TAG)
            {
                reader.skip(size, "tagged_field");
                writer.writeBytes(buffer, fieldOffset, reader.position() - fieldOffset);
                continue;
            }
            foundEndpoints = true;
            final int valueLength = rewriteTaggedValue(valueOffset, size, apiVersion, mapper);
            writer.writeUnsignedVarint(tag)
                .writeUnsignedVarint(valueLength)
                .writeBytes(taggedValue, 0, valueLength);
        }
        splice.end(reader.position());
        return foundEndpoints ? endpoints.outcome() : RewriteOutcome.UNCHANGED;
    }

    private int rewriteTaggedValue(
        final int valueOffset, final int size, final short apiVersion, final BrokerEndpointMapper mapper)
    {
        // The value is length-prefixed, so the endpoints are rewritten into a scratch buffer first to learn the
        // new length; the reader is confined to the value so a lying array cannot run into the next field.
        final int limit = reader.limit();
        reader.wrap(reader.buffer(), valueOffset, size);
        taggedValueWriter.wrap(taggedValue, 0);
        endpoints.rewriteArray(EndpointEntryLayout.NODE_ENDPOINT, apiVersion, true, mapper, taggedValueWriter);
        if (reader.remaining() != 0)
        {
            throw new MalformedFrameException("node_endpoints shorter than its tagged field: size=" + size +
                ", unread=" + reader.remaining());
        }
        reader.wrap(reader.buffer(), valueOffset + size, limit - valueOffset - size);
        return taggedValueWriter.position();
    }
}

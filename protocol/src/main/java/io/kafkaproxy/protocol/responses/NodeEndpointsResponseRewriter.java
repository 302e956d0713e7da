package io.kafkaproxy.protocol.responses;

import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.protocol.wire.KafkaWireReader;
import io.kafkaproxy.protocol.wire.MalformedFrameException;

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
 */
final class NodeEndpointsResponseRewriter
{
    /** The first Produce version that can carry node endpoints. */
    static final short FIRST_PRODUCE_VERSION = 10;
    /** The first Fetch version that can carry node endpoints. */
    static final short FIRST_FETCH_VERSION = 16;

    private static final short FIRST_PRODUCE_TOPIC_ID_VERSION = 13;
    private static final short FIRST_SHARE_ACK_LOCK_TIMEOUT_VERSION = 2;

    private NodeEndpointsResponseRewriter()
    {
    }

    /**
     * Rewrites the node endpoints, if any, of the response an endpoint rewriter has just wrapped.
     *
     * @param apiKey     Produce, Fetch, ShareFetch or ShareAcknowledge.
     * @param endpoints  the endpoint rewriter, wrapped around the body.
     * @param apiVersion the response version, at least the api's first version with node endpoints.
     * @return a {@link RewriteOutcome} constant.
     * @throws MalformedFrameException if the walk runs past the body.
     */
    static int rewrite(final short apiKey, final EndpointArrayRewriter endpoints, final short apiVersion)
    {
        final KafkaWireReader reader = endpoints.reader();
        switch (apiKey)
        {
            case ApiKeyIds.PRODUCE:
                skipTopics(reader, apiKey, apiVersion);
                reader.skip(SIZE_OF_INT, "throttle_time_ms");
                return endpoints.rewriteTaggedArray(EndpointEntryLayout.NODE_ENDPOINT, apiVersion);
            case ApiKeyIds.FETCH:
                reader.skip(SIZE_OF_INT + SIZE_OF_SHORT + SIZE_OF_INT, "throttle_time_ms,error_code,session_id");
                skipTopics(reader, apiKey, apiVersion);
                return endpoints.rewriteTaggedArray(EndpointEntryLayout.NODE_ENDPOINT, apiVersion);
            case ApiKeyIds.SHARE_FETCH:
            case ApiKeyIds.SHARE_ACKNOWLEDGE:
                reader.skip(SIZE_OF_INT + SIZE_OF_SHORT, "throttle_time_ms,error_code");
                reader.skipString(true, "error_message");
                if (apiKey == ApiKeyIds.SHARE_FETCH || apiVersion >= FIRST_SHARE_ACK_LOCK_TIMEOUT_VERSION)
                {
                    reader.skip(SIZE_OF_INT, "acquisition_lock_timeout_ms");
                }
                skipTopics(reader, apiKey, apiVersion);
                return endpoints.rewriteArray(EndpointEntryLayout.NODE_ENDPOINT, apiVersion, true);
            default:
                return RewriteOutcome.UNCHANGED;
        }
    }

    private static void skipTopics(final KafkaWireReader reader, final short apiKey, final short apiVersion)
    {
        final boolean produce = apiKey == ApiKeyIds.PRODUCE;
        final int topicCount = reader.readArrayLength(true, "responses");
        for (int topic = 0; topic < topicCount; topic++)
        {
            if (produce && apiVersion < FIRST_PRODUCE_TOPIC_ID_VERSION)
            {
                reader.skipString(true, "name");
            }
            else
            {
                reader.skipUuid("topic_id");
            }
            final int partitionCount = reader.readArrayLength(true, produce ? "partition_responses" : "partitions");
            for (int partition = 0; partition < partitionCount; partition++)
            {
                skipPartition(reader, apiKey);
            }
            reader.skipTaggedFields(produce ? "topic_response" : "topic");
        }
    }

    private static void skipPartition(final KafkaWireReader reader, final short apiKey)
    {
        switch (apiKey)
        {
            case ApiKeyIds.PRODUCE:
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
                return;
            case ApiKeyIds.FETCH:
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
                break;
            case ApiKeyIds.SHARE_FETCH:
                reader.skip(SIZE_OF_INT + SIZE_OF_SHORT, "partition_index,error_code");
                reader.skipString(true, "error_message");
                reader.skip(SIZE_OF_SHORT, "acknowledge_error_code");
                reader.skipString(true, "acknowledge_error_message");
                skipLeaderIdAndEpoch(reader);
                reader.skipBytes(true, "records");
                final int acquiredCount = reader.readArrayLength(true, "acquired_records");
                for (int acquired = 0; acquired < acquiredCount; acquired++)
                {
                    reader.skip(2 * SIZE_OF_LONG + SIZE_OF_SHORT, "first_offset,last_offset,delivery_count");
                    reader.skipTaggedFields("acquired_records");
                }
                break;
            default:
                reader.skip(SIZE_OF_INT + SIZE_OF_SHORT, "partition_index,error_code");
                reader.skipString(true, "error_message");
                skipLeaderIdAndEpoch(reader);
                break;
        }
        reader.skipTaggedFields("partition");
    }

    private static void skipLeaderIdAndEpoch(final KafkaWireReader reader)
    {
        reader.skip(2 * SIZE_OF_INT, "leader_id,leader_epoch");
        reader.skipTaggedFields("current_leader");
    }
}

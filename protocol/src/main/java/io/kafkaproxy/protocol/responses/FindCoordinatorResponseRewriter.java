package io.kafkaproxy.protocol.responses;

import io.kafkaproxy.protocol.wire.ApiHeaderVersions;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.protocol.wire.KafkaWireReader;
import io.kafkaproxy.protocol.wire.KafkaWireWriter;
import io.kafkaproxy.protocol.wire.MalformedFrameException;
import org.agrona.DirectBuffer;

import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.agrona.BitUtil.SIZE_OF_SHORT;

/**
 * Rewrites the coordinator endpoints of a FindCoordinator response.
 *
 * <pre>
 *  v0:    error_code int16 | node_id int32 | host string | port int32
 *  v1-v3: throttle_time_ms int32 | error_code int16 | error_message nullable string
 *         | node_id int32 | host | port int32 [| tagged fields (v3)]
 *  v4+:   throttle_time_ms int32
 *         | coordinators [key | node_id int32 | host | port int32 | error_code | error_message | tagged fields]
 *         | tagged fields
 * </pre>
 *
 * An error answer carries node id -1 and no host; it is forwarded unchanged. Not thread safe; one per thread.
 */
public final class FindCoordinatorResponseRewriter
{
    private static final short FIRST_THROTTLE_VERSION = 1;
    private static final short FIRST_BATCHED_VERSION = 4;

    private final KafkaWireReader reader = new KafkaWireReader();
    private final EndpointRewriting endpoints = new EndpointRewriting(reader);

    /**
     * Rewrites one response body.
     *
     * @param buffer     the buffer holding the response.
     * @param bodyOffset the offset of the body.
     * @param bodyLength the body length.
     * @param apiVersion the response version.
     * @param mapper     the address mapper.
     * @param splice     receives the replacement when the outcome is {@link RewriteOutcome#SPLICED}.
     * @return a {@link RewriteOutcome} constant.
     * @throws MalformedFrameException if a field runs past the body.
     */
    public int rewrite(
        final DirectBuffer buffer,
        final int bodyOffset,
        final int bodyLength,
        final short apiVersion,
        final BrokerEndpointMapper mapper,
        final ResponseSplice splice)
    {
        final boolean flexible = ApiHeaderVersions.isFlexible(ApiKeyIds.FIND_COORDINATOR, apiVersion);
        reader.wrap(buffer, bodyOffset, bodyLength);
        endpoints.reset();
        if (apiVersion >= FIRST_BATCHED_VERSION)
        {
            reader.skip(SIZE_OF_INT, "throttle_time_ms");
            final KafkaWireWriter writer = splice.begin(reader.position());
            endpoints.rewriteArray(EndpointEntryLayout.COORDINATOR, apiVersion, true, mapper, writer);
            splice.end(reader.position());
            return endpoints.outcome();
        }
        if (apiVersion >= FIRST_THROTTLE_VERSION)
        {
            reader.skip(SIZE_OF_INT, "throttle_time_ms");
        }
        reader.skip(SIZE_OF_SHORT, "error_code");
        if (apiVersion >= FIRST_THROTTLE_VERSION)
        {
            reader.skipString(flexible, "error_message");
        }
        final KafkaWireWriter writer = splice.begin(reader.position());
        endpoints.rewriteEndpoint(flexible, mapper, writer);
        splice.end(reader.position());
        return endpoints.outcome();
    }
}

package io.kafkaproxy.protocol.responses;

import io.kafkaproxy.protocol.wire.ApiHeaderVersions;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.protocol.wire.KafkaWireReader;
import io.kafkaproxy.protocol.wire.MalformedFrameException;

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
 * An error answer carries node id -1 and no host; it is forwarded unchanged.
 */
final class FindCoordinatorResponseRewriter
{
    private static final short FIRST_THROTTLE_VERSION = 1;
    private static final short FIRST_BATCHED_VERSION = 4;

    private FindCoordinatorResponseRewriter()
    {
    }

    /**
     * Rewrites the coordinators of the response an endpoint rewriter has just wrapped.
     *
     * @param endpoints  the endpoint rewriter, wrapped around the body.
     * @param apiVersion the response version.
     * @return a {@link RewriteOutcome} constant.
     * @throws MalformedFrameException if a field runs past the body.
     */
    static int rewrite(final EndpointArrayRewriter endpoints, final short apiVersion)
    {
        final KafkaWireReader reader = endpoints.reader();
        if (apiVersion >= FIRST_BATCHED_VERSION)
        {
            reader.skip(SIZE_OF_INT, "throttle_time_ms");
            return endpoints.rewriteArray(EndpointEntryLayout.COORDINATOR, apiVersion, true);
        }
        final boolean flexible = ApiHeaderVersions.isFlexible(ApiKeyIds.FIND_COORDINATOR, apiVersion);
        if (apiVersion >= FIRST_THROTTLE_VERSION)
        {
            reader.skip(SIZE_OF_INT, "throttle_time_ms");
        }
        reader.skip(SIZE_OF_SHORT, "error_code");
        if (apiVersion >= FIRST_THROTTLE_VERSION)
        {
            reader.skipString(flexible, "error_message");
        }
        return endpoints.rewriteSingle(flexible);
    }
}

package io.kafkaproxy.protocol.responses;

import io.kafkaproxy.protocol.wire.KafkaWireReader;
import io.kafkaproxy.protocol.wire.MalformedFrameException;

import static org.agrona.BitUtil.SIZE_OF_BYTE;
import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.agrona.BitUtil.SIZE_OF_SHORT;

/**
 * Rewrites the broker endpoints of a DescribeCluster response (v0-v2, all flexible), and its cluster id when the
 * mapper gives one ({@link BrokerEndpointMapper#clusterId()}).
 *
 * <pre>
 *  throttle_time_ms int32 | error_code int16 | error_message compact nullable string
 *  [endpoint_type int8 (v1+)] | cluster_id compact string | controller_id int32
 *  brokers [broker_id int32 | host | port int32 | rack | is_fenced bool (v2+) | tagged fields]
 *  cluster_authorized_operations int32 | tagged fields      (kept)
 * </pre>
 */
final class DescribeClusterResponseRewriter
{
    private static final short FIRST_ENDPOINT_TYPE_VERSION = 1;

    private DescribeClusterResponseRewriter()
    {
    }

    /**
     * Rewrites the brokers of the response an endpoint rewriter has just wrapped.
     *
     * @param endpoints  the endpoint rewriter, wrapped around the body.
     * @param apiVersion the response version.
     * @return a {@link RewriteOutcome} constant.
     * @throws MalformedFrameException if the fields ahead of and in the brokers array run past the body.
     */
    static int rewrite(final EndpointArrayRewriter endpoints, final short apiVersion)
    {
        final KafkaWireReader reader = endpoints.reader();
        reader.skip(SIZE_OF_INT + SIZE_OF_SHORT, "throttle_time_ms,error_code");
        reader.skipString(true, "error_message");
        if (apiVersion >= FIRST_ENDPOINT_TYPE_VERSION)
        {
            reader.skip(SIZE_OF_BYTE, "endpoint_type");
        }
        return endpoints.rewriteClusterIdThenArray(EndpointEntryLayout.DESCRIBE_CLUSTER_BROKER, apiVersion, true);
    }
}

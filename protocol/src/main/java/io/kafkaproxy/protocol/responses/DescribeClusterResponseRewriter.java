package io.kafkaproxy.protocol.responses;

import io.kafkaproxy.protocol.wire.KafkaWireReader;
import io.kafkaproxy.protocol.wire.KafkaWireWriter;
import io.kafkaproxy.protocol.wire.MalformedFrameException;
import org.agrona.DirectBuffer;

import static org.agrona.BitUtil.SIZE_OF_BYTE;
import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.agrona.BitUtil.SIZE_OF_SHORT;

/**
 * Rewrites the broker endpoints of a DescribeCluster response (v0-v2, all flexible).
 *
 * <pre>
 *  throttle_time_ms int32 | error_code int16 | error_message compact nullable string
 *  [endpoint_type int8 (v1+)] | cluster_id compact string | controller_id int32
 *  brokers [broker_id int32 | host | port int32 | rack | is_fenced bool (v2+) | tagged fields]
 *  cluster_authorized_operations int32 | tagged fields      (kept)
 * </pre>
 *
 * Not thread safe; one instance per thread.
 */
public final class DescribeClusterResponseRewriter
{
    private static final short FIRST_ENDPOINT_TYPE_VERSION = 1;

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
     * @throws MalformedFrameException if the fields ahead of and in the brokers array run past the body.
     */
    public int rewrite(
        final DirectBuffer buffer,
        final int bodyOffset,
        final int bodyLength,
        final short apiVersion,
        final BrokerEndpointMapper mapper,
        final ResponseSplice splice)
    {
        reader.wrap(buffer, bodyOffset, bodyLength);
        reader.skip(SIZE_OF_INT + SIZE_OF_SHORT, "throttle_time_ms,error_code");
        reader.skipString(true, "error_message");
        if (apiVersion >= FIRST_ENDPOINT_TYPE_VERSION)
        {
            reader.skip(SIZE_OF_BYTE, "endpoint_type");
        }
        reader.skipString(true, "cluster_id");
        reader.skip(SIZE_OF_INT, "controller_id");
        endpoints.reset();
        final KafkaWireWriter writer = splice.begin(reader.position());
        endpoints.rewriteArray(EndpointEntryLayout.DESCRIBE_CLUSTER_BROKER, apiVersion, true, mapper, writer);
        splice.end(reader.position());
        return endpoints.outcome();
    }
}

package io.kafkaproxy.protocol.responses;

import io.kafkaproxy.protocol.wire.ApiHeaderVersions;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.protocol.wire.MalformedFrameException;
import org.agrona.DirectBuffer;

import static org.agrona.BitUtil.SIZE_OF_INT;

/**
 * Rewrites the broker endpoints of a Metadata response, every version, by replacing only its brokers array, and from
 * v2 the cluster id after it when the mapper gives one ({@link BrokerEndpointMapper#clusterId()}).
 *
 * <pre>
 *  [throttle_time_ms int32 (v3+)]
 *  brokers [node_id int32 | host string | port int32 | rack nullable string (v1+) | tagged fields (v9+)]
 *  [cluster_id nullable string (v2+)]
 *  controller_id, topics, ...   (kept as they are, however many topics there are)
 * </pre>
 *
 * The topics section, which is most of a large cluster's response, is never read or copied. Public for the
 * broker discovery, which rewrites Metadata outside {@link ResponseRewriters}. Not thread safe; one instance per
 * thread.
 */
public final class MetadataResponseRewriter
{
    private static final short FIRST_THROTTLE_VERSION = 3;
    private static final short FIRST_CLUSTER_ID_VERSION = 2;

    private final EndpointArrayRewriter endpoints = new EndpointArrayRewriter();

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
     * @throws MalformedFrameException if the brokers array runs past the body.
     */
    public int rewrite(
        final DirectBuffer buffer,
        final int bodyOffset,
        final int bodyLength,
        final short apiVersion,
        final BrokerEndpointMapper mapper,
        final ResponseSplice splice)
    {
        return rewrite(endpoints.wrap(buffer, bodyOffset, bodyLength, mapper, splice), apiVersion);
    }

    /**
     * Rewrites the brokers of the response an endpoint rewriter has just wrapped.
     *
     * @param endpoints  the endpoint rewriter, wrapped around the body.
     * @param apiVersion the response version.
     * @return a {@link RewriteOutcome} constant.
     * @throws MalformedFrameException if the brokers array runs past the body.
     */
    static int rewrite(final EndpointArrayRewriter endpoints, final short apiVersion)
    {
        if (apiVersion >= FIRST_THROTTLE_VERSION)
        {
            endpoints.reader().skip(SIZE_OF_INT, "throttle_time_ms");
        }
        final boolean flexible = ApiHeaderVersions.isFlexible(ApiKeyIds.METADATA, apiVersion);
        if (apiVersion >= FIRST_CLUSTER_ID_VERSION)
        {
            return endpoints.rewriteArrayThenClusterId(EndpointEntryLayout.METADATA_BROKER, apiVersion, flexible);
        }
        return endpoints.rewriteArray(EndpointEntryLayout.METADATA_BROKER, apiVersion, flexible);
    }
}

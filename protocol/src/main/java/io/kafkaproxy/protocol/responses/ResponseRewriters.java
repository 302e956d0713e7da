package io.kafkaproxy.protocol.responses;

import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.protocol.wire.MalformedFrameException;
import org.agrona.DirectBuffer;

/**
 * Chooses and runs the rewriter for a response, by the api key and version of the request it answers.
 *
 * <p>{@link #rewrites} is the cheap test made for every response; only the few it selects are walked. Not
 * thread safe: it owns the endpoint rewriter that every address-bearing response shares and the ApiVersions
 * rewriter, so keep one per thread (per event loop).
 */
public final class ResponseRewriters
{
    private final EndpointArrayRewriter endpoints = new EndpointArrayRewriter();
    private final ApiVersionsResponseRewriter apiVersions = new ApiVersionsResponseRewriter();

    /**
     * Whether responses to this request may need rewriting.
     *
     * @param apiKey     the request's api key.
     * @param apiVersion the request's version.
     * @return true if the response must be passed to {@link #rewrite}.
     */
    public static boolean rewrites(final short apiKey, final short apiVersion)
    {
        switch (apiKey)
        {
            case ApiKeyIds.METADATA:
            case ApiKeyIds.FIND_COORDINATOR:
            case ApiKeyIds.DESCRIBE_CLUSTER:
            case ApiKeyIds.API_VERSIONS:
            case ApiKeyIds.SHARE_FETCH:
            case ApiKeyIds.SHARE_ACKNOWLEDGE:
                return true;
            case ApiKeyIds.PRODUCE:
                return apiVersion >= NodeEndpointsResponseRewriter.FIRST_PRODUCE_VERSION;
            case ApiKeyIds.FETCH:
                return apiVersion >= NodeEndpointsResponseRewriter.FIRST_FETCH_VERSION;
            default:
                return false;
        }
    }

    /**
     * Rewrites a response body.
     *
     * @param apiKey     the request's api key.
     * @param apiVersion the request's version.
     * @param buffer     the buffer holding the response.
     * @param bodyOffset the offset of the response body.
     * @param bodyLength the body length.
     * @param mapper     the address mapper.
     * @param splice     receives the replacement when the outcome is {@link RewriteOutcome#SPLICED}.
     * @return a {@link RewriteOutcome} constant.
     * @throws MalformedFrameException if the response does not follow its schema.
     */
    public int rewrite(
        final short apiKey,
        final short apiVersion,
        final DirectBuffer buffer,
        final int bodyOffset,
        final int bodyLength,
        final BrokerEndpointMapper mapper,
        final ResponseSplice splice)
    {
        if (apiKey == ApiKeyIds.API_VERSIONS)
        {
            return apiVersions.rewrite(buffer, bodyOffset, bodyLength, apiVersion, splice);
        }
        if (!rewrites(apiKey, apiVersion))
        {
            return RewriteOutcome.UNCHANGED;
        }
        endpoints.wrap(buffer, bodyOffset, bodyLength, mapper, splice);
        switch (apiKey)
        {
            case ApiKeyIds.METADATA:
                return MetadataResponseRewriter.rewrite(endpoints, apiVersion);
            case ApiKeyIds.FIND_COORDINATOR:
                return FindCoordinatorResponseRewriter.rewrite(endpoints, apiVersion);
            case ApiKeyIds.DESCRIBE_CLUSTER:
                return DescribeClusterResponseRewriter.rewrite(endpoints, apiVersion);
            default:
                return NodeEndpointsResponseRewriter.rewrite(apiKey, endpoints, apiVersion);
        }
    }
}

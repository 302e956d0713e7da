package io.kafkaproxy.proxy.connection;

import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.proxy.request.DecodedRequest;

/**
 * How long a broker may rightly hold a request before answering it, by the request's own terms: the part of its wait
 * that is the broker doing as asked, not failing. The request timeout runs only after it.
 *
 * <ul>
 *   <li>Fetch: {@code max_wait_ms}. A consumer's {@code fetch.max.wait.ms} is its to choose; on a quiet topic the
 *       broker answers only when it runs out.</li>
 *   <li>Produce with acks=all: {@code timeout_ms}, how long the leader may wait for the in-sync replicas.</li>
 *   <li>JoinGroup and SyncGroup: no bound the proxy can read; they wait for the group's rebalance (up to the
 *       members' rebalance timeouts, minutes), so they are never timed out.</li>
 *   <li>Anything else: none. Admin requests with a {@code timeout_ms} of their own (CreateTopics, DeleteRecords,
 *       ...) carry it after arrays, so it is not read here; one held past the request timeout closes its connection
 *       but does not count against the broker while the broker answers others (see
 *       {@link io.kafkaproxy.proxy.circuit.BrokerCircuitBreakers}). ShareFetch is not decoded by this proxy
 *       yet.</li>
 * </ul>
 *
 * <p>Reads only fields the policy decodes anyway; allocates nothing. Stateless.
 */
final class BrokerWaitAllowance
{
    /** The wait of a request the proxy never times out. */
    static final int UNBOUNDED = Integer.MAX_VALUE;

    private static final short ACKS_ALL = -1;

    private BrokerWaitAllowance()
    {
    }

    /**
     * The request's own wait.
     *
     * @param request the request, decoded.
     * @return milliseconds, never negative; {@link #UNBOUNDED} for a request never timed out.
     * @throws io.kafkaproxy.protocol.wire.FrameRejectedException if a Fetch or Produce body is malformed.
     */
    static int millis(final DecodedRequest request)
    {
        switch (request.apiKey())
        {
            case ApiKeyIds.FETCH:
                return Math.max(0, request.fetch().maxWaitMs());
            case ApiKeyIds.PRODUCE:
                return request.produce().acks() == ACKS_ALL ? Math.max(0, request.produce().timeoutMs()) : 0;
            case ApiKeyIds.JOIN_GROUP:
            case ApiKeyIds.SYNC_GROUP:
                return UNBOUNDED;
            default:
                return 0;
        }
    }
}

package io.kafkaproxy.protocol.responses;

/**
 * What a response rewriter did, as plain int constants so the hot path allocates nothing.
 *
 * <p>The failure outcomes are ordered: combining two outcomes keeps the larger, so one unavailable endpoint
 * makes the whole response unavailable.
 */
public final class RewriteOutcome
{
    /** The response carries no broker address; forward it unchanged. */
    public static final int UNCHANGED = 0;
    /** The response was rewritten; the splice says how. */
    public static final int SPLICED = 1;
    /** A node's proxy listener is still starting; retry the rewrite when it is ready. */
    public static final int ENDPOINTS_PENDING = 2;
    /** A node cannot be given a proxy address; the response must not reach the client. */
    public static final int ENDPOINTS_UNAVAILABLE = 3;

    private RewriteOutcome()
    {
    }

    /**
     * Folds the outcome of one endpoint's mapping into the outcome so far.
     *
     * @param outcome   the outcome so far.
     * @param proxyPort what the mapper returned for one endpoint.
     * @return the combined outcome.
     */
    static int withMappedPort(final int outcome, final int proxyPort)
    {
        if (proxyPort == BrokerEndpointMapper.PORT_UNAVAILABLE)
        {
            return ENDPOINTS_UNAVAILABLE;
        }
        if (proxyPort == BrokerEndpointMapper.PORT_PENDING)
        {
            return Math.max(outcome, ENDPOINTS_PENDING);
        }
        return Math.max(outcome, SPLICED);
    }

    /**
     * A name for logs.
     *
     * @param outcome one of the constants.
     * @return its name.
     */
    public static String name(final int outcome)
    {
        switch (outcome)
        {
            case UNCHANGED:
                return "UNCHANGED";
            case SPLICED:
                return "SPLICED";
            case ENDPOINTS_PENDING:
                return "ENDPOINTS_PENDING";
            case ENDPOINTS_UNAVAILABLE:
                return "ENDPOINTS_UNAVAILABLE";
            default:
                return "UNKNOWN(" + outcome + ")";
        }
    }
}

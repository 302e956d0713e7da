package io.kafkaproxy.protocol.responses;

/**
 * Decides the address clients are given in place of a broker's real one.
 *
 * <p>Called by the response rewriters for every broker endpoint they meet. Implementations may register the
 * node and start a listener for it on first sight; until that listener can accept connections they answer
 * {@link #PORT_PENDING}, and the caller retries the whole rewrite once it can.
 */
public interface BrokerEndpointMapper
{
    /**
     * The node's proxy listener is being started; retry the rewrite when it is ready.
     */
    int PORT_PENDING = -1;

    /**
     * The node cannot be given a proxy address (no free port, bind failed); the response must not be sent.
     */
    int PORT_UNAVAILABLE = -2;

    /**
     * The port clients should use to reach a broker node through the proxy.
     *
     * @param nodeId     the broker's node id.
     * @param brokerHost the host the broker advertised.
     * @param brokerPort the port the broker advertised.
     * @return the proxy port, {@link #PORT_PENDING} or {@link #PORT_UNAVAILABLE}.
     */
    int proxyPort(int nodeId, String brokerHost, int brokerPort);

    /**
     * The host clients should use for every node.
     *
     * @return the advertised host name or address.
     */
    String advertisedHost();

    /**
     * The host clients should use for one node: {@link #advertisedHost()} unless each node has a name of its own
     * (SNI routing, where every node shares one port).
     *
     * @param nodeId the broker's node id.
     * @return the advertised host name or address of that node.
     */
    default String advertisedHost(final int nodeId)
    {
        return advertisedHost();
    }

    /**
     * The cluster id clients are given in place of the broker's (Metadata v2+ and DescribeCluster): a virtual
     * cluster's own id, stable across restarts, that changes when the cluster switches upstream (KIP-1242 clients
     * then re-bootstrap).
     *
     * @return the id, or null to leave the broker's id as it is.
     */
    default String clusterId()
    {
        return null;
    }
}

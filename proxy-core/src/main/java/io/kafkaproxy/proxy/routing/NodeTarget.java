package io.kafkaproxy.proxy.routing;

import java.net.InetSocketAddress;

/**
 * Routes a connection made to a node listener to that broker node, at the address it last advertised.
 *
 * <p>There is no fallback: a connection meant for one node must never reach another. Immutable.
 */
public final class NodeTarget implements BrokerTarget
{
    private final int nodeId;
    private final BrokerNodeRegistry registry;
    private final String route;

    /**
     * Creates the target of one node listener.
     *
     * @param nodeId   the broker node.
     * @param registry where the node's current address is kept.
     */
    public NodeTarget(final int nodeId, final BrokerNodeRegistry registry)
    {
        this.nodeId = nodeId;
        this.registry = registry;
        this.route = "node-" + nodeId;
    }

    @Override
    public InetSocketAddress brokerAddress(final int attempt)
    {
        return attempt == 0 ? registry.brokerAddress(nodeId) : null;
    }

    @Override
    public String route()
    {
        return route;
    }
}

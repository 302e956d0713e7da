package io.kafkaproxy.proxy.routing;

import io.netty.util.concurrent.Future;

/**
 * Starts the proxy listener that fronts one broker node.
 */
@FunctionalInterface
public interface NodeListenerStarter
{
    /**
     * Binds a listener for a node.
     *
     * @param nodeId the broker node the listener's connections go to.
     * @param port   the port to bind, or 0 for an ephemeral port.
     * @return a future completing with the bound port, or failing with the bind error.
     */
    Future<Integer> startNodeListener(int nodeId, int port);
}

package io.kafkaproxy.proxy.routing;

import java.net.InetSocketAddress;

/**
 * The broker a client connection is forwarded to, with fallbacks when a connect attempt fails.
 */
public interface BrokerTarget
{
    /**
     * The broker address for a connect attempt.
     *
     * @param attempt 0 for the first attempt, then 1, 2, ... after each failure.
     * @return an unresolved address (resolved without blocking by the connector), or null when no attempts are
     *         left.
     */
    InetSocketAddress brokerAddress(int attempt);

    /**
     * A short description for logs: {@code bootstrap} or {@code node-<id>}.
     *
     * @return the route name.
     */
    String route();
}

package io.kafkaproxy.proxy.routing;

import java.net.InetSocketAddress;

/**
 * A connection's target that is not known when it is accepted but chosen once, before its first request: on a
 * listener routed by SNI, from the server name of the client's TLS ClientHello. The broker is connected at the
 * first request frame, which cannot come before the handshake, so the choice is always made in time; a connection
 * whose target was never chosen has no broker address and is closed as unreachable.
 *
 * <p>Confined to its connection's event loop.
 */
public final class DeferredBrokerTarget implements BrokerTarget
{
    private BrokerTarget chosen;

    /**
     * Chooses the target.
     *
     * @param target where the connection goes.
     * @throws IllegalStateException if a target was already chosen.
     */
    public void choose(final BrokerTarget target)
    {
        if (chosen != null)
        {
            throw new IllegalStateException("the target of a connection is chosen once: route=" + chosen.route());
        }
        chosen = target;
    }

    /**
     * Whether a target was chosen.
     *
     * @return true once {@link #choose} was called.
     */
    public boolean isChosen()
    {
        return chosen != null;
    }

    @Override
    public InetSocketAddress brokerAddress(final int attempt)
    {
        return chosen == null ? null : chosen.brokerAddress(attempt);
    }

    @Override
    public String route()
    {
        return chosen == null ? "unrouted" : chosen.route();
    }
}

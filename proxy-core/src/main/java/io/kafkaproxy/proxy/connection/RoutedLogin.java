package io.kafkaproxy.proxy.connection;

import io.kafkaproxy.proxy.sasl.SaslServerExchange;

/**
 * A SASL login a routing listener checked before it chose the connection's cluster, handed on with the connection:
 * the cluster's connection starts logged in, and a re-authentication (KIP-368) continues the same exchange, so it
 * keeps the mechanism and the principal (a different principal is refused, as a broker refuses it, and could not
 * change the cluster anyway).
 *
 * @param exchange        the logged-in exchange; from now on confined to the connection's event loop and executor, as
 *                        any connection's.
 * @param sessionEnds     whether the session has an end (KIP-368 lifetime sent to the client).
 * @param sessionEndNanos when it ends, on {@link System#nanoTime()}'s clock.
 */
public record RoutedLogin(SaslServerExchange exchange, boolean sessionEnds, long sessionEndNanos)
{
}

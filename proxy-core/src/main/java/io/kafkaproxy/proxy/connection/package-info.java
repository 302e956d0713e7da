/**
 * One proxied connection: the client's channel, the broker link opened for it, and the state machine that owns
 * the pair's states and transitions.
 *
 * <p>{@link io.kafkaproxy.proxy.connection.ClientFrontendHandler} and
 * {@link io.kafkaproxy.proxy.connection.BrokerBackendHandler} turn Netty callbacks into calls on
 * {@link io.kafkaproxy.proxy.connection.ClientConnectionStateMachine} (states in
 * {@link io.kafkaproxy.proxy.connection.ClientConnectionState}), which hands the work to its parts: broker connect
 * attempts, the proxy's own login to the broker ({@code upstream.sasl}), request and response forwarding (responses
 * not whole in one read streamed by {@link io.kafkaproxy.proxy.connection.ResponseStream}, large Produce requests by
 * {@link io.kafkaproxy.proxy.connection.RequestStream}: cut-through), timers,
 * back-pressure, the connection log and, on a listener that terminates SASL,
 * {@link io.kafkaproxy.proxy.connection.SaslTermination} (the login, off the event loop through {@code proxy.sasl}'s
 * executor, and the cluster's shared failed-login limiter). The broker side is a
 * {@link io.kafkaproxy.proxy.connection.BrokerLink}, the seam for a produce mirror or another cluster. Requests are
 * decided by the policy ({@code proxy.policy}) over a request decoded once ({@code proxy.request}); this package
 * depends on both and neither depends on it. Both channels live on one event loop, so nothing here is shared between
 * threads except the node registry it is given and the proxy's
 * {@link io.kafkaproxy.proxy.connection.ConnectionLogLimits}, the lock-free WARN-line budget every connection's
 * failures share.
 */
package io.kafkaproxy.proxy.connection;

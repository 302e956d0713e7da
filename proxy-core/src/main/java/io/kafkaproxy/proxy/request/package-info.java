/**
 * One client request as the connection and its policy see it, decoded once: {@link
 * io.kafkaproxy.proxy.request.DecodedRequest} (the header and lazily wrapped Produce and Fetch flyweights over the same
 * view), the {@link io.kafkaproxy.proxy.request.RequestDecision} the policy stages return for it, the {@link
 * io.kafkaproxy.proxy.request.ResponseAmendment} a decision may owe the response, and {@link
 * io.kafkaproxy.proxy.request.EventLoopFlyweights}, the one set of flyweights and scratch objects the connections of an
 * event loop share.
 *
 * <p>Both {@code proxy.connection} and {@code proxy.policy} depend on this package, and it depends on neither, so the
 * connection may depend on the policy without the policy ever depending on the connection.
 */
package io.kafkaproxy.proxy.request;

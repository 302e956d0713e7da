/**
 * One proxied connection: the client's channel, the broker channel opened for it, and the state machine that
 * owns every decision about the pair.
 *
 * <p>{@link io.kafkaproxy.proxy.connection.ClientFrontendHandler} and
 * {@link io.kafkaproxy.proxy.connection.BrokerBackendHandler} turn Netty callbacks into calls on
 * {@link io.kafkaproxy.proxy.connection.ClientConnectionStateMachine}; both channels live on one event loop, so
 * nothing here is shared between threads except the node registry it is given.
 */
package io.kafkaproxy.proxy.connection;

/**
 * Where each client connection goes and what address each broker is advertised under.
 *
 * <p>The proxy has one bootstrap listener and one listener per broker node. A connection to the bootstrap
 * listener goes to one of the upstream bootstrap servers ({@link io.kafkaproxy.proxy.routing.BootstrapTarget});
 * a connection to a node listener goes to that node ({@link io.kafkaproxy.proxy.routing.NodeTarget}).
 * {@link io.kafkaproxy.proxy.routing.BrokerNodeRegistry} learns nodes from the responses the proxy rewrites,
 * gives each a port from {@link io.kafkaproxy.proxy.routing.NodePortAllocator} and has its listener started; it
 * is the one piece of mutable state shared by all event loops (see its javadoc for why and how).
 */
package io.kafkaproxy.proxy.routing;

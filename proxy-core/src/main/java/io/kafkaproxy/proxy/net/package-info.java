/**
 * Sockets: the transport, the event loops, the listeners, and the pipelines of client and broker channels; and the
 * proxy's lifecycle ({@link io.kafkaproxy.proxy.net.KafkaProxy}), which starts and closes them in order.
 *
 * <p>What belongs to one upstream cluster (its published {@link io.kafkaproxy.proxy.cluster.ClusterSnapshot},
 * listeners, broker connector, policy and circuit breakers) is one {@code ClusterContext}; the proxy holds a
 * list of them, one per virtual cluster of the configuration. Each client listener of a cluster is a {@code ListenerContext}: its bootstrap port, node ports and
 * own node registry, with which its connections rewrite broker addresses (on a listener routed by SNI, no node ports:
 * every node is named on the bootstrap port). {@code ProxyListeners} binds the bootstrap and node listeners,
 * {@code ConnectionDrainer} drains connections at shutdown, {@code ProxyEventLoops} owns the loops by role.
 *
 * <p>Client channel pipeline, inbound order:
 * <ol>
 *   <li>{@code ssl}: {@link io.netty.handler.ssl.SslHandler}, from the snapshot's
 *       {@link io.kafkaproxy.proxy.tls.ClientTlsContext}, when the listener has TLS; it decrypts into pool memory
 *       (the channel's allocator), and the channel's reads then have no direct-read target. On a listener routed
 *       by SNI it starts as a {@link io.netty.handler.ssl.SniHandler}, which puts the {@code SslHandler} in its place
 *       once it has read the ClientHello's server name;</li>
 *   <li>{@code sniRouting}: {@code SniRoutingHandler}, on a listener routed by SNI, until the server name is known:
 *       it chooses the connection's target (bootstrap or one node) or refuses the connection. On a port that several
 *       SNI listeners share (of one cluster or several; {@code SharedSniChannelInitializer}), the {@code SniHandler}
 *       presents the certificate of the listener the name belongs to, and {@code SharedSniRoutingHandler} chooses
 *       that listener and its target, then adds {@code tlsHandshake} and the handlers below for it;</li>
 *   <li>{@code tlsHandshake}: {@link io.kafkaproxy.proxy.tls.ClientTlsHandshakeHandler}, with TLS, until the
 *       handshake succeeds (it names the certificate principal) or fails (counted, one WARN, closed);</li>
 *   <li>{@code clusterRouting}: {@code ClusterRoutingHandler}, on the routing listener only (whose pipeline
 *       {@code RoutingChannelInitializer} builds up to here), until the connection's first request names its client
 *       id: it chooses the cluster by the routing rules, adds the handlers below as that cluster's first listener
 *       would, and leaves, handing them the bytes it holds; or it refuses the connection. On a routing listener
 *       with {@code sasl}, {@code SaslRoutingHandler} in its place answers ApiVersions and the SASL login itself,
 *       then routes by the SASL principal and hands the cluster's handlers a logged-in connection;</li>
  <li>{@code idle}: {@link io.netty.handler.timeout.IdleStateHandler}, when an idle timeout is set;</li>
 *   <li>{@code frameDecoder}: {@link io.kafkaproxy.proxy.codec.KafkaFrameDecoder}, the request size limit;</li>
 *   <li>{@code headerDecoder}: {@link io.kafkaproxy.proxy.codec.RequestHeaderDecoder};</li>
 *   <li>{@code frontend}: {@link io.kafkaproxy.proxy.connection.ClientFrontendHandler}, where every event and
 *       every exception ends. Its state machine applies the connection's
 *       {@link io.kafkaproxy.proxy.policy.ConnectionPolicy} (principal, ACLs, quotas) to each request and
 *       response there rather than in handlers of their own: a denied or split request changes what the in-flight
 *       queue expects back, and a throttle pauses the same reads the state machine gates.</li>
 * </ol>
 * Broker channel pipeline: with {@code upstream.standby}, first {@code failoverFence}
 * ({@link io.kafkaproxy.proxy.failover.GenerationFenceHandler}: a connection of an older failover generation carries
 * nothing); with {@code upstream.tls}, {@code tls} ({@link io.netty.handler.ssl.SslHandler}, SNI and
 * hostname verification for the broker's host) and {@code tlsHandshakeGuard} (until the handshake is done; a failed
 * one is reported as a failed connect); then {@code frameDecoder} (the response size limit), then {@code backend}
 * ({@link io.kafkaproxy.proxy.connection.BrokerBackendHandler}). A response streamed by cut-through goes from the
 * decoder to the backend by a direct call (its {@code ResponseStreamSink}), not through the pipeline: a handler put
 * between the two would never see it. Frames carry their size field, so nothing is
 * encoded on the way out: the outbound side has no handlers but the TLS handler and the fence.
 *
 * <p>A broker channel is always registered on its client channel's event loop, with the same transport. Client
 * channels start with auto-read off; reads begin once the broker connection is up.
 */
package io.kafkaproxy.proxy.net;

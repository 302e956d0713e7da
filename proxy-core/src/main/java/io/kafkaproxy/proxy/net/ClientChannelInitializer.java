package io.kafkaproxy.proxy.net;

import io.kafkaproxy.protocol.wire.RequestHeaderFlyweight;
import io.kafkaproxy.proxy.cluster.ClusterSnapshot;
import io.kafkaproxy.proxy.config.TlsServerConfig;
import io.kafkaproxy.proxy.codec.KafkaFrameDecoder;
import io.kafkaproxy.proxy.codec.RequestHeaderDecoder;
import io.kafkaproxy.proxy.codec.SaslFraming;
import io.kafkaproxy.proxy.connection.ClientConnectionStateMachine;
import io.kafkaproxy.proxy.connection.ClientFrontendHandler;
import io.kafkaproxy.proxy.connection.SaslTerminationSetup;
import io.kafkaproxy.proxy.memory.ChannelMemoryWait;
import io.kafkaproxy.proxy.memory.PoolRecvByteBufAllocator;
import io.kafkaproxy.proxy.policy.CertificatePrincipal;
import io.kafkaproxy.proxy.policy.ConnectionPolicy;
import io.kafkaproxy.proxy.policy.PrincipalSource;
import io.kafkaproxy.proxy.routing.BrokerTarget;
import io.kafkaproxy.proxy.routing.DeferredBrokerTarget;
import io.kafkaproxy.proxy.tls.ClientTlsContext;
import io.kafkaproxy.proxy.tls.ClientTlsHandshakeHandler;
import io.kafkaproxy.proxy.policy.TerminatedSaslPrincipal;
import io.kafkaproxy.proxy.sasl.SaslCredentials;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.Mapping;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Builds the pipeline of each client channel accepted by one listener, in the order documented in
 * {@code package-info}: TLS (when the snapshot has it: the {@code SslHandler}, or on a listener routed by SNI the
 * {@code SniHandler} and the routing handler; then the handshake's handler), idle, frame decoder, header decoder,
 * frontend.
 *
 * <p>The frame decoder hands a streamed request's bytes (cut-through) to the frontend handler by a direct call, not
 * through the pipeline: a handler added between {@code frameDecoder} and {@code frontend} sees whole requests only.
 *
 * <p>Each listener fronts one cluster (its bootstrap servers or one of its nodes) and rewrites broker addresses with
 * its own node registry. Shared by all channels of its listener (it keeps no per-channel state); each channel gets its own handlers
 * and state machine. Runs on the accepted channel's event loop.
 */
final class ClientChannelInitializer extends ChannelInitializer<Channel>
{
    /** The name of the {@code SslHandler} in a TLS client pipeline; an {@code SniHandler} replaces it under this name. */
    static final String SSL_HANDLER_NAME = "ssl";

    private final Supplier<BrokerTarget> targets;
    private final ListenerContext listener;
    private final ClusterContext cluster;
    private final ConnectionServices services;
    private final LongSupplier tlsWarnBudget;
    private final LongSupplier sniWarnBudget;

    ClientChannelInitializer(final Supplier<BrokerTarget> targets, final ListenerContext listener, final ConnectionServices services)
    {
        this.targets = targets;
        this.listener = listener;
        this.cluster = listener.cluster();
        this.services = services;
        this.tlsWarnBudget = services.logLimits()::tryAcquireTlsHandshakeFailure;
        this.sniWarnBudget = services.logLimits()::tryAcquireSniUnknownHost;
    }

    @Override
    protected void initChannel(final Channel channel)
    {
        services.clientChannels().add(channel);
        // One snapshot for the whole pipeline: TLS material and timeouts from the same reload.
        final ClusterSnapshot snapshot = cluster.snapshot();
        final ClientTlsContext tls = snapshot.clientTls(listener.name());
        final BrokerTarget target = targets.get();
        final CertificatePrincipal certificatePrincipal =
            tls != null && tls.clientAuth() != TlsServerConfig.ClientAuth.NONE ? new CertificatePrincipal() : null;
        final ChannelPipeline pipeline = channel.pipeline();
        if (tls != null)
        {
            // The channel's allocator is the pool: the SslHandler decrypts into pool memory, which the frame decoder
            // slices as it slices plaintext reads. The broker connection waits for a whole frame, so for the handshake.
            if (target instanceof DeferredBrokerTarget deferred)
            {
                // SNI routing: the SniHandler reads the ClientHello's server name, puts the SslHandler in its place,
                // and the routing handler chooses the target from that name, before any request can arrive.
                final SslContext sslContext = tls.sslContext();
                pipeline
                    .addLast(SSL_HANDLER_NAME, new SniHandler((Mapping<String, SslContext>)serverName -> sslContext))
                    .addLast("sniRouting", new SniRoutingHandler(listener.sniHostNames(), deferred, listener.nodes(),
                        () -> cluster.snapshot().bootstrapServers(), cluster.policyMetrics()::onConnectionRejected,
                        sniWarnBudget, listener.name()));
            }
            else
            {
                pipeline.addLast(SSL_HANDLER_NAME, tls.newHandler(channel.alloc()));
            }
            pipeline
                .addLast("tlsHandshake", new ClientTlsHandshakeHandler(tls, cluster.metrics(), tlsWarnBudget,
                    certificatePrincipal == null ? null : certificatePrincipal::onHandshakeCompleted));
        }
        addConnectionHandlers(channel, listener, target, snapshot, tls == null, certificatePrincipal, services);
        services.pipelineCustomizer().accept(pipeline);
    }

    /**
     * Adds the handlers after TLS (idle, frame decoder, header decoder, frontend) and the connection's state machine,
     * for one cluster's listener: its policy, connector, breakers and node registry.
     *
     * @param channel              the client channel.
     * @param listener             the listener the connection belongs to.
     * @param target               where its broker connection goes.
     * @param snapshot             the cluster's snapshot when the connection was accepted.
     * @param directReads          whether socket reads may land in frames directly: plaintext bytes that no handler
     *                             before these has buffered.
     * @param certificatePrincipal the principal of its TLS client certificate, or null when the listener asks none.
     * @param services             what every client connection is built with.
     */
    static void addConnectionHandlers(
        final Channel channel,
        final ListenerContext listener,
        final BrokerTarget target,
        final ClusterSnapshot snapshot,
        final boolean directReads,
        final CertificatePrincipal certificatePrincipal,
        final ConnectionServices services)
    {
        addConnectionHandlers(channel, listener, target, snapshot, directReads, certificatePrincipal, services, null);
    }

    /**
     * Adds the handlers after TLS, as {@link #addConnectionHandlers(Channel, ListenerContext, BrokerTarget,
     * ClusterSnapshot, boolean, CertificatePrincipal, ConnectionServices)} does, for a connection a routing listener
     * logged in before choosing its cluster: its SASL is the routing listener's, already logged in, whatever the
     * cluster's listener terminates.
     *
     * @param channel              the client channel.
     * @param listener             the listener the connection belongs to.
     * @param target               where its broker connection goes.
     * @param snapshot             the cluster's snapshot when the connection was accepted.
     * @param directReads          whether socket reads may land in frames directly.
     * @param certificatePrincipal the principal of its TLS client certificate, or null when the listener asks none.
     * @param services             what every client connection is built with.
     * @param routedSasl           the routing listener's login of the connection, or null: the listener's own SASL.
     */
    static void addConnectionHandlers(
        final Channel channel,
        final ListenerContext listener,
        final BrokerTarget target,
        final ClusterSnapshot snapshot,
        final boolean directReads,
        final CertificatePrincipal certificatePrincipal,
        final ConnectionServices services,
        final SaslTerminationSetup routedSasl)
    {
        final ClusterContext cluster = listener.cluster();
        cluster.clientChannels().add(channel);
        final RequestHeaderFlyweight header = new RequestHeaderFlyweight();
        final String listenerName = listener.name();
        final SaslCredentials sasl = snapshot.sasl(listenerName);
        final SaslFraming saslFraming = routedSasl != null ? routedSasl.framing() : sasl == null ? null : new SaslFraming();
        final RequestHeaderDecoder headerDecoder = new RequestHeaderDecoder(header, saslFraming);
        final PrincipalSource[] listenerSources =
            certificatePrincipal == null ? new PrincipalSource[0] : new PrincipalSource[] {certificatePrincipal};
        final ConnectionPolicy policy;
        final SaslTerminationSetup saslSetup;
        if (routedSasl != null)
        {
            policy = ConnectionPolicy.terminatingSasl(cluster.policy(), channel.alloc(), clientAddress(channel),
                routedSasl.principal(), listenerSources);
            saslSetup = routedSasl;
        }
        else if (sasl == null)
        {
            policy = new ConnectionPolicy(cluster.policy(), channel.alloc(), clientAddress(channel), listenerSources);
            saslSetup = null;
        }
        else
        {
            final TerminatedSaslPrincipal principal = new TerminatedSaslPrincipal();
            policy = ConnectionPolicy.terminatingSasl(cluster.policy(), channel.alloc(), clientAddress(channel), principal,
                listenerSources);
            // A reload that turns termination off leaves this connection's logins checked against what it opened with.
            saslSetup = new SaslTerminationSetup(listenerName, () ->
            {
                final SaslCredentials current = cluster.snapshot().sasl(listenerName);
                return current == null ? sasl : current;
            }, cluster.failedLogins(), principal, saslFraming);
        }
        final ClientConnectionStateMachine connection = new ClientConnectionStateMachine(
            channel, target, cluster.connectorForNewConnection(), listener.nodes(), cluster.metrics(), header, headerDecoder.view(),
            policy, cluster.breakers(), services.logLimits(), saslSetup, cluster.mirrorTap(), services.cutThrough());

        final ChannelMemoryWait memoryWait = services.allocator().newChannelMemoryWait(true, connection::onClientMemoryWait);
        final ClientFrontendHandler frontend = new ClientFrontendHandler(connection);
        // Requests not whole in one read may stream to the broker through the frontend handler (cut-through): the state
        // machine decides each one from its head.
        final KafkaFrameDecoder frameDecoder = new KafkaFrameDecoder(cluster.requestLimit(), memoryWait, saslFraming, frontend);
        // Under TLS the socket bytes are ciphertext: they must never land in a frame, so reads get no direct target;
        // nor do they when a routing handler has buffered the first bytes (they reach the decoder as a buffer).
        channel.config().setRecvByteBufAllocator(directReads ?
            new PoolRecvByteBufAllocator(services.allocator(), frameDecoder, memoryWait) :
            new PoolRecvByteBufAllocator(services.allocator(), memoryWait));

        final ChannelPipeline pipeline = channel.pipeline();
        final long idleMillis = snapshot.idleTimeoutMillis();
        if (idleMillis > 0)
        {
            // Reader idleness only: every response answers a request, so a client that sends nothing is idle. Watching
            // writes too would make the handler allocate a promise and a listener for every response it sees.
            pipeline.addLast("idle", new IdleStateHandler(idleMillis, 0, 0, TimeUnit.MILLISECONDS));
        }
        pipeline
            .addLast("frameDecoder", frameDecoder)
            .addLast("headerDecoder", headerDecoder)
            .addLast("frontend", frontend);
    }

    private static InetAddress clientAddress(final Channel channel)
    {
        final SocketAddress address = channel.remoteAddress();
        return address instanceof InetSocketAddress ? ((InetSocketAddress)address).getAddress() : InetAddress.getLoopbackAddress();
    }
}

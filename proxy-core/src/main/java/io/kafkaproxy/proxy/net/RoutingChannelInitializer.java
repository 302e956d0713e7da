package io.kafkaproxy.proxy.net;

import io.kafkaproxy.proxy.config.TlsServerConfig;
import io.kafkaproxy.proxy.policy.CertificatePrincipal;
import io.kafkaproxy.proxy.routing.ClusterRoutes;
import io.kafkaproxy.proxy.tls.ClientTlsContext;
import io.kafkaproxy.proxy.tls.ClientTlsHandshakeHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;

import java.util.function.Function;

/**
 * Builds the first part of the pipeline of each client channel accepted by the routing listener: TLS (when the
 * listener has it: the {@code SslHandler} and the handshake's handler, which records the certificate principal), then
 * the {@link ClusterRoutingHandler}, which builds the rest for the cluster it chooses; on a listener that terminates
 * SASL, the {@link SaslRoutingHandler} instead, which logs the client in first and routes by its principal.
 *
 * <p>Shared by all channels of the routing listener (it keeps no per-channel state). Runs on the accepted channel's
 * event loop.
 */
final class RoutingChannelInitializer extends ChannelInitializer<Channel>
{
    private final String listenerName;
    private final ClientTlsContext tls;
    private final ClusterRoutes routes;
    private final Function<String, ClusterContext> clusters;
    private final ConnectionServices services;
    private final Runnable onRejected;
    private final int maxRequestSizeBytes;
    private final long timeoutMillis;
    private final RoutingListenerContext saslRouting;

    /**
     * Creates the initializer of the routing listener.
     *
     * @param listenerName        the listener's name.
     * @param tls                 its TLS, compiled at start; null for plaintext.
     * @param routes              the routing rules.
     * @param clusters            the clusters by name.
     * @param services            what every client connection is built with.
     * @param onRejected          counts a connection refused for want of a route.
     * @param maxRequestSizeBytes the largest request frame accepted.
     * @param timeoutMillis       how long a connection may take to send its first request, or to log in (0: forever).
     * @param saslRouting         what the connections of a listener that terminates SASL share, or null without SASL.
     */
    RoutingChannelInitializer(
        final String listenerName,
        final ClientTlsContext tls,
        final ClusterRoutes routes,
        final Function<String, ClusterContext> clusters,
        final ConnectionServices services,
        final Runnable onRejected,
        final int maxRequestSizeBytes,
        final long timeoutMillis,
        final RoutingListenerContext saslRouting)
    {
        this.listenerName = listenerName;
        this.tls = tls;
        this.routes = routes;
        this.clusters = clusters;
        this.services = services;
        this.onRejected = onRejected;
        this.maxRequestSizeBytes = maxRequestSizeBytes;
        this.timeoutMillis = timeoutMillis;
        this.saslRouting = saslRouting;
    }

    @Override
    protected void initChannel(final Channel channel)
    {
        services.clientChannels().add(channel);
        final CertificatePrincipal certificatePrincipal =
            tls != null && tls.clientAuth() != TlsServerConfig.ClientAuth.NONE ? new CertificatePrincipal() : null;
        final ChannelPipeline pipeline = channel.pipeline();
        if (tls != null)
        {
            pipeline
                .addLast(ClientChannelInitializer.SSL_HANDLER_NAME, tls.newHandler(channel.alloc()))
                .addLast("tlsHandshake", new ClientTlsHandshakeHandler(tls, services.metrics(),
                    services.logLimits()::tryAcquireTlsHandshakeFailure,
                    certificatePrincipal == null ? null : certificatePrincipal::onHandshakeCompleted));
        }
        if (saslRouting != null)
        {
            pipeline.addLast("clusterRouting", new SaslRoutingHandler(routes, saslRouting, certificatePrincipal, services, timeoutMillis));
            return;
        }
        pipeline.addLast("clusterRouting", new ClusterRoutingHandler(routes, clusters, certificatePrincipal, services,
            onRejected, services.logLimits()::tryAcquireNoRoute, maxRequestSizeBytes, timeoutMillis, listenerName));
    }
}

package io.kafkaproxy.proxy.net;

import io.kafkaproxy.protocol.wire.RequestHeaderFlyweight;
import io.kafkaproxy.proxy.codec.KafkaFrameDecoder;
import io.kafkaproxy.proxy.codec.RequestHeaderDecoder;
import io.kafkaproxy.proxy.codec.SaslFraming;
import io.kafkaproxy.proxy.connection.ClientConnectionStateMachine;
import io.kafkaproxy.proxy.connection.ClientFrontendHandler;
import io.kafkaproxy.proxy.connection.SaslTerminationSetup;
import io.kafkaproxy.proxy.memory.ChannelMemoryWait;
import io.kafkaproxy.proxy.memory.PoolRecvByteBufAllocator;
import io.kafkaproxy.proxy.policy.ConnectionPolicy;
import io.kafkaproxy.proxy.policy.TerminatedSaslPrincipal;
import io.kafkaproxy.proxy.routing.BrokerTarget;
import io.kafkaproxy.proxy.sasl.SaslCredentials;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.timeout.IdleStateHandler;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Builds the pipeline of each client channel accepted by one listener, in the order documented in
 * {@code package-info}: idle, frame decoder, header decoder, frontend.
 *
 * <p>Each listener fronts one cluster (its bootstrap servers or one of its nodes). Shared by all channels of its listener (it keeps no per-channel state); each channel gets its own handlers
 * and state machine. Runs on the accepted channel's event loop.
 */
final class ClientChannelInitializer extends ChannelInitializer<Channel>
{
    private final Supplier<BrokerTarget> targets;
    private final ClusterContext cluster;
    private final ConnectionServices services;

    ClientChannelInitializer(final Supplier<BrokerTarget> targets, final ClusterContext cluster, final ConnectionServices services)
    {
        this.targets = targets;
        this.cluster = cluster;
        this.services = services;
    }

    @Override
    protected void initChannel(final Channel channel)
    {
        services.clientChannels().add(channel);
        final RequestHeaderFlyweight header = new RequestHeaderFlyweight();
        final SaslCredentials sasl = cluster.snapshot().sasl();
        final SaslFraming saslFraming = sasl == null ? null : new SaslFraming();
        final RequestHeaderDecoder headerDecoder = new RequestHeaderDecoder(header, saslFraming);
        final ConnectionPolicy policy;
        final SaslTerminationSetup saslSetup;
        if (sasl == null)
        {
            policy = new ConnectionPolicy(cluster.policy(), channel.alloc(), clientAddress(channel));
            saslSetup = null;
        }
        else
        {
            final TerminatedSaslPrincipal principal = new TerminatedSaslPrincipal();
            policy = ConnectionPolicy.terminatingSasl(cluster.policy(), channel.alloc(), clientAddress(channel), principal);
            // A reload that turns termination off leaves this connection's logins checked against what it opened with.
            saslSetup = new SaslTerminationSetup(() ->
            {
                final SaslCredentials current = cluster.snapshot().sasl();
                return current == null ? sasl : current;
            }, cluster.failedLogins(), principal, saslFraming);
        }
        final ClientConnectionStateMachine connection = new ClientConnectionStateMachine(
            channel, targets.get(), cluster.connector(), cluster.nodes(), services.metrics(), header, headerDecoder.view(),
            policy, cluster.breakers(), services.logLimits(), saslSetup);

        final ChannelMemoryWait memoryWait = services.allocator().newChannelMemoryWait(true, connection::onClientMemoryWait);
        final KafkaFrameDecoder frameDecoder = new KafkaFrameDecoder(cluster.requestLimit(), memoryWait, saslFraming);
        channel.config().setRecvByteBufAllocator(new PoolRecvByteBufAllocator(services.allocator(), frameDecoder, memoryWait));

        final ChannelPipeline pipeline = channel.pipeline();
        final long idleMillis = cluster.snapshot().idleTimeoutMillis();
        if (idleMillis > 0)
        {
            // Reader idleness only: every response answers a request, so a client that sends nothing is idle. Watching
            // writes too would make the handler allocate a promise and a listener for every response it sees.
            pipeline.addLast("idle", new IdleStateHandler(idleMillis, 0, 0, TimeUnit.MILLISECONDS));
        }
        pipeline
            .addLast("frameDecoder", frameDecoder)
            .addLast("headerDecoder", headerDecoder)
            .addLast("frontend", new ClientFrontendHandler(connection));
        services.pipelineCustomizer().accept(pipeline);
    }

    private static InetAddress clientAddress(final Channel channel)
    {
        final SocketAddress address = channel.remoteAddress();
        return address instanceof InetSocketAddress ? ((InetSocketAddress)address).getAddress() : InetAddress.getLoopbackAddress();
    }
}

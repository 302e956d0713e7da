package io.kafkaproxy.proxy.net;

import io.kafkaproxy.proxy.codec.FrameSizeLimit;
import io.kafkaproxy.proxy.codec.KafkaFrameDecoder;
import io.kafkaproxy.proxy.connection.BrokerBackendHandler;
import io.kafkaproxy.proxy.connection.ClientConnectionStateMachine;
import io.kafkaproxy.proxy.memory.ChannelMemoryWait;
import io.kafkaproxy.proxy.memory.PoolByteBufAllocator;
import io.kafkaproxy.proxy.memory.PoolRecvByteBufAllocator;
import io.kafkaproxy.proxy.tls.BrokerTlsContext;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ssl.SslHandler;

import java.net.InetSocketAddress;

/**
 * Builds the pipeline of a broker channel: with TLS to the brokers, the TLS handler and its handshake guard first;
 * then the frame decoder (response size limit; responses not whole in one read may stream through the backend
 * handler, see {@link KafkaFrameDecoder}), then the backend handler.
 *
 * <p>The decoder hands a streamed response's bytes to the backend handler by a direct call, not through the
 * pipeline: a handler added between {@code frameDecoder} and {@code backend} (a response tap, an audit, a mirror
 * compare) would see whole and assembled responses only, never a streamed one. Such a handler belongs before the
 * decoder, where it sees every read, or in the state machine.
 *
 * <p>Created for one connection; the broker channel is registered on its client channel's event loop.
 */
final class BrokerChannelInitializer extends ChannelInitializer<Channel>
{
    private final FrameSizeLimit responseLimit;
    private final PoolByteBufAllocator allocator;
    private final ClientConnectionStateMachine connection;
    private final BrokerTlsContext tls;
    private final InetSocketAddress brokerAddress;
    private final long handshakeTimeoutMillis;
    private final ChannelHandler fence;

    /**
     * Creates the initializer of one broker channel.
     *
     * @param responseLimit          the response size limit.
     * @param allocator              the pool allocator.
     * @param connection             the connection the channel serves.
     * @param tls                    the cluster's broker TLS material, or null for plaintext.
     * @param brokerAddress          the broker, unresolved: its host is the TLS server name.
     * @param handshakeTimeoutMillis how long a TLS handshake may take.
     * @param fence                  the failover fence of the connection's generation, first in the pipeline; null
     *                               when the cluster has no standby.
     */
    BrokerChannelInitializer(
        final FrameSizeLimit responseLimit,
        final PoolByteBufAllocator allocator,
        final ClientConnectionStateMachine connection,
        final BrokerTlsContext tls,
        final InetSocketAddress brokerAddress,
        final long handshakeTimeoutMillis,
        final ChannelHandler fence)
    {
        this.fence = fence;
        this.responseLimit = responseLimit;
        this.allocator = allocator;
        this.connection = connection;
        this.tls = tls;
        this.brokerAddress = brokerAddress;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
    }

    @Override
    protected void initChannel(final Channel channel)
    {
        final ChannelMemoryWait memoryWait = allocator.newChannelMemoryWait(false, connection::onBrokerMemoryWait);
        final BrokerBackendHandler backend = new BrokerBackendHandler(connection);
        // The backend is also the decoder's stream sink, called directly: nothing may sit between them (see above).
        final KafkaFrameDecoder frameDecoder = new KafkaFrameDecoder(responseLimit, memoryWait, backend);
        // Under TLS the socket's bytes are ciphertext: they never go straight into a frame. The TLS handler decrypts
        // into buffers from the channel's allocator, the pool, so responses still land in pool memory.
        channel.config().setRecvByteBufAllocator(new PoolRecvByteBufAllocator(allocator, tls == null ? frameDecoder : null, memoryWait));
        if (fence != null)
        {
            channel.pipeline().addLast("failoverFence", fence);
        }
        if (tls != null)
        {
            final SslHandler sslHandler = tls.newHandler(
                channel.alloc(), brokerAddress.getHostString(), brokerAddress.getPort(), handshakeTimeoutMillis);
            channel.pipeline()
                .addLast("tls", sslHandler)
                .addLast("tlsHandshakeGuard", new BrokerTlsHandshakeGuard());
        }
        channel.pipeline()
            .addLast("frameDecoder", frameDecoder)
            .addLast("backend", backend);
    }
}

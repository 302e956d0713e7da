package io.kafkaproxy.proxy.connection;

import io.kafkaproxy.protocol.wire.RequestHeaderFlyweight;
import io.kafkaproxy.proxy.audit.AuditLog;
import io.kafkaproxy.proxy.circuit.BrokerCircuitBreakers;
import io.kafkaproxy.proxy.cluster.BrokerLoginCredentials;
import io.kafkaproxy.proxy.codec.FrameSizeLimit;
import io.kafkaproxy.proxy.codec.KafkaFrameDecoder;
import io.kafkaproxy.proxy.codec.RequestHeaderDecoder;
import io.kafkaproxy.proxy.config.CircuitBreakerConfig;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.metrics.PolicyMetrics;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.mirror.MirrorTap;
import io.kafkaproxy.proxy.policy.ConnectionPolicy;
import io.kafkaproxy.proxy.policy.PolicyServices;
import io.kafkaproxy.proxy.routing.BrokerNodeRegistry;
import io.kafkaproxy.proxy.routing.BrokerTarget;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import org.agrona.concurrent.SystemNanoClock;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.MessageUtil;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A connection's state machine between two embedded channels, a client's and its broker's, for the cut-through tests
 * (requests and responses delivered in chunks, one per read), and the frames they exchange.
 */
final class EmbeddedConnections
{
    /** The size of the chunks {@link #chunks} cuts a frame into: one socket read each. */
    static final int CHUNK_BYTES = 1000;

    private EmbeddedConnections()
    {
    }

    /**
     * Builds a connection between the two channels and links it to its broker with a first Metadata round trip, whose
     * frames are released.
     *
     * @param client         the client's channel, not yet registered.
     * @param broker         the broker's channel, not yet registered.
     * @param nodes          maps broker addresses to the proxy's.
     * @param metrics        the proxy's meters.
     * @param registry       the registry those meters are in.
     * @param audit          the audit log.
     * @param policyConfig   the configuration the connection's policy is made from.
     * @param breakerConfig  the circuit breakers' configuration.
     * @param cutThrough     whether frames may stream.
     * @param requestsStream whether the client channel's decoder offers requests to stream (else only responses can).
     * @return the connection, forwarding.
     */
    static ClientConnectionStateMachine link(
        final EmbeddedChannel client,
        final EmbeddedChannel broker,
        final BrokerNodeRegistry nodes,
        final ProxyMetrics metrics,
        final MeterRegistry registry,
        final AuditLog audit,
        final ProxyConfig policyConfig,
        final CircuitBreakerConfig breakerConfig,
        final boolean cutThrough,
        final boolean requestsStream)
    {
        final RequestHeaderFlyweight header = new RequestHeaderFlyweight();
        final RequestHeaderDecoder headerDecoder = new RequestHeaderDecoder(header, null);
        final BrokerTarget target = new BrokerTarget()
        {
            @Override
            public InetSocketAddress brokerAddress(final int attempt)
            {
                return attempt == 0 ? InetSocketAddress.createUnresolved("broker", 9092) : null;
            }

            @Override
            public String route()
            {
                return "test";
            }
        };
        final ClientConnectionStateMachine connection = new ClientConnectionStateMachine(client, target, new BrokerConnector()
        {
            @Override
            public ChannelFuture connect(final EventLoop loop, final InetSocketAddress address, final ClientConnectionStateMachine machine)
            {
                final BrokerBackendHandler backend = new BrokerBackendHandler(machine);
                broker.pipeline().addLast(new KafkaFrameDecoder(new FrameSizeLimit(1 << 24), null, backend), backend);
                register(broker);
                return broker.newSucceededFuture();
            }

            @Override
            public BrokerLoginCredentials loginCredentials()
            {
                return null;
            }
        }, nodes, metrics, header, headerDecoder.view(),
            new ConnectionPolicy(new PolicyServices(policyConfig, audit, new PolicyMetrics(registry)), client.alloc(),
                InetAddress.getLoopbackAddress()),
            new BrokerCircuitBreakers(breakerConfig, registry), new ConnectionLogLimits(SystemNanoClock.INSTANCE), null,
            MirrorTap.NONE, cutThrough);
        final ClientFrontendHandler frontend = new ClientFrontendHandler(connection);
        final KafkaFrameDecoder clientDecoder = requestsStream
            ? new KafkaFrameDecoder(new FrameSizeLimit(1 << 20), null, null, frontend)
            : new KafkaFrameDecoder(1 << 20);
        client.pipeline().addLast(clientDecoder, headerDecoder, frontend);
        register(client);
        // The first request connects the broker.
        client.writeInbound(request(ApiKeys.METADATA, (short)12, 1, new MetadataRequestData().setTopics(List.of())));
        releaseAll(broker);
        broker.writeInbound(response(ApiKeys.METADATA, (short)12, 1, new MetadataResponseData()));
        releaseAll(client);
        return connection;
    }

    static void register(final EmbeddedChannel channel)
    {
        try
        {
            channel.register();
        }
        catch (final Exception e)
        {
            throw new IllegalStateException(e);
        }
    }

    /** The bytes a channel has written (flushed) so far, its messages released. */
    static byte[] written(final EmbeddedChannel channel)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        Object message;
        while ((message = channel.readOutbound()) != null)
        {
            final ByteBuf buf = (ByteBuf)message;
            out.writeBytes(bytes(buf));
            buf.release();
        }
        return out.toByteArray();
    }

    /** Cuts a frame into direct buffers of {@link #CHUNK_BYTES}, releasing it. */
    static List<ByteBuf> chunks(final ByteBuf frame)
    {
        final List<ByteBuf> chunks = new ArrayList<>();
        while (frame.isReadable())
        {
            final int length = Math.min(CHUNK_BYTES, frame.readableBytes());
            chunks.add(Unpooled.directBuffer(length).writeBytes(frame, length));
        }
        frame.release();
        return chunks;
    }

    static ByteBuf request(final ApiKeys api, final short version, final int correlationId, final ApiMessage body)
    {
        final RequestHeaderData header = new RequestHeaderData().setRequestApiKey(api.id).setRequestApiVersion(version)
            .setCorrelationId(correlationId).setClientId("test");
        return frame(MessageUtil.toByteBufferAccessor(header, api.requestHeaderVersion(version)).buffer(),
            MessageUtil.toByteBufferAccessor(body, version).buffer());
    }

    static ByteBuf response(final ApiKeys api, final short version, final int correlationId, final ApiMessage body)
    {
        final ResponseHeaderData header = new ResponseHeaderData().setCorrelationId(correlationId);
        return frame(MessageUtil.toByteBufferAccessor(header, api.responseHeaderVersion(version)).buffer(),
            MessageUtil.toByteBufferAccessor(body, version).buffer());
    }

    static ByteBuf frame(final ByteBuffer header, final ByteBuffer body)
    {
        return Unpooled.directBuffer().writeInt(header.remaining() + body.remaining()).writeBytes(header).writeBytes(body);
    }

    static byte[] bytes(final ByteBuf buffer)
    {
        final byte[] bytes = new byte[buffer.readableBytes()];
        buffer.getBytes(buffer.readerIndex(), bytes);
        return bytes;
    }

    static byte[] slice(final byte[] bytes, final int from, final int length)
    {
        final byte[] slice = new byte[length];
        System.arraycopy(bytes, from, slice, 0, length);
        return slice;
    }

    static void releaseAll(final EmbeddedChannel channel)
    {
        Object message;
        while ((message = channel.readOutbound()) != null)
        {
            ((ByteBuf)message).release();
        }
    }
}

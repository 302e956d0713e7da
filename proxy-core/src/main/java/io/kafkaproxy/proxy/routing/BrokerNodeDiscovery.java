package io.kafkaproxy.proxy.routing;

import io.kafkaproxy.protocol.wire.ApiHeaderVersions;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.protocol.wire.FrameDescriptor;
import io.kafkaproxy.protocol.responses.MetadataResponseRewriter;
import io.kafkaproxy.protocol.responses.ProxyApiVersions;
import io.kafkaproxy.protocol.wire.ResponseHeaderFlyweight;
import io.kafkaproxy.protocol.responses.ResponseSplice;
import io.kafkaproxy.proxy.codec.ByteBufViews;
import io.kafkaproxy.proxy.codec.KafkaFrameDecoder;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.tls.BrokerTlsContext;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Asks the upstream cluster for its brokers once, at startup, so that every node listener is bound before the
 * first client arrives.
 *
 * <p>Without it a restarted proxy binds a node's listener only when a Metadata response naming that node passes
 * through, and a client from before the restart (one that does not re-bootstrap, KIP-899) keeps calling node
 * ports that refuse it. The discovery sends ApiVersions v0, then Metadata for no topics at the highest version
 * both sides know, and registers each broker of the answer. It retries with a growing backoff and gives up
 * after a few attempts (a cluster requiring SASL before Metadata refuses it); nodes are then learnt from client
 * traffic as usual. With TLS to the brokers ({@code upstream.tls}) it speaks TLS with the same material as the
 * connections it prepares for.
 *
 * <p>Runs on one event loop; all state is confined to it.
 */
public final class BrokerNodeDiscovery
{
    private static final Logger LOGGER = LoggerFactory.getLogger(BrokerNodeDiscovery.class);
    private static final int MAX_ATTEMPTS = 8;
    private static final long FIRST_BACKOFF_MILLIS = 500;
    private static final long MAX_BACKOFF_MILLIS = 30_000;
    private static final int API_VERSIONS_CORRELATION_ID = 1;
    private static final int METADATA_CORRELATION_ID = 2;
    /** Metadata v0 reads an empty topic list as "all topics"; from v1 on it means none. */
    private static final short MIN_METADATA_VERSION = 1;

    private final Bootstrap bootstrap;
    private final EventLoop eventLoop;
    private final List<HostPort> bootstrapServers;
    private final BrokerNodeRegistry nodes;
    private final int maxResponseSizeBytes;
    private final BrokerTlsContext tls;
    private final long handshakeTimeoutMillis;
    private BrokerApiVersions apiVersions;
    private int attempt;

    /**
     * Prepares the discovery.
     *
     * @param bootstrap            a client bootstrap with channel type, resolver and timeouts set.
     * @param eventLoop            the loop it runs on.
     * @param bootstrapServers     the upstream bootstrap servers.
     * @param nodes                where the brokers found are registered.
     * @param maxResponseSizeBytes the largest response accepted.
     */
    public BrokerNodeDiscovery(
        final Bootstrap bootstrap,
        final EventLoop eventLoop,
        final List<HostPort> bootstrapServers,
        final BrokerNodeRegistry nodes,
        final int maxResponseSizeBytes)
    {
        this(bootstrap, eventLoop, bootstrapServers, nodes, maxResponseSizeBytes, null, 0);
    }

    /**
     * Prepares the discovery, over TLS where the brokers are reached so.
     *
     * @param bootstrap              a client bootstrap with channel type, resolver and timeouts set.
     * @param eventLoop              the loop it runs on.
     * @param bootstrapServers       the upstream bootstrap servers.
     * @param nodes                  where the brokers found are registered.
     * @param maxResponseSizeBytes   the largest response accepted.
     * @param tls                    the brokers' TLS material, or null for plaintext.
     * @param handshakeTimeoutMillis how long a TLS handshake may take.
     */
    public BrokerNodeDiscovery(
        final Bootstrap bootstrap,
        final EventLoop eventLoop,
        final List<HostPort> bootstrapServers,
        final BrokerNodeRegistry nodes,
        final int maxResponseSizeBytes,
        final BrokerTlsContext tls,
        final long handshakeTimeoutMillis)
    {
        this.tls = tls;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
        this.bootstrap = bootstrap.clone(eventLoop);
        this.eventLoop = eventLoop;
        this.bootstrapServers = bootstrapServers;
        this.nodes = nodes;
        this.maxResponseSizeBytes = maxResponseSizeBytes;
    }

    /**
     * Records the brokers' ApiVersions answer too (a broker answers it before any SASL login, so even when the
     * Metadata that follows is refused).
     *
     * @param versions where the answer goes.
     * @return this discovery.
     */
    public BrokerNodeDiscovery recordingApiVersions(final BrokerApiVersions versions)
    {
        this.apiVersions = versions;
        return this;
    }

    /**
     * Starts the first attempt; returns at once.
     */
    public void start()
    {
        eventLoop.execute(this::tryNextServer);
    }

    private void tryNextServer()
    {
        final HostPort server = bootstrapServers.get(attempt % bootstrapServers.size());
        attempt++;
        bootstrap.handler(new ChannelInitializer<Channel>()
            {
                @Override
                protected void initChannel(final Channel channel)
                {
                    if (tls != null)
                    {
                        // The ApiVersions written on channelActive waits in the TLS handler until the handshake is done.
                        channel.pipeline().addLast(tls.newHandler(channel.alloc(), server.host(), server.port(), handshakeTimeoutMillis));
                    }
                    channel.pipeline().addLast(new KafkaFrameDecoder(maxResponseSizeBytes), new DiscoveryHandler(server));
                }
            })
            .connect(InetSocketAddress.createUnresolved(server.host(), server.port()))
            .addListener((ChannelFutureListener)future ->
            {
                if (!future.isSuccess())
                {
                    onFailure(server, future.cause());
                }
            });
    }

    private void onFailure(final HostPort server, final Throwable cause)
    {
        if (attempt >= MAX_ATTEMPTS)
        {
            LOGGER.atWarn()
                .addKeyValue("brokerAddress", server)
                .addKeyValue("attempts", attempt)
                .addKeyValue("error", String.valueOf(cause))
                .log("could not discover broker nodes at startup; they will be learnt from client traffic");
            return;
        }
        final long backoffMillis = Math.min(MAX_BACKOFF_MILLIS, FIRST_BACKOFF_MILLIS << Math.min(attempt - 1, 10));
        LOGGER.atDebug()
            .addKeyValue("brokerAddress", server)
            .addKeyValue("error", String.valueOf(cause))
            .addKeyValue("retryInMillis", backoffMillis)
            .log("broker node discovery failed");
        eventLoop.schedule(this::tryNextServer, backoffMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * The exchange on one connection: ApiVersions, then Metadata. Per connection, never shared.
     */
    private final class DiscoveryHandler extends ChannelInboundHandlerAdapter
    {
        private final HostPort server;
        private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
        private final ResponseHeaderFlyweight header = new ResponseHeaderFlyweight();
        private short metadataVersion = -1;
        private boolean done;

        DiscoveryHandler(final HostPort server)
        {
            this.server = server;
        }

        @Override
        public void channelActive(final ChannelHandlerContext ctx)
        {
            ctx.writeAndFlush(request(ApiKeyIds.API_VERSIONS, (short)0, API_VERSIONS_CORRELATION_ID, null));
        }

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            final ByteBuf frame = (ByteBuf)msg;
            try
            {
                ByteBufViews.wrapReadable(view, frame);
                header.wrap(view, FrameDescriptor.MESSAGE_OFFSET, frame.readableBytes() - FrameDescriptor.MESSAGE_OFFSET);
                if (metadataVersion < 0)
                {
                    header.headerVersion((short)0);
                    metadataVersion = metadataVersion(frame);
                    if (metadataVersion < MIN_METADATA_VERSION)
                    {
                        fail(ctx, new IllegalStateException("broker offers no usable Metadata version"));
                        return;
                    }
                    ctx.writeAndFlush(request(ApiKeyIds.METADATA, metadataVersion, METADATA_CORRELATION_ID,
                        new MetadataRequestData().setTopics(List.of()).setAllowAutoTopicCreation(false)));
                    return;
                }
                header.headerVersion(ApiHeaderVersions.responseHeaderVersion(ApiKeyIds.METADATA, metadataVersion));
                // Mapping each broker's endpoint registers the node and starts its listener; the rewritten bytes
                // themselves are not needed.
                new MetadataResponseRewriter().rewrite(view, header.bodyOffset(), header.bodyLength(), metadataVersion,
                    nodes, new ResponseSplice());
                done = true;
                LOGGER.atInfo()
                    .addKeyValue("brokerAddress", server)
                    .addKeyValue("nodes", nodes.nodes().size())
                    .log("broker nodes discovered");
                ctx.close();
            }
            catch (final RuntimeException e)
            {
                fail(ctx, e);
            }
            finally
            {
                frame.release();
            }
        }

        private short metadataVersion(final ByteBuf frame)
        {
            final ByteBuffer body = frame.nioBuffer(frame.readerIndex() + header.bodyOffset(), header.bodyLength());
            final ApiVersionsResponseData answer = new ApiVersionsResponseData(new ByteBufferAccessor(body), (short)0);
            if (apiVersions != null && answer.errorCode() == 0)
            {
                apiVersions.onLearnt(answer);
            }
            final ApiVersionsResponseData.ApiVersion metadata = answer.apiKeys().find(ApiKeyIds.METADATA);
            return metadata == null ? -1 :
                (short)Math.min(metadata.maxVersion(), ProxyApiVersions.highestDecodedVersion(ApiKeyIds.METADATA));
        }

        @Override
        public void channelInactive(final ChannelHandlerContext ctx)
        {
            if (!done)
            {
                fail(ctx, new IllegalStateException("connection closed before the discovery completed"));
            }
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            fail(ctx, cause);
        }

        private void fail(final ChannelHandlerContext ctx, final Throwable cause)
        {
            if (done)
            {
                return;
            }
            done = true;
            ctx.close();
            onFailure(server, cause);
        }
    }

    private static ByteBuf request(final short apiKey, final short apiVersion, final int correlationId, final ApiMessage body)
    {
        final ByteBuffer header = MessageUtil.toByteBufferAccessor(new RequestHeaderData()
            .setRequestApiKey(apiKey)
            .setRequestApiVersion(apiVersion)
            .setCorrelationId(correlationId)
            .setClientId("kafka-proxy-discovery"), ApiHeaderVersions.requestHeaderVersion(apiKey, apiVersion)).buffer();
        final ByteBuffer bodyBytes = body == null ? ByteBuffer.allocate(0) : MessageUtil.toByteBufferAccessor(body, apiVersion).buffer();
        return Unpooled.buffer(FrameDescriptor.SIZE_FIELD_LENGTH + header.remaining() + bodyBytes.remaining())
            .writeInt(header.remaining() + bodyBytes.remaining())
            .writeBytes(header)
            .writeBytes(bodyBytes);
    }
}

package io.kafkaproxy.proxy.failover;

import io.kafkaproxy.protocol.responses.ProxyApiVersions;
import io.kafkaproxy.protocol.wire.ApiHeaderVersions;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.protocol.wire.FrameDescriptor;
import io.kafkaproxy.proxy.cluster.UpstreamSettings;
import io.kafkaproxy.proxy.codec.KafkaFrameDecoder;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.connection.BrokerSaslLogin;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One health probe of an upstream: a Metadata round trip on a connection of the proxy's own, closed afterwards.
 *
 * <pre>
 *   connect ─► [TLS handshake] ─► [the proxy's SASL login, as upstream.sasl] ─► ApiVersions v0 ─► Metadata v1+ (no topics)
 *   any failure, or no Metadata answer within the probe timeout ─► failed probe
 * </pre>
 *
 * <p>The probe goes to one bootstrap server of the upstream, the next one at each probe, so a cluster whose first
 * bootstrap server is down but whose others answer stays healthy over a few probes. Runs on one event loop; the
 * connection's state is confined to it.
 */
final class UpstreamProbe
{
    private static final int API_VERSIONS_CORRELATION_ID = 1;
    private static final int METADATA_CORRELATION_ID = 2;
    private static final String CLIENT_ID = "kafka-proxy-probe";
    /** Metadata v0 reads an empty topic list as "all topics"; from v1 on it means none. */
    private static final short MIN_METADATA_VERSION = 1;

    private final Bootstrap template;
    private final int maxResponseSizeBytes;
    private final LongSupplier clock;

    /**
     * Prepares the probes.
     *
     * @param template             a client bootstrap with channel type and resolver set.
     * @param maxResponseSizeBytes the largest answer accepted.
     * @param clock                wall-clock milliseconds, for the result's time.
     */
    UpstreamProbe(final Bootstrap template, final int maxResponseSizeBytes, final LongSupplier clock)
    {
        this.template = template;
        this.maxResponseSizeBytes = maxResponseSizeBytes;
        this.clock = clock;
    }

    /**
     * Probes an upstream once.
     *
     * @param eventLoop     where the probe's connection runs and the result completes.
     * @param upstream      the upstream.
     * @param serverIndex   which of its bootstrap servers, modulo their number.
     * @param timeoutMillis how long the whole round trip may take.
     * @return completes with the result, never fails.
     */
    Future<ProbeResult> probe(final EventLoop eventLoop, final UpstreamSettings upstream, final int serverIndex, final long timeoutMillis)
    {
        final List<HostPort> servers = upstream.bootstrapServers();
        final HostPort server = servers.get(Math.floorMod(serverIndex, servers.size()));
        final Promise<ProbeResult> result = eventLoop.newPromise();
        final long startNanos = System.nanoTime();
        final ProbeHandler handler = new ProbeHandler(upstream, server, result, startNanos);
        final ChannelFuture connected = template.clone(eventLoop)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)Math.min(Integer.MAX_VALUE, timeoutMillis))
            .handler(new ChannelInitializer<Channel>()
            {
                @Override
                protected void initChannel(final Channel channel)
                {
                    if (upstream.brokerTls() != null)
                    {
                        // What is written on channelActive waits in the TLS handler until the handshake is done.
                        channel.pipeline().addLast(upstream.brokerTls().newHandler(channel.alloc(), server.host(), server.port(), timeoutMillis));
                    }
                    channel.pipeline().addLast(new KafkaFrameDecoder(maxResponseSizeBytes), handler);
                }
            })
            .connect(InetSocketAddress.createUnresolved(server.host(), server.port()));
        final ScheduledFuture<?> timeout = eventLoop.schedule(
            () -> handler.fail("no answer within the probe timeout of " + timeoutMillis + "ms"), timeoutMillis, TimeUnit.MILLISECONDS);
        connected.addListener((ChannelFutureListener)future ->
        {
            if (!future.isSuccess())
            {
                handler.fail("connect to " + server + " failed: " + future.cause());
            }
        });
        result.addListener(done ->
        {
            timeout.cancel(false);
            connected.channel().close();
        });
        return result;
    }

    /**
     * The exchange on one probe connection. Per connection, never shared.
     */
    private final class ProbeHandler extends ChannelInboundHandlerAdapter
    {
        private final UpstreamSettings upstream;
        private final HostPort server;
        private final Promise<ProbeResult> result;
        private final long startNanos;
        private BrokerSaslLogin login;
        private short metadataVersion = -1;

        ProbeHandler(final UpstreamSettings upstream, final HostPort server, final Promise<ProbeResult> result, final long startNanos)
        {
            this.upstream = upstream;
            this.server = server;
            this.result = result;
            this.startNanos = startNanos;
        }

        @Override
        public void channelActive(final ChannelHandlerContext ctx)
        {
            if (upstream.brokerLogin() != null)
            {
                login = new BrokerSaslLogin(frame -> ctx.channel().writeAndFlush(frame, ctx.channel().voidPromise()),
                    upstream.brokerLogin(), server.toString());
                login.start();
                return;
            }
            ctx.writeAndFlush(request(ApiKeyIds.API_VERSIONS, (short)0, API_VERSIONS_CORRELATION_ID, null));
        }

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            final ByteBuf frame = (ByteBuf)msg;
            if (login != null)
            {
                // The login releases the frame.
                final int outcome = login.onResponse(frame);
                if (outcome == BrokerSaslLogin.FAILED)
                {
                    fail("the proxy's login was refused: " + login.failure());
                }
                else if (outcome == BrokerSaslLogin.DONE)
                {
                    login.dispose();
                    login = null;
                    ctx.writeAndFlush(request(ApiKeyIds.API_VERSIONS, (short)0, API_VERSIONS_CORRELATION_ID, null));
                }
                return;
            }
            try
            {
                final ByteBuffer message = frame.nioBuffer(frame.readerIndex() + FrameDescriptor.SIZE_FIELD_LENGTH,
                    frame.readableBytes() - FrameDescriptor.SIZE_FIELD_LENGTH);
                if (metadataVersion < 0)
                {
                    onApiVersions(ctx, message);
                    return;
                }
                final ByteBufferAccessor accessor = new ByteBufferAccessor(message);
                new ResponseHeaderData(accessor, ApiHeaderVersions.responseHeaderVersion(ApiKeyIds.METADATA, metadataVersion));
                // Parsed whole: a probe passes only on an answer a client could use.
                new MetadataResponseData(accessor, metadataVersion);
                result.trySuccess(new ProbeResult(true, elapsedMillis(), null, clock.getAsLong()));
            }
            catch (final RuntimeException e)
            {
                fail("malformed answer: " + e);
            }
            finally
            {
                frame.release();
            }
        }

        private void onApiVersions(final ChannelHandlerContext ctx, final ByteBuffer message)
        {
            message.getInt();
            final ApiVersionsResponseData apiVersions = new ApiVersionsResponseData(new ByteBufferAccessor(message), (short)0);
            final ApiVersionsResponseData.ApiVersion metadata = apiVersions.apiKeys().find(ApiKeyIds.METADATA);
            metadataVersion = metadata == null ? -1 :
                (short)Math.min(metadata.maxVersion(), ProxyApiVersions.highestDecodedVersion(ApiKeyIds.METADATA));
            if (metadataVersion < MIN_METADATA_VERSION)
            {
                fail("the broker offers no usable Metadata version: errorCode=" + apiVersions.errorCode());
                return;
            }
            ctx.writeAndFlush(request(ApiKeyIds.METADATA, metadataVersion, METADATA_CORRELATION_ID,
                new MetadataRequestData().setTopics(List.of()).setAllowAutoTopicCreation(false)));
        }

        @Override
        public void channelInactive(final ChannelHandlerContext ctx)
        {
            fail("connection closed before the Metadata answer");
            if (login != null)
            {
                login.dispose();
            }
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            fail(String.valueOf(cause));
        }

        void fail(final String error)
        {
            result.trySuccess(new ProbeResult(false, elapsedMillis(), error, clock.getAsLong()));
        }

        private long elapsedMillis()
        {
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        }
    }

    private static ByteBuf request(final short apiKey, final short apiVersion, final int correlationId, final ApiMessage body)
    {
        final ByteBuffer header = MessageUtil.toByteBufferAccessor(new RequestHeaderData()
            .setRequestApiKey(apiKey)
            .setRequestApiVersion(apiVersion)
            .setCorrelationId(correlationId)
            .setClientId(CLIENT_ID), ApiHeaderVersions.requestHeaderVersion(apiKey, apiVersion)).buffer();
        final ByteBuffer bodyBytes = body == null ? ByteBuffer.allocate(0) : MessageUtil.toByteBufferAccessor(body, apiVersion).buffer();
        // Once per probe: a heap buffer is fine here.
        return Unpooled.buffer(FrameDescriptor.SIZE_FIELD_LENGTH + header.remaining() + bodyBytes.remaining())
            .writeInt(header.remaining() + bodyBytes.remaining())
            .writeBytes(header)
            .writeBytes(bodyBytes);
    }
}

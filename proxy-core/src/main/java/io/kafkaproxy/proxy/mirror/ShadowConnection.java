package io.kafkaproxy.proxy.mirror;

import io.kafkaproxy.protocol.responses.ProxyApiVersions;
import io.kafkaproxy.protocol.wire.ApiHeaderVersions;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.protocol.wire.FrameDescriptor;
import io.kafkaproxy.protocol.wire.ResponseHeaderFlyweight;
import io.kafkaproxy.proxy.cluster.BrokerLoginCredentials;
import io.kafkaproxy.proxy.codec.ByteBufViews;
import io.kafkaproxy.proxy.codec.KafkaFrameDecoder;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.connection.BrokerSaslLogin;
import io.kafkaproxy.proxy.tls.BrokerTlsContext;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The mirror's connection to one shadow broker (or to a bootstrap server, for metadata).
 *
 * <pre>
 *   CONNECTING ─(TCP, TLS handshake)─► API_VERSIONS ─(versions chosen)─► LOGIN (with mirror.sasl) ─► READY ─► CLOSED
 *        └──────────────────────────────── any failure or close ──────────────────────────────────────────┘
 * </pre>
 *
 * Built as the proxy's broker connections are: the cluster's socket transport, TLS from {@code mirror.tls}
 * ({@link BrokerTlsContext}), the proxy's own SASL login from {@code mirror.sasl} ({@link BrokerSaslLogin}, the same
 * exchange). Requests written before READY wait in a short queue; answers come in order (Kafka answers a
 * connection's requests in order), so the requests in flight are a FIFO. Confined to the sender's event loop.
 */
final class ShadowConnection extends ChannelInboundHandlerAdapter
{
    /** Requests waiting for READY; past this the caller drops. */
    static final int MAX_WAITING = 64;
    /**
     * Requests sent and not answered; past this the caller drops. A sanity bound only: what requests in flight hold
     * is the mirror's slice, which bounds them first.
     */
    static final int MAX_IN_FLIGHT = 1024;
    private static final short API_VERSIONS_VERSION = 0;
    private static final String CLIENT_ID = "kafka-proxy-mirror";

    private enum State
    {
        CONNECTING, API_VERSIONS, LOGIN, READY, CLOSED
    }

    private final MirrorSender sender;
    private final int nodeId;
    private final HostPort address;
    private final BrokerLoginCredentials login;
    private final ArrayDeque<ShadowRequest> waiting = new ArrayDeque<>();
    private final ArrayDeque<ShadowRequest> inFlight = new ArrayDeque<>();
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final ResponseHeaderFlyweight header = new ResponseHeaderFlyweight();
    private State state = State.CONNECTING;
    private Channel channel;
    private BrokerSaslLogin saslLogin;
    private int correlationId;
    private boolean flushScheduled;
    private final Runnable flushTask = this::flushNow;
    private short produceVersion = -1;
    private short metadataVersion = -1;
    private final long createdNanos = System.nanoTime();

    ShadowConnection(final MirrorSender sender, final int nodeId, final HostPort address, final BrokerLoginCredentials login)
    {
        this.sender = sender;
        this.nodeId = nodeId;
        this.address = address;
        this.login = login;
    }

    /**
     * Connects.
     *
     * @param bootstrap            a bootstrap on the sender's loop, with channel type, resolver and timeouts set.
     * @param tls                  the shadow's TLS, or null.
     * @param maxResponseSizeBytes the largest answer accepted.
     * @param handshakeMillis      how long the TLS handshake may take.
     */
    void connect(final Bootstrap bootstrap, final BrokerTlsContext tls, final int maxResponseSizeBytes, final long handshakeMillis)
    {
        final ShadowConnection handler = this;
        channel = bootstrap.handler(new ChannelInitializer<Channel>()
            {
                @Override
                protected void initChannel(final Channel ch)
                {
                    if (tls != null)
                    {
                        // What is written on channelActive waits in the TLS handler until the handshake is done.
                        ch.pipeline().addLast(tls.newHandler(ch.alloc(), address.host(), address.port(), handshakeMillis));
                    }
                    ch.pipeline().addLast(new KafkaFrameDecoder(maxResponseSizeBytes), handler);
                }
            })
            .connect(InetSocketAddress.createUnresolved(address.host(), address.port()))
            .addListener((ChannelFutureListener)future ->
            {
                if (!future.isSuccess())
                {
                    onClosed(future.cause());
                }
            })
            .channel();
    }

    int nodeId()
    {
        return nodeId;
    }

    HostPort address()
    {
        return address;
    }

    boolean isReady()
    {
        return state == State.READY;
    }

    boolean isClosed()
    {
        return state == State.CLOSED;
    }

    short produceVersion()
    {
        return produceVersion;
    }

    short metadataVersion()
    {
        return metadataVersion;
    }

    int nextCorrelationId()
    {
        return ++correlationId;
    }

    /**
     * Whether another request may be queued or sent now, without waiting past the caps.
     *
     * @return false when closed, slow (requests in flight at the cap, socket unwritable) or its queue full.
     */
    boolean takesMore()
    {
        return switch (state)
        {
            case READY -> inFlight.size() < MAX_IN_FLIGHT && channel.isWritable();
            case CLOSED -> false;
            default -> waiting.size() < MAX_WAITING;
        };
    }

    /**
     * Sends a request now (READY) or once ready; the caller checked {@link #takesMore()}.
     *
     * @param request the request; its frame's ownership moves here.
     */
    void send(final ShadowRequest request)
    {
        if (state == State.READY)
        {
            writeRequest(request);
            scheduleFlush();
        }
        else
        {
            waiting.add(request);
        }
    }

    private void scheduleFlush()
    {
        // One flush for all the copies the loop takes in one run of its task queue: one write call, not one each.
        if (!flushScheduled)
        {
            flushScheduled = true;
            channel.eventLoop().execute(flushTask);
        }
    }

    private void flushNow()
    {
        flushScheduled = false;
        channel.flush();
    }

    private void writeRequest(final ShadowRequest request)
    {
        request.sentNanos(System.nanoTime());
        final ByteBuf frame = request.takeFrame();
        if (request.expectsResponse())
        {
            inFlight.add(request);
            channel.write(frame).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
        }
        else
        {
            channel.write(frame).addListener((ChannelFutureListener)future -> sender.onWritten(request, future.isSuccess()));
        }
    }

    /**
     * Whether the connection has waited too long: not ready (connecting, handshaking, logging in) or its oldest
     * request unanswered for longer than the timeout. A paused broker accepts TCP connections and answers nothing.
     *
     * @param nowNanos     the time now.
     * @param timeoutNanos the request timeout.
     * @return true when it should be closed.
     */
    boolean timedOut(final long nowNanos, final long timeoutNanos)
    {
        if (state == State.CLOSED)
        {
            return false;
        }
        if (state != State.READY)
        {
            return nowNanos - createdNanos > timeoutNanos;
        }
        final ShadowRequest oldest = inFlight.peek();
        return oldest != null && nowNanos - oldest.sentNanos() > timeoutNanos;
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx)
    {
        state = State.API_VERSIONS;
        ctx.writeAndFlush(request(ApiKeyIds.API_VERSIONS, API_VERSIONS_VERSION, nextCorrelationId(), null));
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        final ByteBuf frame = (ByteBuf)msg;
        switch (state)
        {
            case API_VERSIONS -> onApiVersions(frame);
            case LOGIN -> onLoginResponse(frame);
            case READY -> onResponse(frame);
            default -> frame.release();
        }
    }

    private void onApiVersions(final ByteBuf frame)
    {
        try
        {
            ByteBufViews.wrapReadable(view, frame);
            header.wrap(view, FrameDescriptor.MESSAGE_OFFSET, frame.readableBytes() - FrameDescriptor.MESSAGE_OFFSET);
            header.headerVersion((short)0);
            final ByteBuffer body = frame.nioBuffer(frame.readerIndex() + header.bodyOffset(), header.bodyLength());
            final ApiVersionsResponseData versions = new ApiVersionsResponseData(new ByteBufferAccessor(body), API_VERSIONS_VERSION);
            produceVersion = chosen(versions, ApiKeyIds.PRODUCE, MirrorSender.MIN_PRODUCE_VERSION, MirrorSender.MAX_PRODUCE_VERSION);
            metadataVersion = chosen(versions, ApiKeyIds.METADATA, MirrorSender.MIN_METADATA_VERSION,
                ProxyApiVersions.highestDecodedVersion(ApiKeyIds.METADATA));
        }
        catch (final RuntimeException e)
        {
            close(e);
            return;
        }
        finally
        {
            frame.release();
        }
        if (produceVersion < 0 || metadataVersion < 0)
        {
            close(new IllegalStateException("the shadow broker offers no usable Produce or Metadata version"));
            return;
        }
        if (login == null)
        {
            onReady();
            return;
        }
        state = State.LOGIN;
        saslLogin = new BrokerSaslLogin(request -> channel.writeAndFlush(request).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE),
            login, address.toString());
        saslLogin.start();
    }

    private static short chosen(final ApiVersionsResponseData versions, final short apiKey, final short min, final short max)
    {
        final ApiVersionsResponseData.ApiVersion offered = versions.apiKeys().find(apiKey);
        if (offered == null || offered.maxVersion() < min || offered.minVersion() > max)
        {
            return -1;
        }
        return (short)Math.min(offered.maxVersion(), max);
    }

    private void onLoginResponse(final ByteBuf frame)
    {
        final int outcome = saslLogin.onResponse(frame);
        if (outcome == BrokerSaslLogin.DONE)
        {
            saslLogin.dispose();
            onReady();
        }
        else if (outcome == BrokerSaslLogin.FAILED)
        {
            final String failure = saslLogin.failure();
            saslLogin.dispose();
            close(new IllegalStateException("login to the shadow broker failed: " + failure));
        }
    }

    private void onReady()
    {
        state = State.READY;
        sender.onConnectionReady(this);
        while (!waiting.isEmpty())
        {
            writeRequest(waiting.poll());
        }
        channel.flush();
    }

    private void onResponse(final ByteBuf frame)
    {
        final ShadowRequest request = inFlight.poll();
        try
        {
            if (request == null)
            {
                close(new IllegalStateException("the shadow broker answered a request not sent"));
                return;
            }
            ByteBufViews.wrapReadable(view, frame);
            header.wrap(view, FrameDescriptor.MESSAGE_OFFSET, frame.readableBytes() - FrameDescriptor.MESSAGE_OFFSET);
            header.headerVersion(ApiHeaderVersions.responseHeaderVersion(request.apiKey(), request.apiVersion()));
            if (header.correlationId() != request.correlationId())
            {
                sender.onFailed(request);
                close(new IllegalStateException("the shadow broker answered out of order: brokerCorrelationId=" +
                    header.correlationId() + ", expected=" + request.correlationId()));
                return;
            }
            if (request.apiKey() == ApiKeyIds.PRODUCE)
            {
                // The hot path: read in place, without a ByteBuffer or the message classes.
                sender.onProduceResponse(request, view, header.bodyOffset(), header.bodyLength());
                return;
            }
            final ByteBuffer body = frame.nioBuffer(frame.readerIndex() + header.bodyOffset(), header.bodyLength());
            sender.onResponse(this, request, body);
        }
        catch (final RuntimeException e)
        {
            sender.onFailed(request);
            close(e);
        }
        finally
        {
            frame.release();
        }
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        onClosed(null);
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        close(cause);
    }

    /**
     * Closes the connection: requests in flight fail, requests waiting are dropped.
     *
     * @param cause why, or null on a plain close.
     */
    void close(final Throwable cause)
    {
        if (channel != null)
        {
            channel.close();
        }
        onClosed(cause);
    }

    private void onClosed(final Throwable cause)
    {
        if (state == State.CLOSED)
        {
            return;
        }
        final boolean wasReady = state == State.READY;
        state = State.CLOSED;
        if (saslLogin != null)
        {
            saslLogin.dispose();
        }
        while (!inFlight.isEmpty())
        {
            sender.onFailed(inFlight.poll());
        }
        while (!waiting.isEmpty())
        {
            sender.onDropped(waiting.poll());
        }
        sender.onConnectionClosed(this, wasReady, cause);
    }

    /**
     * Encodes a request of the kafka-clients message classes: for the rare requests (ApiVersions, Metadata).
     *
     * @param apiKey        the api key.
     * @param apiVersion    the version.
     * @param correlationId the correlation id.
     * @param body          the body, or null for an empty one.
     * @return the frame, size field first.
     */
    static ByteBuf request(final short apiKey, final short apiVersion, final int correlationId, final ApiMessage body)
    {
        final ByteBuffer headerBytes = MessageUtil.toByteBufferAccessor(new RequestHeaderData()
            .setRequestApiKey(apiKey)
            .setRequestApiVersion(apiVersion)
            .setCorrelationId(correlationId)
            .setClientId(CLIENT_ID), ApiHeaderVersions.requestHeaderVersion(apiKey, apiVersion)).buffer();
        final ByteBuffer bodyBytes = body == null ? ByteBuffer.allocate(0) : MessageUtil.toByteBufferAccessor(body, apiVersion).buffer();
        return Unpooled.buffer(FrameDescriptor.SIZE_FIELD_LENGTH + headerBytes.remaining() + bodyBytes.remaining())
            .writeInt(headerBytes.remaining() + bodyBytes.remaining())
            .writeBytes(headerBytes)
            .writeBytes(bodyBytes);
    }
}

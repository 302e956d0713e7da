package io.kafkaproxy.proxy.policy;

import io.kafkaproxy.protocol.wire.FrameDescriptor;
import io.kafkaproxy.protocol.wire.RequestHeaderFlyweight;
import io.kafkaproxy.proxy.audit.AuditLog;
import io.kafkaproxy.proxy.codec.ByteBufViews;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.metrics.PolicyMetrics;
import io.kafkaproxy.proxy.request.DecodedRequest;
import io.kafkaproxy.proxy.request.EventLoopFlyweights;
import io.kafkaproxy.proxy.testing.PolicyConfigs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;

import java.nio.ByteBuffer;

/**
 * What the policy stage tests share: real request and response frames written with Kafka's generated classes, the
 * request decoded the way the connection decodes it, and the proxy's policy compiled from YAML config.
 */
final class PolicyFixtures implements AutoCloseable
{
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final PolicyMetrics metrics = new PolicyMetrics(registry);
    final AuditLog audit;
    final PolicyServices services;
    private final RequestHeaderFlyweight header = new RequestHeaderFlyweight();
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);

    /**
     * Compiles a policy.
     *
     * @param yaml the acl and quotas sections.
     */
    PolicyFixtures(final String yaml)
    {
        final ProxyConfig config = PolicyConfigs.parse(yaml);
        audit = new AuditLog(config.audit(), registry);
        services = new PolicyServices(config, audit, metrics);
    }

    @Override
    public void close()
    {
        audit.close();
    }

    /**
     * Decodes a request frame the way the connection does: header wrapped over a view of the frame.
     *
     * @param frame the request, size field first.
     * @return the event loop's decoded request, pointing at it.
     */
    DecodedRequest decode(final ByteBuf frame)
    {
        ByteBufViews.wrapReadable(view, frame);
        header.wrap(view, FrameDescriptor.MESSAGE_OFFSET, frame.readableBytes() - FrameDescriptor.MESSAGE_OFFSET);
        return EventLoopFlyweights.current().request().wrap(frame, header, view, 0L);
    }

    /**
     * Decodes the head of a request frame the way a connection does for a request that may stream (cut-through).
     *
     * @param head        the frame's first bytes.
     * @param frameLength the whole frame's length.
     * @return the event loop's decoded request, pointing at the head.
     */
    DecodedRequest decodeHead(final ByteBuf head, final int frameLength)
    {
        ByteBufViews.wrapReadable(view, head);
        header.wrap(view, FrameDescriptor.MESSAGE_OFFSET, head.readableBytes() - FrameDescriptor.MESSAGE_OFFSET);
        return EventLoopFlyweights.current().request().wrapHead(head, header, view, 0L, frameLength);
    }

    static ByteBuf request(final ApiKeys api, final short version, final String clientId, final ApiMessage body)
    {
        final RequestHeaderData requestHeader = new RequestHeaderData().setRequestApiKey(api.id).setRequestApiVersion(version)
            .setCorrelationId(7).setClientId(clientId);
        return frame(MessageUtil.toByteBufferAccessor(requestHeader, api.requestHeaderVersion(version)).buffer(),
            MessageUtil.toByteBufferAccessor(body, version).buffer());
    }

    static ByteBuf requestWithRawBody(final ApiKeys api, final short version, final String clientId, final byte[] body)
    {
        final RequestHeaderData requestHeader = new RequestHeaderData().setRequestApiKey(api.id).setRequestApiVersion(version)
            .setCorrelationId(7).setClientId(clientId);
        return frame(MessageUtil.toByteBufferAccessor(requestHeader, api.requestHeaderVersion(version)).buffer(), ByteBuffer.wrap(body));
    }

    static ByteBuf response(final ApiKeys api, final short version, final ApiMessage body)
    {
        final ResponseHeaderData responseHeader = new ResponseHeaderData().setCorrelationId(7);
        return frame(MessageUtil.toByteBufferAccessor(responseHeader, api.responseHeaderVersion(version)).buffer(),
            MessageUtil.toByteBufferAccessor(body, version).buffer());
    }

    static int responseBodyOffset(final ApiKeys api, final short version)
    {
        return FrameDescriptor.MESSAGE_OFFSET + (api.responseHeaderVersion(version) == 0 ? 4 : 5);
    }

    static <T extends ApiMessage> T readResponseBody(final ByteBuf frame, final ApiKeys api, final short version, final T message)
    {
        final byte[] bytes = new byte[frame.readableBytes()];
        frame.getBytes(frame.readerIndex(), bytes);
        final int offset = responseBodyOffset(api, version);
        message.read(new ByteBufferAccessor(ByteBuffer.wrap(bytes, offset, bytes.length - offset)), version);
        return message;
    }

    private static ByteBuf frame(final ByteBuffer header, final ByteBuffer body)
    {
        return Unpooled.directBuffer().writeInt(header.remaining() + body.remaining()).writeBytes(header).writeBytes(body);
    }
}

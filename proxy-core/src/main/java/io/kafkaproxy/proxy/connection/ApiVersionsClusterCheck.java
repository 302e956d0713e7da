package io.kafkaproxy.proxy.connection;

import io.kafkaproxy.protocol.wire.ApiHeaderVersions;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.protocol.wire.FrameDescriptor;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;

import java.nio.ByteBuffer;

/**
 * The proxy's side of KIP-1242 for a virtual cluster presenting a cluster id of its own: an ApiVersions v5+ request
 * names the cluster and node the client means to reach.
 *
 * <pre>
 *   ClusterId null                    ─► forwarded unchanged (a bootstrap connection, or a client that does not check)
 *   ClusterId = the id presented now  ─► forwarded with ClusterId null and NodeId -1: the broker knows only its real
 *                                        id, and the proxy has made the check itself
 *   any other ClusterId               ─► answered by the proxy: REBOOTSTRAP_REQUIRED (the cluster switched upstream
 *                                        since the client learnt its metadata), never forwarded
 * </pre>
 *
 * <p>Once per connection at most (ApiVersions is its first request), so Kafka's generated classes decode and encode
 * it. Stateless.
 */
final class ApiVersionsClusterCheck
{
    /** The first ApiVersions version carrying ClusterId and NodeId. */
    static final short FIRST_CLUSTER_ID_VERSION = 5;

    private ApiVersionsClusterCheck()
    {
    }

    /**
     * Checks one ApiVersions request against the cluster id presented to clients.
     *
     * @param frame     the request, size field first; not released here.
     * @param version   its version, 5 or more.
     * @param presented the cluster id the proxy presents now.
     * @param alloc     where a rewritten request is allocated.
     * @return the frame itself to forward unchanged, a new frame to forward in its place (the caller releases the
     *         original), or null when the client must re-bootstrap.
     */
    static ByteBuf check(final ByteBuf frame, final short version, final String presented, final ByteBufAllocator alloc)
    {
        final ByteBuffer message = frame.nioBuffer(frame.readerIndex() + FrameDescriptor.SIZE_FIELD_LENGTH,
            frame.readableBytes() - FrameDescriptor.SIZE_FIELD_LENGTH);
        final ByteBufferAccessor accessor = new ByteBufferAccessor(message);
        new RequestHeaderData(accessor, ApiHeaderVersions.requestHeaderVersion(ApiKeyIds.API_VERSIONS, version));
        final int headerLength = message.position();
        final ApiVersionsRequestData request = new ApiVersionsRequestData(accessor, version);
        if (request.clusterId() == null)
        {
            return frame;
        }
        if (!request.clusterId().equals(presented))
        {
            return null;
        }
        final ByteBuffer body = MessageUtil.toByteBufferAccessor(request.setClusterId(null).setNodeId(-1), version).buffer();
        final ByteBuf rewritten = alloc.buffer(FrameDescriptor.SIZE_FIELD_LENGTH + headerLength + body.remaining());
        return rewritten.writeInt(headerLength + body.remaining())
            .writeBytes(frame, frame.readerIndex() + FrameDescriptor.SIZE_FIELD_LENGTH, headerLength)
            .writeBytes(body);
    }

    /**
     * The proxy's answer to an ApiVersions request naming a cluster id it no longer presents.
     *
     * @param correlationId the request's correlation id.
     * @param version       the request's version.
     * @param alloc         where the answer is allocated.
     * @return the response, size field first.
     */
    static ByteBuf rebootstrapRequired(final int correlationId, final short version, final ByteBufAllocator alloc)
    {
        final ByteBuffer body = MessageUtil.toByteBufferAccessor(
            new ApiVersionsResponseData().setErrorCode(Errors.REBOOTSTRAP_REQUIRED.code()), version).buffer();
        // ApiVersions responses keep header v0 (the correlation id alone) in every version, so old clients can read them.
        final ByteBuf response = alloc.buffer(FrameDescriptor.SIZE_FIELD_LENGTH + Integer.BYTES + body.remaining());
        return response.writeInt(Integer.BYTES + body.remaining())
            .writeInt(correlationId)
            .writeBytes(body);
    }
}

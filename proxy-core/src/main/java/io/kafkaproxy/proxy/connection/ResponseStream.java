package io.kafkaproxy.proxy.connection;

import io.kafkaproxy.protocol.responses.FetchResponseStreamWalk;
import io.kafkaproxy.protocol.responses.FetchTaggedFieldsRewriter;
import io.kafkaproxy.protocol.responses.ResponseRewriters;
import io.kafkaproxy.protocol.responses.ThrottleTimeLocator;
import io.kafkaproxy.protocol.wire.ApiHeaderVersions;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.protocol.wire.FrameDescriptor;
import io.kafkaproxy.protocol.wire.FrameRejectedException;
import io.kafkaproxy.protocol.wire.MalformedFrameException;
import io.kafkaproxy.protocol.wire.ResponseHeaderFlyweight;
import io.kafkaproxy.proxy.codec.ByteBufViews;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.metrics.ProxyMetrics.Side;
import io.kafkaproxy.proxy.policy.ConnectionPolicy;
import io.kafkaproxy.proxy.request.EventLoopFlyweights;
import io.kafkaproxy.proxy.routing.BrokerNodeRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Streams one broker response at a time to the client as its reads arrive (cut-through), for the
 * {@link ResponseForwarder}, which completes its request once it ends.
 *
 * <p>{@link #start} decides from the response's head and the request it answers whether it may stream; if so, the
 * policy's head-only work is done on its first bytes, and every read's bytes go on as they are. A Fetch v16+ response
 * is walked as it passes ({@link FetchResponseStreamWalk}): the bytes before its trailing tagged fields flow at once,
 * the tagged fields (NodeEndpoints, KIP-951) are held to its end, as a copy so their reads are not pinned meanwhile,
 * and sent as they came or rewritten into the same length ({@link FetchTaggedFieldsRewriter}); when there are none
 * (one byte, 0: the usual case), that byte goes on with its read, and nothing is held or allocated. Failures go to the
 * state machine, which closes the connection (and {@link #abandon}s the stream). Confined to the client channel's event
 * loop.
 */
final class ResponseStream
{
    /**
     * How many bytes of a streaming response may wait in the client channel for the end of later broker read batches
     * before they are flushed: a flush per read batch cost a system call per socket read (bench/RESULTS.md, "fewer
     * system calls while a response streams"). Below the client channel's high water mark, so that waiting never stops the broker's reads.
     */
    static final int STREAM_FLUSH_BYTES = 256 * 1024;

    private final Channel clientChannel;
    private final InFlightRequests inFlight;
    private final BrokerNodeRegistry nodes;
    private final ProxyMetrics metrics;
    private final ConnectionPolicy policy;
    private final ConnectionTimers timers;
    private final ConnectionLog log;
    private final ClientConnectionStateMachine connection;
    private final EventLoopFlyweights flyweights;
    private final boolean cutThrough;
    // Bytes streamed to the client since its channel was last flushed here.
    private int unflushedBytes;
    private boolean streaming;
    private int streamFrameLength;
    private int streamBodyOffset;
    private int streamPosition;
    private FetchResponseStreamWalk walk;
    private boolean walking;
    // The walked response's tagged fields were one byte, 0 (none, the usual case), and went on with the read they came in.
    private boolean taggedFieldsPassed;
    // A copy of what came of the trailing tagged fields so far, so the reads they came in are not pinned to the end.
    private ByteBuf heldTaggedFields;

    /**
     * Creates the stream of one connection.
     *
     * @param clientChannel the client's channel.
     * @param inFlight      the requests in flight.
     * @param nodes         maps broker addresses to proxy addresses.
     * @param metrics       the proxy's meters.
     * @param policy        the connection's policy.
     * @param timers        the connection's timers.
     * @param log           says what went wrong.
     * @param connection    the connection's state machine.
     * @param flyweights    the event loop's flyweights.
     * @param cutThrough    whether responses may stream at all.
     */
    ResponseStream(
        final Channel clientChannel,
        final InFlightRequests inFlight,
        final BrokerNodeRegistry nodes,
        final ProxyMetrics metrics,
        final ConnectionPolicy policy,
        final ConnectionTimers timers,
        final ConnectionLog log,
        final ClientConnectionStateMachine connection,
        final EventLoopFlyweights flyweights,
        final boolean cutThrough)
    {
        this.clientChannel = clientChannel;
        this.inFlight = inFlight;
        this.nodes = nodes;
        this.metrics = metrics;
        this.policy = policy;
        this.timers = timers;
        this.log = log;
        this.connection = connection;
        this.flyweights = flyweights;
        this.cutThrough = cutThrough;
    }

    /**
     * Decides, from a response's head, whether it streams to the client: cut-through on, the oldest request in flight
     * answered by the broker, owed no amendment, and its response one the proxy does not rewrite whole nor its policy
     * read whole ({@link ConnectionPolicy#readsResponse}), whose throttle_time_ms (if any) is in the head.
     *
     * @param head        the response's bytes read so far, size field first; read only.
     * @param frameLength the whole response's length, size field included.
     * @return true if it streams: its bytes, head included, come by {@link #bytes}, then {@link #end}.
     */
    boolean start(final ByteBuf head, final int frameLength)
    {
        if (!cutThrough || streaming || inFlight.isEmpty() || inFlight.headIsLocallyAnswered() || inFlight.headAmendment() != null
            || !ByteBufViews.isContiguous(head))
        {
            // A head that is not one contiguous read cannot be viewed in place: assembled as usual.
            return false;
        }
        final short apiKey = inFlight.headApiKey();
        final short apiVersion = inFlight.headApiVersion();
        final int throttleOffset = ThrottleTimeLocator.fixedBodyOffset(apiKey, apiVersion);
        if (policy.readsResponse(apiKey, apiVersion) || !streams(apiKey, apiVersion)
            || throttleOffset == ThrottleTimeLocator.NOT_FIXED)
        {
            return false;
        }
        final int bodyOffset;
        try
        {
            final UnsafeBuffer view = ByteBufViews.wrapReadable(flyweights.responseView(), head);
            final ResponseHeaderFlyweight header = flyweights.responseHeader()
                .wrap(view, FrameDescriptor.MESSAGE_OFFSET, head.readableBytes() - FrameDescriptor.MESSAGE_OFFSET);
            if (header.correlationId() != inFlight.headCorrelationId())
            {
                // Assembled as usual, the whole frame then fails the match and closes the connection with its log line.
                return false;
            }
            bodyOffset = header.headerVersion(ApiHeaderVersions.responseHeaderVersion(apiKey, apiVersion)).bodyOffset();
        }
        catch (final FrameRejectedException e)
        {
            // The header's tagged fields run past this read: assembled as usual, and judged whole.
            return false;
        }
        if (head.readableBytes() < bodyOffset + Math.max(throttleOffset, 0) + Integer.BYTES)
        {
            return false;
        }
        streaming = true;
        // The broker has answered: the request timeout no longer runs for this request (see ConnectionTimers).
        inFlight.markHeadStreaming();
        streamFrameLength = frameLength;
        streamBodyOffset = bodyOffset;
        streamPosition = 0;
        walking = apiKey == ApiKeyIds.FETCH && ResponseRewriters.rewrites(apiKey, apiVersion);
        taggedFieldsPassed = false;
        if (walking)
        {
            if (walk == null)
            {
                walk = new FetchResponseStreamWalk();
            }
            walk.reset(apiVersion, frameLength - bodyOffset);
        }
        metrics.onResponseStreamed();
        // The head is flushed with its read batch, as is whatever went before it: the client learns the size early.
        unflushedBytes = STREAM_FLUSH_BYTES;
        // Latency to the first byte, what the broker took to answer: the rest drains at the client's pace, which would
        // make a slow consumer look like a slow broker (assembled responses are timed when written, at broker speed).
        metrics.api(apiKey).onResponse(frameLength, System.nanoTime() - inFlight.headReadNanos());
        return true;
    }

    /**
     * The next bytes of the streaming response: on to the client, but for a walked Fetch response's trailing tagged
     * fields, which are held until its end.
     *
     * @param bytes a slice of a broker read; ownership moves here.
     */
    void bytes(final ByteBuf bytes)
    {
        if (!streaming)
        {
            // The connection closed mid-stream: the rest of the frame has nowhere to go.
            bytes.release();
            return;
        }
        final int chunkStart = streamPosition;
        streamPosition += bytes.readableBytes();
        unflushedBytes += bytes.readableBytes();
        if (chunkStart == 0)
        {
            final long nowNanos = System.nanoTime();
            try
            {
                policy.onStreamedResponseHead(bytes, inFlight.headApiKey(), inFlight.headApiVersion(), streamBodyOffset,
                    streamFrameLength, nowNanos);
            }
            catch (final RuntimeException e)
            {
                bytes.release();
                connection.onException(Side.BROKER, e);
                return;
            }
            timers.pauseForThrottle(nowNanos);
        }
        if (!walking)
        {
            clientChannel.write(bytes, clientChannel.voidPromise());
            return;
        }
        final int flowing;
        try
        {
            flowing = walkChunk(bytes, chunkStart);
        }
        catch (final RuntimeException e)
        {
            // A malformed response, or bytes that cannot be viewed in place: either way the chunk goes nowhere, and
            // must not pin its read's memory.
            bytes.release();
            connection.onException(Side.BROKER, e);
            return;
        }
        final int length = bytes.readableBytes();
        if (flowing == length || passesNoTaggedFields(bytes, flowing))
        {
            clientChannel.write(bytes, clientChannel.voidPromise());
            return;
        }
        if (flowing > 0)
        {
            clientChannel.write(bytes.retainedSlice(bytes.readerIndex(), flowing), clientChannel.voidPromise());
            bytes.skipBytes(flowing);
        }
        holdTaggedFields(bytes);
    }

    /**
     * Whether what follows the flowing bytes of a walked chunk is the response's whole tagged fields and they are
     * none: one byte, 0, the last of the response. Nothing to rewrite, so it goes on with its read as it came, and
     * nothing is held or allocated (the usual end of every Fetch response).
     */
    private boolean passesNoTaggedFields(final ByteBuf bytes, final int flowing)
    {
        if (heldTaggedFields != null || bytes.readableBytes() - flowing != 1 || walk.taggedFieldsLength() != 1
            || bytes.getByte(bytes.readerIndex() + flowing) != 0)
        {
            return false;
        }
        taggedFieldsPassed = true;
        return true;
    }

    /**
     * Keeps a copy of the trailing tagged fields' bytes and releases the read they came in: held as a slice, even one
     * byte would pin its whole read region until the response ends.
     */
    private void holdTaggedFields(final ByteBuf bytes)
    {
        if (heldTaggedFields == null)
        {
            // Tagged fields present: after a leader change, or a tag the proxy does not know; rare, and a few hundred
            // bytes at most.
            final int length = walk.taggedFieldsLength();
            heldTaggedFields = Unpooled.buffer(length, length);
        }
        try
        {
            heldTaggedFields.writeBytes(bytes);
        }
        finally
        {
            bytes.release();
        }
    }

    /**
     * The streaming response ended: send what was held of it.
     *
     * @return the response's length, its request now to be completed; -1 if nothing was streaming or the response was
     *         malformed and the connection is closing.
     */
    int end()
    {
        if (!streaming)
        {
            return -1;
        }
        streaming = false;
        if (walking && !sendTaggedFields())
        {
            return -1;
        }
        return streamFrameLength;
    }

    /**
     * Whether the client channel's flush at the end of a broker read batch may wait: a response is streaming, the
     * bytes it wrote since the last flush are fewer than {@link #STREAM_FLUSH_BYTES}, and the client channel is
     * writable (so the broker's reads go on, and the next read batch comes). The batch that reads a response's head
     * or its end is always flushed.
     *
     * @return true to skip this flush; false when the channel is to be flushed now (counted as flushed).
     */
    boolean defersFlush()
    {
        if (streaming && unflushedBytes < STREAM_FLUSH_BYTES && clientChannel.isWritable())
        {
            return true;
        }
        unflushedBytes = 0;
        return false;
    }

    /**
     * Forgets the streaming response of a closing connection, releasing what was held of it.
     */
    void abandon()
    {
        streaming = false;
        taggedFieldsPassed = false;
        releaseHeldTaggedFields();
    }

    /**
     * Whether a response may stream as far as the forwarder is concerned: not one it rewrites whole (ApiVersions,
     * Metadata, FindCoordinator...). What the policy reads whole it says itself ({@link ConnectionPolicy#readsResponse}).
     */
    private static boolean streams(final short apiKey, final short apiVersion)
    {
        // Fetch v16+ carries NodeEndpoints: walked as it passes, its tagged fields held and rewritten in place.
        return apiKey == ApiKeyIds.FETCH || !ResponseRewriters.rewrites(apiKey, apiVersion);
    }

    /** Walks a chunk of a Fetch response; returns how many of its bytes come before the trailing tagged fields. */
    private int walkChunk(final ByteBuf bytes, final int chunkStart)
    {
        if (walk.taggedFieldsReached())
        {
            return 0;
        }
        final int length = bytes.readableBytes();
        final int headerBytes = Math.max(0, Math.min(length, streamBodyOffset - chunkStart));
        final UnsafeBuffer view = ByteBufViews.wrapReadable(flyweights.responseView(), bytes);
        return headerBytes + walk.feed(view, headerBytes, length - headerBytes);
    }

    /**
     * Sends a walked Fetch response's trailing tagged fields: as they came when they carry no endpoints, else
     * rewritten into the same length.
     *
     * @return false if the response was malformed and the connection is closing.
     */
    private boolean sendTaggedFields()
    {
        if (taggedFieldsPassed)
        {
            taggedFieldsPassed = false;
            return true;
        }
        try
        {
            final int length = walk.taggedFieldsLength();
            if (!walk.taggedFieldsReached() || length == 0 || heldTaggedFields == null
                || heldTaggedFields.readableBytes() != length)
            {
                throw new MalformedFrameException(
                    "Fetch response ends before its tagged fields: length=" + streamFrameLength);
            }
            final FetchTaggedFieldsRewriter rewriter = flyweights.fetchTaggedFields();
            final UnsafeBuffer held = ByteBufViews.wrapReadable(flyweights.responseView(), heldTaggedFields);
            final int outcome = rewriter.rewrite(inFlight.headApiVersion(), held, 0, length, nodes);
            if (outcome == FetchTaggedFieldsRewriter.UNCHANGED)
            {
                writeHeldTaggedFields();
                return true;
            }
            if (outcome == FetchTaggedFieldsRewriter.ENDPOINTS_DROPPED)
            {
                metrics.onStreamedEndpointsDropped();
            }
            else if (outcome == FetchTaggedFieldsRewriter.ENDPOINTS_UNAVAILABLE)
            {
                // Misconfiguration, not padding: the assembled path closes here; the address is hidden all the same.
                metrics.onStreamedEndpointsUnavailable();
                log.onUnadvertisableStreamedResponse();
            }
            // Same length: the rewrite goes over the copy it was made from.
            rewriter.output().getBytes(0, held, 0, length);
            writeHeldTaggedFields();
            return true;
        }
        catch (final FrameRejectedException e)
        {
            releaseHeldTaggedFields();
            connection.onException(Side.BROKER, e);
            return false;
        }
    }

    private void writeHeldTaggedFields()
    {
        final ByteBuf held = heldTaggedFields;
        heldTaggedFields = null;
        clientChannel.write(held, clientChannel.voidPromise());
    }

    private void releaseHeldTaggedFields()
    {
        if (heldTaggedFields != null)
        {
            heldTaggedFields.release();
            heldTaggedFields = null;
        }
    }
}

package io.kafkaproxy.proxy.connection;

import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.protocol.wire.FrameDescriptor;
import io.kafkaproxy.protocol.wire.FrameRejectedException;
import io.kafkaproxy.protocol.wire.RequestHeaderFlyweight;
import io.kafkaproxy.proxy.codec.ByteBufViews;
import io.kafkaproxy.proxy.memory.MemoryExhaustedException;
import io.kafkaproxy.proxy.memory.RegionByteBuf;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.mirror.MirrorTap;
import io.kafkaproxy.proxy.policy.ConnectionPolicy;
import io.kafkaproxy.proxy.request.DecodedRequest;
import io.kafkaproxy.proxy.request.EventLoopFlyweights;
import io.kafkaproxy.proxy.request.RequestDecision;
import io.netty.buffer.ByteBuf;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Streams one client request at a time to the broker as its reads arrive (cut-through), for the state machine.
 *
 * <p>{@link #start} decides from the request's head whether it may stream: cut-through on, a Produce request (the one
 * request with a large body), no mirror tapping Produce (it copies whole requests), its header and the body's leading
 * fields (transactional id, acks, timeout) in the head, and a policy that needs no more to decide it
 * ({@link ConnectionPolicy#readsRequest}, {@link ConnectionPolicy#onRequestHead}). If so, the request is recorded in
 * flight at once (unless acks=0), counted and charged by the whole frame's length, and its bytes, head included, go to
 * the broker link as slices of the reads ({@link #bytes}); the state machine flushes the link when the client's read
 * batch ends, as for whole requests. The broker's wait for it, and its latency, start at its last byte ({@link #end}).
 * Its quotas charge it at its head; the throttle that imposes pauses the client's reads only at its last byte, for
 * what is left of it then, so a throttle never leaves the broker holding half a request (the time the request took to
 * arrive counts toward its throttle, as its bytes counted toward the quota from its head). A head that
 * does not decode (too short, malformed) is assembled as usual, and judged whole. Confined to the client channel's
 * event loop.
 */
final class RequestStream
{
    /** The request is assembled as usual. */
    static final int ASSEMBLED = 0;
    /** The request streams: its bytes come by {@link #bytes}, then {@link #end}. */
    static final int STREAMED = 1;
    /** The connection is over its principal's limit: it closes, and the request's bytes are dropped as they come. */
    static final int REJECTED = 2;

    private final RequestHeaderFlyweight requestHeader;
    private final UnsafeBuffer requestView;
    // A streamed slice that pins a region more than this many times its size is copied (compactIfSmall).
    private static final int PINNED_REGION_RATIO = 8;

    private final InFlightRequests inFlight;
    private final ProxyMetrics metrics;
    private final ConnectionPolicy policy;
    private final ConnectionTimers timers;
    private final MirrorTap mirror;
    private final EventLoopFlyweights flyweights = EventLoopFlyweights.current();
    private final boolean cutThrough;
    private BrokerLink broker;
    private boolean streaming;
    private boolean entered;

    /**
     * Creates the request stream of one connection.
     *
     * @param requestHeader the connection's request header flyweight.
     * @param requestView   the view that flyweight reads.
     * @param inFlight      the requests in flight.
     * @param metrics       the proxy's meters.
     * @param policy        the connection's policy.
     * @param timers        the connection's timers.
     * @param mirror        the cluster's produce mirror; {@link MirrorTap#NONE} without one.
     * @param cutThrough    whether requests may stream at all.
     */
    RequestStream(
        final RequestHeaderFlyweight requestHeader,
        final UnsafeBuffer requestView,
        final InFlightRequests inFlight,
        final ProxyMetrics metrics,
        final ConnectionPolicy policy,
        final ConnectionTimers timers,
        final MirrorTap mirror,
        final boolean cutThrough)
    {
        this.requestHeader = requestHeader;
        this.requestView = requestView;
        this.inFlight = inFlight;
        this.metrics = metrics;
        this.policy = policy;
        this.timers = timers;
        this.mirror = mirror;
        this.cutThrough = cutThrough;
    }

    /**
     * Decides, from a request's head, whether it streams to the broker; if so, decides it, records it in flight and
     * counts it.
     *
     * @param head        the request's bytes read so far, size field first; read only.
     * @param frameLength the whole request's length, size field included.
     * @param broker      where it goes.
     * @return {@link #ASSEMBLED}, {@link #STREAMED} or {@link #REJECTED}.
     */
    int start(final ByteBuf head, final int frameLength, final BrokerLink broker)
    {
        if (!cutThrough || streaming || mirror.mirrors() || !ByteBufViews.isContiguous(head)
            || head.readableBytes() < FrameDescriptor.MESSAGE_OFFSET + Short.BYTES
            || head.getShort(head.readerIndex() + FrameDescriptor.MESSAGE_OFFSET) != ApiKeyIds.PRODUCE)
        {
            return ASSEMBLED;
        }
        final long readNanos = System.nanoTime();
        final DecodedRequest decoded = flyweights.request();
        final boolean answered;
        final int brokerWaitMillis;
        final RequestDecision decision;
        try
        {
            try
            {
                ByteBufViews.wrapReadable(requestView, head);
                requestHeader.wrap(requestView, FrameDescriptor.MESSAGE_OFFSET, head.readableBytes() - FrameDescriptor.MESSAGE_OFFSET);
                decoded.wrapHead(head, requestHeader, requestView, readNanos, frameLength);
                answered = decoded.expectsResponse();
                brokerWaitMillis = answered ? BrokerWaitAllowance.millis(decoded) : 0;
            }
            catch (final FrameRejectedException e)
            {
                // The header or the body's leading fields run past this read, or do not parse: assembled as usual,
                // and judged whole, so a malformed request takes the same path as ever.
                return ASSEMBLED;
            }
            decision = policy.onRequestHead(decoded);
        }
        finally
        {
            decoded.clear();
        }
        if (decision == null)
        {
            return ASSEMBLED;
        }
        if (decision.kind() == RequestDecision.REJECT)
        {
            return REJECTED;
        }
        if (decision.kind() != RequestDecision.PASS)
        {
            // The policy decides from a head only what it can pass (readsRequest): anything else is a bug.
            throw new IllegalStateException("request decided from its head must pass: kind=" + decision.kind());
        }
        metrics.api(ApiKeyIds.PRODUCE).onRequest(frameLength);
        if (answered)
        {
            inFlight.addBrokerAnswered(requestHeader.correlationId(), ApiKeyIds.PRODUCE, requestHeader.apiVersion(), readNanos,
                brokerWaitMillis);
            inFlight.markTailArriving();
            timers.watchRequestTimeout();
        }
        metrics.onRequestStreamed();
        this.broker = broker;
        streaming = true;
        entered = answered;
        return STREAMED;
    }

    /**
     * The next bytes of the streaming request: written to the broker link, not flushed.
     *
     * @param bytes a slice of a client read; ownership moves here.
     */
    void bytes(final ByteBuf bytes)
    {
        if (!streaming)
        {
            // Rejected at its head, or abandoned: the connection is closing.
            bytes.release();
            return;
        }
        broker.write(compactIfSmall(bytes));
    }

    /**
     * A slice pins its whole read region until written, while the broker link's high water mark counts only the
     * slice's bytes: a client sending a streaming request in tiny segments to a broker slow to take them would pin a
     * region per segment, far past the link's mark, in memory the pool's budget must share. A slice much smaller than
     * its region is copied into a buffer of its own size (rare: reads of a streaming request are as large as its rest,
     * up to the read size, and a socket usually has more than a few KiB of it); if the pool has none to give, the
     * slice goes as it is.
     */
    static ByteBuf compactIfSmall(final ByteBuf bytes)
    {
        if (!(bytes instanceof RegionByteBuf)
            || ((RegionByteBuf)bytes).region().capacity() / PINNED_REGION_RATIO <= bytes.readableBytes())
        {
            return bytes;
        }
        final ByteBuf copy;
        try
        {
            copy = bytes.alloc().directBuffer(bytes.readableBytes());
        }
        catch (final MemoryExhaustedException e)
        {
            return bytes;
        }
        copy.writeBytes(bytes);
        bytes.release();
        return copy;
    }

    /**
     * The streaming request's last byte went to the broker link: the broker's wait for it starts, and so does the
     * throttle its quotas imposed.
     */
    void end()
    {
        if (!streaming)
        {
            return;
        }
        streaming = false;
        broker = null;
        final long nowNanos = System.nanoTime();
        if (entered)
        {
            inFlight.tailArrived(nowNanos);
        }
        timers.pauseForThrottle(nowNanos);
    }

    /**
     * Whether a request is streaming.
     *
     * @return true from its head until its last byte, or until abandoned.
     */
    boolean isStreaming()
    {
        return streaming;
    }

    /**
     * The connection closed: the rest of the request is dropped as it comes (the broker's side closes with it, as it
     * cannot make sense of half a request).
     */
    void abandon()
    {
        streaming = false;
        broker = null;
    }
}

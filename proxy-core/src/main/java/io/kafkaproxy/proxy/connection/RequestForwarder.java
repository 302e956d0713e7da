package io.kafkaproxy.proxy.connection;

import io.kafkaproxy.protocol.responses.ProxyApiVersions;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.protocol.wire.MalformedFrameException;
import io.kafkaproxy.protocol.wire.FrameDescriptor;
import io.kafkaproxy.protocol.wire.RequestHeaderFlyweight;
import io.kafkaproxy.proxy.codec.ByteBufViews;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.mirror.MirrorTap;
import io.kafkaproxy.proxy.policy.ConnectionPolicy;
import io.kafkaproxy.proxy.request.DecodedRequest;
import io.kafkaproxy.proxy.request.EventLoopFlyweights;
import io.kafkaproxy.proxy.request.RequestDecision;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Takes each client request to the broker: decodes it once into the event loop's {@link DecodedRequest}, has the
 * {@link ConnectionPolicy} decide it, records it in {@link InFlightRequests} (unless it is an acks=0 Produce, which
 * gets no answer) and writes it to the {@link BrokerLink}, or answers or drops it as the policy decided. A Produce
 * request written to the broker is then offered to the cluster's {@link MirrorTap}.
 *
 * <p>Writes are not flushed here: the state machine flushes the broker link when the client's read batch ends.
 * Confined to the client channel's event loop.
 */
final class RequestForwarder
{
    private final RequestHeaderFlyweight requestHeader;
    private final UnsafeBuffer requestView;
    private final InFlightRequests inFlight;
    private final ProxyMetrics metrics;
    private final ConnectionPolicy policy;
    private final ConnectionTimers timers;
    private final ResponseForwarder responses;
    private final MirrorTap mirror;
    private final EventLoopFlyweights flyweights = EventLoopFlyweights.current();

    /**
     * Creates the request side of one connection.
     *
     * @param requestHeader the header flyweight the request header decoder wraps for each request.
     * @param requestView   the view that flyweight reads.
     * @param inFlight      the requests in flight.
     * @param metrics       the proxy's meters.
     * @param policy        the connection's policy.
     * @param timers        the connection's timers.
     * @param responses     answers the requests the proxy answers itself, in order.
     * @param mirror        where Produce requests are offered once written to the broker link.
     */
    RequestForwarder(
        final RequestHeaderFlyweight requestHeader,
        final UnsafeBuffer requestView,
        final InFlightRequests inFlight,
        final ProxyMetrics metrics,
        final ConnectionPolicy policy,
        final ConnectionTimers timers,
        final ResponseForwarder responses,
        final MirrorTap mirror)
    {
        this.requestHeader = requestHeader;
        this.requestView = requestView;
        this.inFlight = inFlight;
        this.metrics = metrics;
        this.policy = policy;
        this.timers = timers;
        this.responses = responses;
        this.mirror = mirror;
    }

    /**
     * Takes one request read earlier (while the broker connection was made) to the broker: its header is decoded
     * again, as the header flyweight may describe a later frame by now.
     *
     * @param frame  the request, size field first, its header valid; ownership moves here.
     * @param broker where it goes.
     * @return true; false when the policy rejected the connection (the frame is released).
     * @throws io.kafkaproxy.protocol.wire.FrameRejectedException if the request is malformed (the frame is released).
     */
    boolean forwardRead(final ByteBuf frame, final BrokerLink broker)
    {
        wrapHeader(frame);
        return forward(frame, broker);
    }

    /**
     * Wraps the header of a request read earlier again in the request header flyweight, which may describe a later
     * frame by now.
     *
     * @param frame the request, size field first, its header valid.
     * @throws io.kafkaproxy.protocol.wire.FrameRejectedException if the header is malformed (the frame is released).
     */
    void wrapHeader(final ByteBuf frame)
    {
        try
        {
            ByteBufViews.wrapReadable(requestView, frame);
            requestHeader.wrap(
                requestView, FrameDescriptor.MESSAGE_OFFSET, frame.readableBytes() - FrameDescriptor.MESSAGE_OFFSET);
        }
        catch (final RuntimeException e)
        {
            frame.release();
            throw e;
        }
    }

    /**
     * Takes one request, its header already wrapped in the request header flyweight, to the broker.
     *
     * @param frame  the request, size field first; ownership moves here.
     * @param broker where it goes.
     * @return true; false when the policy rejected the connection (the frame is released).
     * @throws io.kafkaproxy.protocol.wire.FrameRejectedException if the request is malformed (the frame is released).
     */
    boolean forward(final ByteBuf frame, final BrokerLink broker)
    {
        final long readNanos = System.nanoTime();
        final short apiKey = requestHeader.apiKey();
        final short apiVersion = requestHeader.apiVersion();
        final int correlationId = requestHeader.correlationId();
        metrics.api(apiKey).onRequest(frame.readableBytes());
        if (apiKey == ApiKeyIds.API_VERSIONS && apiVersion > ProxyApiVersions.highestDecodedVersion(ApiKeyIds.API_VERSIONS))
        {
            frame.release();
            responses.answerUnsupportedApiVersions(correlationId, apiVersion, readNanos);
            return true;
        }
        if (apiKey == ApiKeyIds.API_VERSIONS && apiVersion >= ApiVersionsClusterCheck.FIRST_CLUSTER_ID_VERSION &&
            responses.presentedClusterId() != null)
        {
            return forwardCheckedApiVersions(frame, broker, correlationId, apiVersion, readNanos);
        }
        return forwardChecked(frame, broker, readNanos);
    }

    private boolean forwardChecked(final ByteBuf frame, final BrokerLink broker, final long readNanos)
    {
        final short apiKey = requestHeader.apiKey();
        final short apiVersion = requestHeader.apiVersion();
        final int correlationId = requestHeader.correlationId();
        final DecodedRequest decoded = flyweights.request().wrap(frame, requestHeader, requestView, readNanos);
        final RequestDecision decision;
        final boolean answered;
        final int brokerWaitMillis;
        try
        {
            // Read before the policy runs: a replaced request's original, which the view points at, is released.
            answered = decoded.expectsResponse();
            brokerWaitMillis = answered ? BrokerWaitAllowance.millis(decoded) : 0;
            decision = policy.onRequest(decoded);
        }
        catch (final RuntimeException e)
        {
            frame.release();
            throw e;
        }
        finally
        {
            decoded.clear();
        }
        ByteBuf request = frame;
        switch (decision.kind())
        {
            case RequestDecision.PASS:
                break;
            case RequestDecision.FORWARD:
                frame.release();
                request = decision.frame();
                break;
            case RequestDecision.ANSWER:
                frame.release();
                responses.answerLocally(correlationId, apiKey, apiVersion, readNanos, decision.frame());
                timers.pauseForThrottle(readNanos);
                return true;
            case RequestDecision.DROP:
                frame.release();
                timers.pauseForThrottle(readNanos);
                return true;
            default:
                frame.release();
                return false;
        }
        if (answered)
        {
            if (decision.amendment() == null)
            {
                inFlight.addBrokerAnswered(correlationId, apiKey, apiVersion, readNanos, brokerWaitMillis);
            }
            else
            {
                inFlight.addBrokerAnswered(correlationId, apiKey, apiVersion, readNanos, brokerWaitMillis, decision.amendment());
            }
            timers.watchRequestTimeout();
        }
        // The mirror reads its own view of the request, after the broker link has it: the client's request is
        // neither delayed nor changed, whatever the mirror does with the copy.
        final ByteBuf mirrored = apiKey == ApiKeyIds.PRODUCE && mirror.mirrors() ? request.retainedDuplicate() : null;
        broker.write(request);
        if (mirrored != null)
        {
            mirror.onProduce(mirrored, apiVersion, readNanos);
        }
        timers.pauseForThrottle(readNanos);
        return true;
    }

    private boolean forwardCheckedApiVersions(
        final ByteBuf frame, final BrokerLink broker, final int correlationId, final short apiVersion, final long readNanos)
    {
        // Read before the frame is released: a released pool buffer no longer names its allocator.
        final ByteBufAllocator alloc = frame.alloc();
        final ByteBuf checked;
        try
        {
            checked = ApiVersionsClusterCheck.check(frame, apiVersion, responses.presentedClusterId(), alloc);
        }
        catch (final RuntimeException e)
        {
            frame.release();
            throw new MalformedFrameException("malformed ApiVersions request: error=" + e.getMessage());
        }
        if (checked == null)
        {
            // KIP-1242: the client's metadata names a cluster this virtual cluster no longer presents (it switched
            // upstream); it must re-bootstrap rather than reach the other data centre's brokers with stale metadata.
            frame.release();
            responses.answerLocally(correlationId, ApiKeyIds.API_VERSIONS, apiVersion, readNanos,
                ApiVersionsClusterCheck.rebootstrapRequired(correlationId, apiVersion, alloc));
            return true;
        }
        if (checked == frame)
        {
            return forwardChecked(frame, broker, readNanos);
        }
        frame.release();
        wrapHeader(checked);
        return forwardChecked(checked, broker, readNanos);
    }
}

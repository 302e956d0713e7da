package io.kafkaproxy.proxy.connection;

import io.kafkaproxy.protocol.responses.ProxyApiVersions;
import io.kafkaproxy.protocol.responses.ResponseRewriters;
import io.kafkaproxy.protocol.responses.RewriteOutcome;
import io.kafkaproxy.protocol.wire.ApiHeaderVersions;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.protocol.wire.FrameDescriptor;
import io.kafkaproxy.protocol.wire.FrameRejectedException;
import io.kafkaproxy.protocol.wire.ResponseHeaderFlyweight;
import io.kafkaproxy.proxy.codec.ByteBufViews;
import io.kafkaproxy.proxy.codec.ResponseSplicer;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.policy.ConnectionPolicy;
import io.kafkaproxy.proxy.request.EventLoopFlyweights;
import io.kafkaproxy.proxy.routing.BrokerNodeRegistry;
import io.kafkaproxy.proxy.metrics.ProxyMetrics.Side;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayDeque;

/**
 * Takes each broker response to the client: matches it to the oldest request in flight, rewrites the broker
 * addresses it carries by splicing, applies the policy to it, and writes it, followed by any answers the proxy made
 * itself that waited behind it, so the client sees every answer in request order.
 *
 * <p>A response naming a node whose listener is still starting cannot be rewritten yet: {@link #forward} says so, the
 * state machine holds it (see {@link ClientConnectionState.Holding}), and {@link #release} sends the held responses
 * once {@link #awaitListeners} reports the listeners bound. Failures go to the state machine, which closes the
 * connection.
 *
 * <p><b>Cut-through.</b> A response that does not arrive whole in one read may stream instead ({@link #startStream}):
 * decided from its head and the request it answers; if it streams, its head goes to the client after the policy's
 * head-only work, each later read's bytes follow as they arrive ({@link #streamBytes}), and its end completes the
 * request in flight and releases the proxy's own answers that waited behind it ({@link #endStream}). Responses the
 * proxy rewrites, amends, or reads whole (ApiVersions, SASL, Metadata, FindCoordinator...) never stream; Fetch v16+
 * does: it is walked as it passes and only its trailing tagged fields, where NodeEndpoints sit, are held, then
 * rewritten into the length already sent ({@link ResponseStream}).
 * Confined to the client channel's event loop.
 */
final class ResponseForwarder
{
    /** The response went to the client. */
    static final int FORWARDED = 0;
    /** The response waits for a node listener; nothing was written or released. */
    static final int HELD = 1;
    /** The response was released and the connection is closing. */
    static final int FAILED = 2;

    private final Channel clientChannel;
    private final InFlightRequests inFlight;
    private final BrokerNodeRegistry nodes;
    private final ProxyMetrics metrics;
    private final ConnectionPolicy policy;
    private final ConnectionTimers timers;
    private final ConnectionLog log;
    private final ClientConnectionStateMachine connection;
    private final EventLoopFlyweights flyweights = EventLoopFlyweights.current();
    private final ResponseStream stream;
    private boolean clientFlushPending;

    /**
     * Creates the forwarder of one connection.
     *
     * @param clientChannel the client's channel.
     * @param inFlight      the requests in flight.
     * @param nodes         maps broker addresses to proxy addresses.
     * @param metrics       the proxy's meters.
     * @param policy        the connection's policy.
     * @param timers        the connection's timers.
     * @param log           says why the connection closes.
     * @param connection    the connection's state machine.
     * @param cutThrough    whether responses may stream.
     */
    ResponseForwarder(
        final Channel clientChannel,
        final InFlightRequests inFlight,
        final BrokerNodeRegistry nodes,
        final ProxyMetrics metrics,
        final ConnectionPolicy policy,
        final ConnectionTimers timers,
        final ConnectionLog log,
        final ClientConnectionStateMachine connection,
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
        this.stream = new ResponseStream(clientChannel, inFlight, nodes, metrics, policy, timers, log, connection, flyweights,
            cutThrough);
    }

    /**
     * Takes one broker response to the client.
     *
     * @param frame the response, size field first; ownership moves here unless {@link #HELD} is returned.
     * @return {@link #FORWARDED}, {@link #HELD} or {@link #FAILED}.
     */
    int forward(final ByteBuf frame)
    {
        final int messageLength = frame.readableBytes() - FrameDescriptor.MESSAGE_OFFSET;
        final UnsafeBuffer view;
        final ResponseHeaderFlyweight header;
        final int outcome;
        try
        {
            view = ByteBufViews.wrapReadable(flyweights.responseView(), frame);
            header = flyweights.responseHeader().wrap(view, FrameDescriptor.MESSAGE_OFFSET, messageLength);
            final int correlationId = header.correlationId();
            if (inFlight.isEmpty() || inFlight.headIsLocallyAnswered() || inFlight.headCorrelationId() != correlationId)
            {
                frame.release();
                log.onUnexpectedResponse(correlationId, inFlight.isEmpty() ? null : inFlight.headCorrelationId());
                connection.closeBoth();
                return FAILED;
            }
            final short apiKey = inFlight.headApiKey();
            final short apiVersion = inFlight.headApiVersion();
            // The body offset matters to the policy too (throttle field, amendments), so the header is always measured.
            header.headerVersion(ApiHeaderVersions.responseHeaderVersion(apiKey, apiVersion));
            if (ResponseRewriters.rewrites(apiKey, apiVersion))
            {
                outcome = flyweights.rewriters().rewrite(apiKey, apiVersion, view, header.bodyOffset(),
                    header.bodyLength(), nodes, flyweights.splice());
            }
            else
            {
                outcome = RewriteOutcome.UNCHANGED;
            }
        }
        catch (final FrameRejectedException | IllegalArgumentException e)
        {
            // IllegalArgumentException: a frame that is not contiguous cannot be viewed in place (the decoder passes
            // none on); released here, so the close does not leak it.
            frame.release();
            connection.onException(Side.BROKER, e);
            return FAILED;
        }
        final ByteBuf response;
        switch (outcome)
        {
            case RewriteOutcome.ENDPOINTS_PENDING:
                return HELD;
            case RewriteOutcome.ENDPOINTS_UNAVAILABLE:
                frame.release();
                log.onUnadvertisableResponse();
                connection.closeBoth();
                return FAILED;
            case RewriteOutcome.SPLICED:
                response = ResponseSplicer.splice(clientChannel.alloc(), frame, flyweights.splice());
                break;
            default:
                response = frame;
                break;
        }
        final long nowNanos = System.nanoTime();
        final ByteBuf answer;
        try
        {
            answer = policy.onResponse(response, inFlight.headApiKey(), inFlight.headApiVersion(),
                header.bodyOffset(), inFlight.headAmendment(), nowNanos);
        }
        catch (final RuntimeException e)
        {
            connection.onException(Side.BROKER, e);
            return FAILED;
        }
        writeToClient(answer);
        timers.pauseForThrottle(nowNanos);
        return FORWARDED;
    }

    /**
     * Decides, from a response's head, whether it streams to the client (see {@link ResponseStream#start}).
     *
     * @param head        the response's bytes read so far, size field first; read only.
     * @param frameLength the whole response's length, size field included.
     * @return true if it streams: its bytes come by {@link #streamBytes}, then {@link #endStream}.
     */
    boolean startStream(final ByteBuf head, final int frameLength)
    {
        return stream.start(head, frameLength);
    }

    /**
     * The next bytes of the streaming response.
     *
     * @param bytes a slice of a broker read; ownership moves here.
     */
    void streamBytes(final ByteBuf bytes)
    {
        stream.bytes(bytes);
    }

    /**
     * Whether the client channel's flush at the end of a broker read batch may wait (see
     * {@link ResponseStream#defersFlush}).
     *
     * @return true to skip this flush.
     */
    boolean defersFlush()
    {
        return stream.defersFlush();
    }

    /**
     * The streaming response ended: once what was held of it is sent, complete its request and send the proxy's own
     * answers that waited behind it.
     */
    void endStream()
    {
        final int frameLength = stream.end();
        if (frameLength < 0)
        {
            return;
        }
        // Its size and latency were counted at its head (ResponseStream.start).
        final long writeNanos = System.nanoTime();
        inFlight.removeHead(writeNanos);
        answerQueuedLocally(writeNanos);
        connection.onAnswered();
    }

    /**
     * Forgets the streaming response of a closing connection, releasing what was held of it.
     */
    void abandonStream()
    {
        stream.abandon();
    }

    /**
     * Sends held responses in order, until one must wait again.
     *
     * @param held the held responses, oldest first; a response that must wait again is put back first.
     * @return {@link #FORWARDED} once every one is sent, {@link #HELD} when one waits again, {@link #FAILED} when the
     *         connection closed.
     */
    int release(final ArrayDeque<ByteBuf> held)
    {
        ByteBuf frame;
        while ((frame = held.pollFirst()) != null)
        {
            final int result = forward(frame);
            if (result == HELD)
            {
                held.addFirst(frame);
                return HELD;
            }
            if (result == FAILED || !connection.isLinked())
            {
                return FAILED;
            }
        }
        return FORWARDED;
    }

    /**
     * Asks to be told, on the event loop, once every node listener starting now is bound.
     */
    void awaitListeners()
    {
        nodes.listenersReady().addListener(future -> clientChannel.eventLoop().execute(connection::onListenersReady));
    }

    /**
     * Sends an answer the proxy made itself, or keeps it in flight behind the broker answers still to come.
     *
     * @param correlationId the request's correlation id.
     * @param apiKey        the request's api key.
     * @param apiVersion    the request's version.
     * @param readNanos     when the request was read.
     * @param response      the answer; ownership moves here.
     */
    void answerLocally(
        final int correlationId, final short apiKey, final short apiVersion, final long readNanos, final ByteBuf response)
    {
        if (inFlight.isEmpty())
        {
            metrics.api(apiKey).onResponse(response.readableBytes(), System.nanoTime() - readNanos);
            clientChannel.write(response, clientChannel.voidPromise());
            clientFlushPending = true;
        }
        else
        {
            inFlight.addLocallyAnswered(correlationId, apiKey, apiVersion, readNanos, response);
        }
    }

    /**
     * Answers an ApiVersions request newer than the proxy reads with UNSUPPORTED_VERSION, the way a broker does, so the
     * client retries with a version both know.
     *
     * @param correlationId the request's correlation id.
     * @param apiVersion    the request's version.
     * @param readNanos     when the request was read.
     */
    void answerUnsupportedApiVersions(final int correlationId, final short apiVersion, final long readNanos)
    {
        final int length = ProxyApiVersions.unsupportedVersionResponseLength();
        final ByteBuf response = clientChannel.alloc().directBuffer(length, length);
        final UnsafeBuffer view = ByteBufViews.wrapReadable(new UnsafeBuffer(0, 0), response.writerIndex(length));
        ProxyApiVersions.writeUnsupportedVersionResponse(view, 0, correlationId);
        answerLocally(correlationId, ApiKeyIds.API_VERSIONS, apiVersion, readNanos, response);
    }

    /**
     * The cluster id this connection's responses present in place of the broker's (KIP-1242).
     *
     * @return the id, or null when the broker's own is kept.
     */
    String presentedClusterId()
    {
        return nodes.clusterId();
    }

    /**
     * Flushes the answers the proxy wrote itself during the client's read batch.
     */
    void flushLocalAnswers()
    {
        if (clientFlushPending)
        {
            clientFlushPending = false;
            clientChannel.flush();
        }
    }

    private void writeToClient(final ByteBuf response)
    {
        final long writeNanos = System.nanoTime();
        answerHead(response, writeNanos);
        answerQueuedLocally(writeNanos);
        connection.onAnswered();
    }

    private void answerQueuedLocally(final long writeNanos)
    {
        // Answers the proxy made itself wait behind the broker's; they go out in order right after it.
        while (!inFlight.isEmpty() && inFlight.headIsLocallyAnswered())
        {
            answerHead(inFlight.headLocalResponse(), writeNanos);
        }
    }

    private void answerHead(final ByteBuf response, final long writeNanos)
    {
        metrics.api(inFlight.headApiKey()).onResponse(response.readableBytes(), writeNanos - inFlight.headReadNanos());
        inFlight.removeHead(writeNanos);
        clientChannel.write(response, clientChannel.voidPromise());
    }
}

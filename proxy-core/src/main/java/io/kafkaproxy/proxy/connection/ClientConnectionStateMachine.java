package io.kafkaproxy.proxy.connection;

import io.kafkaproxy.protocol.wire.ApiHeaderVersions;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.protocol.wire.FrameDescriptor;
import io.kafkaproxy.protocol.wire.FrameRejectedException;
import io.kafkaproxy.protocol.responses.ProxyApiVersions;
import io.kafkaproxy.protocol.wire.RequestHeaderFlyweight;
import io.kafkaproxy.protocol.wire.ResponseHeaderFlyweight;
import io.kafkaproxy.protocol.responses.ResponseRewriters;
import io.kafkaproxy.protocol.responses.RewriteOutcome;
import io.kafkaproxy.proxy.codec.ByteBufViews;
import io.kafkaproxy.proxy.codec.ResponseSplicer;
import io.kafkaproxy.proxy.connection.ClientConnectionState.Accepted;
import io.kafkaproxy.proxy.connection.ClientConnectionState.Closed;
import io.kafkaproxy.proxy.connection.ClientConnectionState.Connecting;
import io.kafkaproxy.proxy.connection.ClientConnectionState.Forwarding;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.metrics.ProxyMetrics.Side;
import io.kafkaproxy.proxy.circuit.BrokerCircuitBreakers;
import io.kafkaproxy.proxy.policy.ConnectionPolicy;
import io.kafkaproxy.proxy.request.DecodedRequest;
import io.kafkaproxy.proxy.request.EventLoopFlyweights;
import io.kafkaproxy.proxy.request.RequestDecision;
import io.kafkaproxy.proxy.request.ResponseAmendment;
import io.kafkaproxy.proxy.routing.BrokerNodeRegistry;
import io.kafkaproxy.proxy.routing.BrokerTarget;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.concurrent.ScheduledFuture;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Owns every decision about one proxied connection: the client's channel and the broker channel made for it.
 *
 * <p>The Netty handlers on both channels are thin adapters; each callback becomes one {@code on*} call here.
 * See {@link ClientConnectionState} for the states. In {@code Forwarding}:
 * <ul>
 *   <li>a request is recorded in {@link InFlightRequests} (unless it is an acks=0 Produce, which gets no
 *       answer) and written to the broker as the same bytes, flushed when the client's read completes;</li>
 *   <li>a response must answer the oldest request in flight, or the connection is closed; responses that carry
 *       broker addresses are rewritten by splicing, all others are forwarded untouched;</li>
 *   <li>a response naming a node whose listener is still starting is held, with every response after it, and
 *       broker reads are paused until the listener is bound;</li>
 *   <li>when either side's write buffer fills, reads stop on the other side until it drains.</li>
 * </ul>
 * Failures take one path: count, log once at WARN, flush what the client was already sent, close both sides.
 *
 * <p>When the proxy stops, {@link #onDrain()} stops client reads; the connection closes as soon as every request
 * already read has been answered (the proxy closes whatever is left when its drain timeout ends).
 *
 * <p>The client and broker channels share one event loop, so all state here is plain fields: confined to that
 * event loop, never touched from another thread.
 */
public final class ClientConnectionStateMachine
{
    private static final Logger LOGGER = LoggerFactory.getLogger(ClientConnectionStateMachine.class);

    private static final int FORWARDED = 0;
    private static final int HELD = 1;
    private static final int FAILED = 2;

    private final Channel clientChannel;
    private final BrokerTarget target;
    private final BrokerConnector connector;
    private final BrokerNodeRegistry nodes;
    private final ProxyMetrics metrics;
    private final RequestHeaderFlyweight requestHeader;
    private final UnsafeBuffer requestView;
    private final EventLoopFlyweights flyweights;
    private final InFlightRequests inFlight = new InFlightRequests();
    private final ReadGate clientReads;
    private final ConnectionPolicy policy;
    private final BrokerCircuitBreakers breakers;
    private String brokerKey;
    private ScheduledFuture<?> throttleEnd;
    private ScheduledFuture<?> requestTimeoutCheck;
    private ClientConnectionState state = new Accepted();
    private Channel brokerChannel;
    private ReadGate brokerReads;
    private boolean brokerReadsPausedForMemory;
    private ArrayDeque<ByteBuf> heldResponses;
    private boolean awaitingListeners;
    private boolean clientFlushPending;
    private boolean draining;

    /**
     * Creates the state machine of a newly accepted client channel, whose auto-read must be off.
     *
     * @param clientChannel the accepted channel.
     * @param target        where its broker connection goes.
     * @param connector     opens the broker connection.
     * @param nodes         maps broker addresses to proxy addresses.
     * @param metrics       the proxy's meters.
     * @param requestHeader the header flyweight the request header decoder wraps for each request.
     * @param requestView   the view that flyweight reads.
     * @param policy        the connection's ACL and quota policy.
     * @param breakers      the circuit breakers of the broker nodes.
     */
    public ClientConnectionStateMachine(
        final Channel clientChannel,
        final BrokerTarget target,
        final BrokerConnector connector,
        final BrokerNodeRegistry nodes,
        final ProxyMetrics metrics,
        final RequestHeaderFlyweight requestHeader,
        final UnsafeBuffer requestView,
        final ConnectionPolicy policy,
        final BrokerCircuitBreakers breakers)
    {
        this.policy = policy;
        this.breakers = breakers;
        this.clientChannel = clientChannel;
        this.target = target;
        this.connector = connector;
        this.nodes = nodes;
        this.metrics = metrics;
        this.requestHeader = requestHeader;
        this.requestView = requestView;
        this.flyweights = EventLoopFlyweights.current();
        this.clientReads = new ReadGate(clientChannel, ReadGate.BROKER_CONNECTING);
    }

    ClientConnectionState state()
    {
        return state;
    }

    /**
     * The client connection is open: connect to the broker.
     */
    void onClientActive()
    {
        metrics.onConnectionOpened(Side.CLIENT);
        if (!policy.onConnected())
        {
            if (LOGGER.isDebugEnabled())
            {
                LOGGER.atDebug()
                    .addKeyValue("channelId", clientChannel.id().asShortText())
                    .addKeyValue("clientAddress", clientChannel.remoteAddress())
                    .log("client connection refused by a connection limit");
            }
            closeBoth();
            return;
        }
        connect(0);
    }

    /**
     * Memory is short for the client channel: pause its reads, or resume them (see {@code ChannelMemoryWait}).
     *
     * @param paused whether the client's reads wait for memory.
     */
    public void onClientMemoryWait(final boolean paused)
    {
        if (paused)
        {
            clientReads.close(ReadGate.MEMORY);
        }
        else
        {
            clientReads.open(ReadGate.MEMORY);
        }
    }

    /**
     * Memory is short for the broker channel: pause its reads, or resume them.
     *
     * @param paused whether the broker's reads wait for memory.
     */
    public void onBrokerMemoryWait(final boolean paused)
    {
        if (brokerReads == null)
        {
            brokerReadsPausedForMemory = paused;
            return;
        }
        if (paused)
        {
            brokerReads.close(ReadGate.MEMORY);
        }
        else
        {
            brokerReads.open(ReadGate.MEMORY);
        }
    }

    private void connect(final int attempt)
    {
        final InetSocketAddress brokerAddress = target.brokerAddress(attempt);
        if (brokerAddress == null)
        {
            LOGGER.atWarn()
                .addKeyValue("channelId", clientChannel.id().asShortText())
                .addKeyValue("clientAddress", clientChannel.remoteAddress())
                .addKeyValue("route", target.route())
                .log("no broker reachable for client connection; closing it so the client re-bootstraps");
            closeBoth();
            return;
        }
        final String key = brokerAddress.getHostString() + ":" + brokerAddress.getPort();
        if (!breakers.allowConnect(key, System.nanoTime()))
        {
            // The node's circuit is open: fail fast so the client refreshes its metadata instead of waiting.
            if (LOGGER.isDebugEnabled())
            {
                LOGGER.atDebug()
                    .addKeyValue("channelId", clientChannel.id().asShortText())
                    .addKeyValue("brokerAddress", key)
                    .log("broker circuit open; not connecting");
            }
            connect(attempt + 1);
            return;
        }
        brokerKey = key;
        state = new Connecting(attempt, brokerAddress);
        connector.connect(clientChannel.eventLoop(), brokerAddress, this)
            .addListener((ChannelFutureListener)future -> onBrokerConnectComplete(future, attempt, brokerAddress));
    }

    private void onBrokerConnectComplete(final ChannelFuture future, final int attempt, final InetSocketAddress brokerAddress)
    {
        if (!(state instanceof Connecting))
        {
            // The client left while we were connecting.
            future.channel().close();
            return;
        }
        if (!future.isSuccess())
        {
            breakers.onFailure(brokerKey, System.nanoTime());
            metrics.onBrokerConnectFailed();
            withCause(LOGGER.atWarn(), future.cause())
                .addKeyValue("channelId", clientChannel.id().asShortText())
                .addKeyValue("brokerAddress", brokerAddress.getHostString() + ":" + brokerAddress.getPort())
                .addKeyValue("route", target.route())
                .addKeyValue("error", String.valueOf(future.cause()))
                .log("broker connection failed");
            connect(attempt + 1);
            return;
        }
        breakers.onConnectSuccess(brokerKey);
        brokerChannel = future.channel();
        brokerReads = new ReadGate(brokerChannel, 0);
        if (brokerReadsPausedForMemory)
        {
            brokerReads.close(ReadGate.MEMORY);
        }
        state = new Forwarding(brokerChannel);
        metrics.onConnectionOpened(Side.BROKER);
        if (LOGGER.isDebugEnabled())
        {
            LOGGER.atDebug()
                .addKeyValue("channelId", clientChannel.id().asShortText())
                .addKeyValue("clientAddress", clientChannel.remoteAddress())
                .addKeyValue("brokerAddress", brokerChannel.remoteAddress())
                .addKeyValue("route", target.route())
                .log("client connection forwarded");
        }
        clientReads.open(ReadGate.BROKER_CONNECTING);
    }

    /**
     * A request frame arrived from the client, its header already wrapped in the request header flyweight.
     *
     * @param frame the request, size field first; ownership moves here.
     */
    void onClientRequest(final ByteBuf frame)
    {
        if (!(state instanceof Forwarding))
        {
            frame.release();
            return;
        }
        final long readNanos = System.nanoTime();
        final short apiKey = requestHeader.apiKey();
        final short apiVersion = requestHeader.apiVersion();
        final int correlationId = requestHeader.correlationId();
        metrics.api(apiKey).onRequest(frame.readableBytes());
        if (apiKey == ApiKeyIds.API_VERSIONS && apiVersion > ProxyApiVersions.highestDecodedVersion(ApiKeyIds.API_VERSIONS))
        {
            frame.release();
            answerLocally(correlationId, apiKey, apiVersion, readNanos, unsupportedApiVersionsResponse(correlationId));
            return;
        }
        final DecodedRequest decoded = flyweights.request().wrap(frame, requestHeader, requestView, readNanos);
        final RequestDecision decision;
        final boolean answered;
        try
        {
            // Read before the policy runs: a replaced request's original, which the view points at, is released.
            answered = decoded.expectsResponse();
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
                answerLocally(correlationId, apiKey, apiVersion, readNanos, decision.frame());
                pauseForThrottle(readNanos);
                return;
            case RequestDecision.DROP:
                frame.release();
                pauseForThrottle(readNanos);
                return;
            default:
                frame.release();
                onConnectionRejected();
                return;
        }
        if (answered)
        {
            final ResponseAmendment amendment = decision.amendment();
            if (amendment == null)
            {
                inFlight.addBrokerAnswered(correlationId, apiKey, apiVersion, readNanos);
            }
            else
            {
                inFlight.addBrokerAnswered(correlationId, apiKey, apiVersion, readNanos, amendment);
            }
            watchRequestTimeout();
        }
        brokerChannel.write(request, brokerChannel.voidPromise());
        pauseForThrottle(readNanos);
    }

    private void pauseForThrottle(final long nowNanos)
    {
        final long throttleNanos = policy.throttleRemainingNanos(nowNanos);
        if (throttleNanos <= 0 || clientReads.isClosedBy(ReadGate.THROTTLED))
        {
            return;
        }
        // Kafka's way (KIP-219): the response says how long to wait, and the proxy reads nothing more until then.
        clientReads.close(ReadGate.THROTTLED);
        throttleEnd = clientChannel.eventLoop().schedule(this::onThrottleEnd, throttleNanos, TimeUnit.NANOSECONDS);
    }

    private void onThrottleEnd()
    {
        throttleEnd = null;
        final long remaining = policy.throttleRemainingNanos(System.nanoTime());
        if (remaining > 0)
        {
            // A response charged more since the pause began.
            throttleEnd = clientChannel.eventLoop().schedule(this::onThrottleEnd, remaining, TimeUnit.NANOSECONDS);
            return;
        }
        clientReads.open(ReadGate.THROTTLED);
    }

    private void watchRequestTimeout()
    {
        if (requestTimeoutCheck != null || !breakers.enabled())
        {
            return;
        }
        requestTimeoutCheck = clientChannel.eventLoop().schedule(
            this::onRequestTimeoutCheck, breakers.requestTimeoutNanos(), TimeUnit.NANOSECONDS);
    }

    private void onRequestTimeoutCheck()
    {
        requestTimeoutCheck = null;
        if (!(state instanceof Forwarding) || inFlight.isEmpty())
        {
            return;
        }
        final long waited = System.nanoTime() - inFlight.headReadNanos();
        final long timeout = breakers.requestTimeoutNanos();
        // JoinGroup and SyncGroup wait for the group's rebalance (up to the client's rebalance timeout, minutes):
        // a broker holding them is working, not failing.
        final short headApiKey = inFlight.headApiKey();
        final boolean waitsForRebalance = headApiKey == ApiKeyIds.JOIN_GROUP || headApiKey == ApiKeyIds.SYNC_GROUP;
        if (inFlight.headIsLocallyAnswered() || waitsForRebalance || waited < timeout)
        {
            requestTimeoutCheck = clientChannel.eventLoop().schedule(
                this::onRequestTimeoutCheck, Math.max(timeout - waited, 1_000_000), TimeUnit.NANOSECONDS);
            return;
        }
        breakers.onFailure(brokerKey, System.nanoTime());
        metrics.onConnectionError(Side.BROKER);
        LOGGER.atWarn()
            .addKeyValue("channelId", clientChannel.id().asShortText())
            .addKeyValue("brokerAddress", brokerKey)
            .addKeyValue("route", target.route())
            .addKeyValue("apiKey", inFlight.headApiKey())
            .addKeyValue("clientCorrelationId", inFlight.headCorrelationId())
            .log("broker left a request unanswered past the request timeout; closing the connection");
        closeBoth();
    }

    private void onConnectionRejected()
    {
        if (LOGGER.isDebugEnabled())
        {
            LOGGER.atDebug()
                .addKeyValue("channelId", clientChannel.id().asShortText())
                .addKeyValue("clientAddress", clientChannel.remoteAddress())
                .addKeyValue("principal", policy.principal())
                .log("client connection refused by its principal's connection limit");
        }
        closeBoth();
    }

    private ByteBuf unsupportedApiVersionsResponse(final int correlationId)
    {
        final int length = ProxyApiVersions.unsupportedVersionResponseLength();
        final ByteBuf response = clientChannel.alloc().directBuffer(length, length);
        final UnsafeBuffer view = ByteBufViews.wrapReadable(new UnsafeBuffer(0, 0), response.writerIndex(length));
        ProxyApiVersions.writeUnsupportedVersionResponse(view, 0, correlationId);
        return response;
    }

    private void answerLocally(
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
     * The client's read batch ended: flush what it sent to the broker.
     */
    void onClientReadComplete()
    {
        if (brokerChannel != null)
        {
            brokerChannel.flush();
        }
        if (clientFlushPending)
        {
            clientFlushPending = false;
            clientChannel.flush();
        }
    }

    /**
     * A response frame arrived from the broker.
     *
     * @param frame the response, size field first; ownership moves here.
     */
    void onBrokerResponse(final ByteBuf frame)
    {
        if (!(state instanceof Forwarding))
        {
            frame.release();
            return;
        }
        if (heldResponses != null && !heldResponses.isEmpty())
        {
            heldResponses.addLast(frame);
            return;
        }
        if (forwardResponse(frame) == HELD)
        {
            if (heldResponses == null)
            {
                heldResponses = new ArrayDeque<>(4);
            }
            heldResponses.addLast(frame);
            awaitListeners();
        }
    }

    private int forwardResponse(final ByteBuf frame)
    {
        final int messageLength = frame.readableBytes() - FrameDescriptor.MESSAGE_OFFSET;
        final UnsafeBuffer view = ByteBufViews.wrapReadable(flyweights.responseView(), frame);
        final ResponseHeaderFlyweight header;
        final int outcome;
        try
        {
            header = flyweights.responseHeader().wrap(view, FrameDescriptor.MESSAGE_OFFSET, messageLength);
            final int correlationId = header.correlationId();
            if (inFlight.isEmpty() || inFlight.headIsLocallyAnswered() || inFlight.headCorrelationId() != correlationId)
            {
                frame.release();
                onUnexpectedResponse(correlationId);
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
        catch (final FrameRejectedException e)
        {
            frame.release();
            onBrokerException(e);
            return FAILED;
        }
        final ByteBuf response;
        switch (outcome)
        {
            case RewriteOutcome.ENDPOINTS_PENDING:
                return HELD;
            case RewriteOutcome.ENDPOINTS_UNAVAILABLE:
                frame.release();
                onUnadvertisableResponse();
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
            onBrokerException(e);
            return FAILED;
        }
        writeToClient(answer);
        pauseForThrottle(nowNanos);
        return FORWARDED;
    }

    private void writeToClient(final ByteBuf response)
    {
        final long writeNanos = System.nanoTime();
        answerHead(response, writeNanos);
        // Answers the proxy made itself wait behind the broker's; they go out in order right after it.
        while (!inFlight.isEmpty() && inFlight.headIsLocallyAnswered())
        {
            answerHead(inFlight.headLocalResponse(), writeNanos);
        }
        if (draining && inFlight.isEmpty())
        {
            closeBoth();
        }
    }

    private void answerHead(final ByteBuf response, final long writeNanos)
    {
        metrics.api(inFlight.headApiKey()).onResponse(response.readableBytes(), writeNanos - inFlight.headReadNanos());
        inFlight.removeHead();
        clientChannel.write(response, clientChannel.voidPromise());
    }

    /**
     * The proxy is stopping: read no more requests, and close once every request read has its answer.
     */
    void onDrain()
    {
        if (state instanceof Closed)
        {
            return;
        }
        draining = true;
        clientReads.close(ReadGate.DRAINING);
        if (!(state instanceof Forwarding) || inFlight.isEmpty())
        {
            closeBoth();
        }
    }

    private void awaitListeners()
    {
        if (awaitingListeners)
        {
            return;
        }
        awaitingListeners = true;
        brokerReads.close(ReadGate.ENDPOINTS_PENDING);
        nodes.listenersReady().addListener(future -> clientChannel.eventLoop().execute(this::onListenersReady));
    }

    private void onListenersReady()
    {
        awaitingListeners = false;
        if (!(state instanceof Forwarding))
        {
            return;
        }
        ByteBuf frame;
        while ((frame = heldResponses.pollFirst()) != null)
        {
            final int result = forwardResponse(frame);
            if (result == HELD)
            {
                heldResponses.addFirst(frame);
                awaitListeners();
                clientChannel.flush();
                return;
            }
            if (result == FAILED)
            {
                return;
            }
        }
        brokerReads.open(ReadGate.ENDPOINTS_PENDING);
        clientChannel.flush();
    }

    /**
     * The broker's read batch ended: flush what it sent to the client.
     */
    void onBrokerReadComplete()
    {
        clientChannel.flush();
    }

    /**
     * The client channel's writability changed: pause or resume broker reads.
     */
    void onClientWritabilityChanged()
    {
        if (brokerReads == null)
        {
            return;
        }
        if (clientChannel.isWritable())
        {
            brokerReads.open(ReadGate.CLIENT_BACKLOG);
        }
        else
        {
            brokerReads.close(ReadGate.CLIENT_BACKLOG);
        }
    }

    /**
     * The broker channel's writability changed: pause or resume client reads.
     */
    void onBrokerWritabilityChanged()
    {
        if (brokerChannel.isWritable())
        {
            clientReads.open(ReadGate.BROKER_BACKLOG);
        }
        else
        {
            clientReads.close(ReadGate.BROKER_BACKLOG);
        }
    }

    /**
     * The client connection closed.
     */
    void onClientInactive()
    {
        metrics.onConnectionClosed(Side.CLIENT);
        if (!(state instanceof Closed) && LOGGER.isDebugEnabled())
        {
            LOGGER.atDebug()
                .addKeyValue("channelId", clientChannel.id().asShortText())
                .addKeyValue("clientAddress", clientChannel.remoteAddress())
                .addKeyValue("route", target.route())
                .log("client closed its connection");
        }
        closeBoth();
    }

    /**
     * The broker connection closed: close the client's too, so that it reconnects and refreshes its metadata.
     */
    void onBrokerInactive()
    {
        if (brokerChannel == null)
        {
            // A connection that completed after the client had gone; it was never counted or used.
            return;
        }
        metrics.onConnectionClosed(Side.BROKER);
        if (!(state instanceof Closed) && LOGGER.isDebugEnabled())
        {
            LOGGER.atDebug()
                .addKeyValue("channelId", clientChannel.id().asShortText())
                .addKeyValue("brokerAddress", brokerChannel.remoteAddress())
                .addKeyValue("route", target.route())
                .log("broker closed its connection");
        }
        closeBoth();
    }

    /**
     * The client connection was idle too long.
     */
    void onClientIdle()
    {
        if (!inFlight.isEmpty())
        {
            // Waiting on the broker is not idleness: a request read long ago still has its answer to come.
            return;
        }
        if (LOGGER.isDebugEnabled())
        {
            LOGGER.atDebug()
                .addKeyValue("channelId", clientChannel.id().asShortText())
                .addKeyValue("clientAddress", clientChannel.remoteAddress())
                .log("closing idle client connection");
        }
        closeBoth();
    }

    /**
     * Something failed on the client side: a rejected frame, a reset, a bug.
     *
     * @param cause what failed.
     */
    void onClientException(final Throwable cause)
    {
        onException(Side.CLIENT, cause);
    }

    /**
     * Something failed on the broker side.
     *
     * @param cause what failed.
     */
    void onBrokerException(final Throwable cause)
    {
        onException(Side.BROKER, cause);
    }

    private void onException(final Side side, final Throwable cause)
    {
        if (state instanceof Closed)
        {
            LOGGER.atDebug().setCause(cause).addKeyValue("channelId", clientChannel.id().asShortText())
                .log("error after the connection closed");
            return;
        }
        final String message;
        if (cause instanceof FrameRejectedException)
        {
            metrics.onFrameRejected(side, ((FrameRejectedException)cause).reason());
            message = side == Side.CLIENT ? "client sent a frame that is not Kafka; closing the connection" :
                "broker sent a frame that is not Kafka; closing the connection";
        }
        else
        {
            metrics.onConnectionError(side);
            message = side == Side.CLIENT ? "client connection failed" : "broker connection failed";
        }
        // A client resetting its socket is the client's business; a broker doing so is the proxy's.
        final LoggingEventBuilder event = side == Side.CLIENT && cause instanceof IOException ?
            LOGGER.atDebug() : withCause(LOGGER.atWarn(), cause);
        event.addKeyValue("channelId", clientChannel.id().asShortText())
            .addKeyValue("clientAddress", clientChannel.remoteAddress())
            .addKeyValue("brokerAddress", brokerChannel == null ? null : brokerChannel.remoteAddress())
            .addKeyValue("route", target.route())
            .addKeyValue("error", String.valueOf(cause))
            .log(message);
        closeBoth();
    }

    private void onUnexpectedResponse(final int correlationId)
    {
        metrics.onConnectionError(Side.BROKER);
        LOGGER.atWarn()
            .addKeyValue("channelId", clientChannel.id().asShortText())
            .addKeyValue("brokerAddress", brokerChannel.remoteAddress())
            .addKeyValue("route", target.route())
            .addKeyValue("brokerCorrelationId", correlationId)
            .addKeyValue("clientCorrelationId", inFlight.isEmpty() ? null : inFlight.headCorrelationId())
            .log("broker answered a request that is not the oldest in flight; closing the connection");
        closeBoth();
    }

    private void onUnadvertisableResponse()
    {
        metrics.onConnectionError(Side.BROKER);
        LOGGER.atWarn()
            .addKeyValue("channelId", clientChannel.id().asShortText())
            .addKeyValue("route", target.route())
            .log("response names a broker node that has no proxy listener; closing the connection rather than " +
                "reveal the broker's address");
        closeBoth();
    }

    private void closeBoth()
    {
        if (state instanceof Closed)
        {
            return;
        }
        state = new Closed();
        policy.onClosed();
        if (throttleEnd != null)
        {
            throttleEnd.cancel(false);
        }
        if (requestTimeoutCheck != null)
        {
            requestTimeoutCheck.cancel(false);
        }
        if (!inFlight.isEmpty())
        {
            metrics.onRequestsUnanswered(inFlight.size());
        }
        inFlight.clear();
        if (heldResponses != null)
        {
            ByteBuf frame;
            while ((frame = heldResponses.pollFirst()) != null)
            {
                frame.release();
            }
        }
        if (brokerChannel != null)
        {
            brokerChannel.close();
        }
        // Responses already written reach the client before the close.
        clientChannel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    private static LoggingEventBuilder withCause(final LoggingEventBuilder event, final Throwable cause)
    {
        // Stack traces only when someone is debugging; the error key carries the message either way.
        return LOGGER.isDebugEnabled() ? event.setCause(cause) : event;
    }
}

package io.kafkaproxy.proxy.connection;

import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.protocol.wire.RequestHeaderFlyweight;
import io.kafkaproxy.proxy.circuit.BrokerCircuit;
import io.kafkaproxy.proxy.circuit.BrokerCircuitBreakers;
import io.kafkaproxy.proxy.cluster.BrokerLoginCredentials;
import io.kafkaproxy.proxy.connection.ClientConnectionState.Accepted;
import io.kafkaproxy.proxy.connection.ClientConnectionState.Authenticating;
import io.kafkaproxy.proxy.connection.ClientConnectionState.Closed;
import io.kafkaproxy.proxy.connection.ClientConnectionState.Connecting;
import io.kafkaproxy.proxy.connection.ClientConnectionState.Draining;
import io.kafkaproxy.proxy.connection.ClientConnectionState.Forwarding;
import io.kafkaproxy.proxy.connection.ClientConnectionState.Holding;
import io.kafkaproxy.proxy.connection.ClientConnectionState.Linked;
import io.kafkaproxy.proxy.connection.ClientConnectionState.LoggingIn;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.mirror.MirrorTap;
import io.kafkaproxy.proxy.metrics.ProxyMetrics.Side;
import io.kafkaproxy.proxy.policy.ConnectionPolicy;
import io.kafkaproxy.proxy.routing.BrokerNodeRegistry;
import io.kafkaproxy.proxy.routing.BrokerTarget;
import io.kafkaproxy.proxy.tls.BrokerTlsHandshakeFailures;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;

/**
 * Owns the states of one proxied connection (the client's channel and the broker link made for it) and every
 * transition between them, closing included.
 *
 * <pre>
 *   Accepted --first request frame whole--> Connecting(0) --connect failed or circuit open, next address--> Connecting(n+1)
 *                                   |                                     \--no address left--> Closed
 *                                   \--connected, first requests forwarded--> Forwarding(broker)
 *                                   \--connected, upstream.sasl--> LoggingIn(broker) --broker accepted the proxy's login--> as connected
 *                                                 LoggingIn --broker refused it, or no answer in time--> Closed
 *                                   \--connected (and logged in), the listener terminates SASL--> Authenticating(broker)
 *                                                 Authenticating --client's login done--> Forwarding
 *
 *   Forwarding --a response names a node whose listener is starting--> Holding(broker, held, resume=Forwarding)
 *   Holding --listeners bound, every held response sent--> resume
 *   Forwarding --drain, requests in flight--> Draining(broker) --last answer sent--> Closed
 *   Holding --drain--> Holding(broker, held, resume=Draining)
 *   Authenticating --drain, requests in flight--> Draining(broker)
 *   any --either side closed or failed, connection limit, drain with nothing in flight--> Closed
 * </pre>
 *
 * <p>The broker connection waits for the client's first whole request frame: a client that connects and sends
 * nothing, or only part of a frame, costs the broker nothing (the idle timeout closes it). The client's reads stop
 * while the broker connection is made; the frames read so far wait in {@link Connecting} and go first once it is.
 *
 * <p>On a listener that terminates SASL ({@link SaslTermination}), the broker connection is made as usual, and the
 * connection then waits in {@link Authenticating} for the client's login: SaslHandshake and SaslAuthenticate are
 * answered by the proxy, ApiVersions goes to the broker, anything else closes the connection. Once logged in, it
 * forwards; a later SaslHandshake re-authenticates (KIP-368) and is answered by the proxy too.
 *
 * <p>The Netty handlers on both channels are thin adapters; each callback becomes one {@code on*} call here, and the
 * connection's parts do the work: {@link BrokerConnectAttempts} (addresses in turn, circuit breakers),
 * {@link RequestForwarder} (decode once, policy, in flight, write to the {@link BrokerLink}), {@link ResponseForwarder}
 * (match, rewrite, policy, write to the client in request order; or, for a response not whole in one read, stream it
 * as its reads arrive: {@link #onBrokerResponseHead}), {@link RequestStream} (a request not whole in one read streams
 * to the broker as its reads arrive: {@link #onClientRequestHead}), {@link ConnectionTimers} (throttle pause, request
 * timeout), {@link ConnectionBackPressure} (writability and memory waits) and {@link ConnectionLog}. Failures take one
 * path: count, log once at WARN, flush what the client was already sent, close both sides. When the proxy stops,
 * {@link #onDrain()} stops client reads, and the connection closes once every request read has its answer (the proxy
 * closes whatever is left when its drain timeout ends).
 *
 * <p>The client and broker channels share one event loop, so all state here is plain fields: confined to that
 * event loop, never touched from another thread.
 *
 * <p>About 750 lines on purpose: every transition of the diagram above is here and nowhere else (one {@code on*}
 * entry point per event, each checking the state it may act in); the work done in each state lives in the parts
 * named above, which hold no state of the connection's own.
 */
public final class ClientConnectionStateMachine
{
    private final Channel clientChannel;
    private final BrokerTarget target;
    private final ProxyMetrics metrics;
    private final InFlightRequests inFlight = new InFlightRequests();
    private final ReadGate clientReads;
    private final ConnectionPolicy policy;
    private final BrokerCircuitBreakers breakers;
    private final BrokerConnectAttempts connectAttempts;
    private final ConnectionTimers timers;
    private final ResponseForwarder forwarder;
    private final RequestForwarder requests;
    private final RequestStream requestStream;
    private final ConnectionLog log;
    private final ConnectionBackPressure backPressure;
    private final SaslTermination sasl;
    private ClientConnectionState state = new Accepted();
    private BrokerLink broker;
    private BrokerCircuit brokerCircuit;

    /**
     * Creates the state machine of a newly accepted client channel.
     *
     * @param clientChannel the accepted channel.
     * @param target        where its broker connection goes.
     * @param connector     opens the broker connection.
     * @param nodes         maps broker addresses to proxy addresses.
     * @param metrics       the proxy's meters.
     * @param requestHeader the header flyweight the request header decoder wraps for each request.
     * @param requestView   the view that flyweight reads.
     * @param policy        the connection's ACL and quota policy; built with the setup's principal when terminating.
     * @param breakers      the circuit breakers of the broker nodes.
     * @param logLimits     the proxy's WARN-line budgets.
     * @param sasl          what the proxy checks the client's SASL logins with, or null to pass SASL through.
     * @param mirror        where Produce requests are offered once forwarded; {@link MirrorTap#NONE} without a mirror.
     * @param cutThrough    whether broker responses may stream to the client, and client requests to the broker, as
     *                      they arrive.
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
        final BrokerCircuitBreakers breakers,
        final ConnectionLogLimits logLimits,
        final SaslTerminationSetup sasl,
        final MirrorTap mirror,
        final boolean cutThrough)
    {
        this.policy = policy;
        this.breakers = breakers;
        this.clientChannel = clientChannel;
        this.target = target;
        this.metrics = metrics;
        this.clientReads = new ReadGate(clientChannel, ReadGate.NOT_ACTIVE);
        this.log = new ConnectionLog(clientChannel, target, metrics, logLimits);
        this.connectAttempts = new BrokerConnectAttempts(clientChannel, target, connector, breakers, metrics, log, this);
        this.timers = new ConnectionTimers(clientChannel, clientReads, policy, breakers, inFlight, this);
        this.backPressure = new ConnectionBackPressure(clientChannel, clientReads);
        this.forwarder = new ResponseForwarder(clientChannel, inFlight, nodes, metrics, policy, timers, log, this, cutThrough);
        this.requests = new RequestForwarder(requestHeader, requestView, inFlight, metrics, policy, timers, forwarder, mirror);
        this.requestStream = new RequestStream(requestHeader, requestView, inFlight, metrics, policy, timers, mirror, cutThrough);
        this.sasl = sasl == null ? null
            : new SaslTermination(clientChannel, sasl, requestHeader, requestView, forwarder, clientReads, timers, metrics, log, this);
    }

    ClientConnectionState state()
    {
        return state;
    }

    /**
     * The client connection is open: read its first request.
     */
    void onClientActive()
    {
        metrics.onConnectionOpened(Side.CLIENT);
        if (!policy.onConnected())
        {
            log.onRefusedByAddressLimit();
            closeBoth();
            return;
        }
        clientReads.open(ReadGate.NOT_ACTIVE);
    }

    /** The client's first request frame is whole: keep it, stop reading, and connect to the broker. */
    private void onFirstRequest(final ByteBuf frame)
    {
        final ArrayDeque<ByteBuf> requests = new ArrayDeque<>(4);
        requests.addLast(frame);
        clientReads.close(ReadGate.BROKER_CONNECTING);
        state = new Connecting(0, null, requests);
        connectAttempts.connect(0);
    }

    /**
     * Memory is short for the client channel: pause its reads, or resume them (see {@code ChannelMemoryWait}).
     *
     * @param paused whether the client's reads wait for memory.
     */
    public void onClientMemoryWait(final boolean paused)
    {
        backPressure.onClientMemoryWait(paused);
    }

    /**
     * Memory is short for the broker channel: pause its reads, or resume them.
     *
     * @param paused whether the broker's reads wait for memory.
     */
    public void onBrokerMemoryWait(final boolean paused)
    {
        backPressure.onBrokerMemoryWait(paused);
    }

    /** An attempt starts connecting to an address. */
    void onBrokerConnecting(final int attempt, final InetSocketAddress brokerAddress)
    {
        state = new Connecting(attempt, brokerAddress, ((Connecting)state).requests());
    }

    /** Whether a connect attempt is still wanted. */
    boolean isConnecting()
    {
        return state instanceof Connecting;
    }

    /** Whether the connection has a broker link and is not closed. */
    boolean isLinked()
    {
        return state instanceof Linked;
    }

    /**
     * The broker link is made (and TLS handshaken): log in to the broker with the proxy's own credentials where the
     * cluster has them, else forward the requests read while connecting, then read on.
     */
    void onBrokerConnected(final BrokerLink link)
    {
        final ArrayDeque<ByteBuf> firstRequests = ((Connecting)state).requests();
        broker = link;
        brokerCircuit = breakers.circuitOf(connectAttempts.brokerKey());
        backPressure.onBrokerLinked(link);
        metrics.onConnectionOpened(Side.BROKER);
        final BrokerLoginCredentials credentials = connectAttempts.loginCredentials();
        if (credentials != null)
        {
            final BrokerSaslLogin login = new BrokerSaslLogin(frame ->
            {
                link.write(frame);
                link.flush();
            }, credentials, connectAttempts.brokerKey());
            state = new LoggingIn(link, firstRequests, login);
            timers.watchBrokerLogin(connectAttempts.loginTimeoutMillis());
            login.start();
            return;
        }
        startForwarding(link, firstRequests);
    }

    /** A response to the proxy's own login arrived: go on, start forwarding, or close. */
    private void onBrokerLoginResponse(final LoggingIn loggingIn, final ByteBuf frame)
    {
        final int outcome = loggingIn.login().onResponse(frame);
        if (outcome == BrokerSaslLogin.DONE)
        {
            timers.cancelBrokerLogin();
            startForwarding(loggingIn.broker(), loggingIn.requests());
        }
        else if (outcome == BrokerSaslLogin.FAILED)
        {
            // Not a failure of the broker's health: the circuit is left alone (see ConnectionLog).
            log.onBrokerLoginFailed(connectAttempts.brokerKey(), loggingIn.login().username(), loggingIn.login().failure());
            closeBoth();
        }
    }

    /** The broker left the proxy's own login unanswered past the connect timeout: it is failing, as a connect would. */
    void onBrokerLoginTimedOut()
    {
        if (!(state instanceof LoggingIn))
        {
            return;
        }
        breakers.onFailure(connectAttempts.brokerKey(), System.nanoTime());
        log.onBrokerLoginTimedOut(connectAttempts.brokerKey(), ((LoggingIn)state).login().username());
        closeBoth();
    }

    /** The broker link is ready: forward the requests read while connecting, then read on. */
    private void startForwarding(final BrokerLink link, final ArrayDeque<ByteBuf> firstRequests)
    {
        // A connection a routing listener logged in before handing it on forwards at once.
        final boolean loggedIn = sasl == null || sasl.isLoggedIn();
        state = loggedIn ? new Forwarding(link) : new Authenticating(link);
        if (loggedIn)
        {
            log.onForwarded(link);
        }
        ByteBuf frame;
        while ((frame = firstRequests.pollFirst()) != null)
        {
            if (state instanceof Forwarding || state instanceof Authenticating)
            {
                forwardFirstRequest(frame);
            }
            else
            {
                frame.release();
            }
        }
        if (state instanceof Forwarding || state instanceof Authenticating)
        {
            onClientReadComplete();
            clientReads.open(ReadGate.BROKER_CONNECTING);
        }
    }

    private void forwardFirstRequest(final ByteBuf frame)
    {
        try
        {
            if (sasl != null)
            {
                requests.wrapHeader(frame);
                onRequestWithSasl(frame);
            }
            else if (!requests.forwardRead(frame, broker))
            {
                log.onRefusedByPrincipalLimit(policy.principal());
                closeBoth();
            }
        }
        catch (final RuntimeException e)
        {
            // Out of the client's read callback (the connect may complete later), so the pipeline cannot route it.
            onException(Side.CLIENT, e);
        }
    }

    /**
     * A request frame arrived from the client, its header already wrapped in the request header flyweight.
     *
     * @param frame the request, size field first; ownership moves here.
     */
    void onClientRequest(final ByteBuf frame)
    {
        if (state instanceof Accepted)
        {
            onFirstRequest(frame);
            return;
        }
        if (state instanceof Connecting)
        {
            // The rest of the first read: reads are off, so nothing more comes until the broker is connected.
            ((Connecting)state).requests().addLast(frame);
            return;
        }
        if (!(state instanceof Forwarding || state instanceof Holding || state instanceof Draining || state instanceof Authenticating))
        {
            frame.release();
            return;
        }
        if (sasl != null)
        {
            onRequestWithSasl(frame);
        }
        else if (!requests.forward(frame, broker))
        {
            log.onRefusedByPrincipalLimit(policy.principal());
            closeBoth();
        }
    }

    /**
     * A request frame not whole in its first read has its head in: decide whether it streams to the broker. Only while
     * forwarding (linked, nothing queued for the broker connection, no login under way, nothing held), and on a
     * listener that terminates SASL only what its login would forward unread.
     *
     * @param head        the frame's bytes so far, size field first; read only.
     * @param frameLength the frame's length.
     * @return true if the frame streams (or, rejected at its head, is dropped with its closing connection).
     */
    boolean onClientRequestHead(final ByteBuf head, final int frameLength)
    {
        if (!(state instanceof Forwarding) || clientReads.isClosedBy(ReadGate.THROTTLED)
            || sasl != null && !sasl.forwardsUnread(ApiKeyIds.PRODUCE, System.nanoTime()))
        {
            // Throttled by a request earlier in the same read: this one would stop halfway until the throttle ends.
            return false;
        }
        final int outcome;
        try
        {
            outcome = requestStream.start(head, frameLength, broker);
        }
        catch (final RuntimeException e)
        {
            // A policy stage failed on the head: the connection closes. The frame counts as streamed so that the
            // decoder drops its bytes as they come instead of reading the body as frames until the close completes.
            onException(Side.CLIENT, e);
            return true;
        }
        if (outcome == RequestStream.REJECTED)
        {
            log.onRefusedByPrincipalLimit(policy.principal());
            closeBoth();
            return true;
        }
        return outcome == RequestStream.STREAMED;
    }

    /**
     * The next bytes of a streaming request.
     *
     * @param bytes a slice of a client read; ownership moves here.
     */
    void onClientRequestBytes(final ByteBuf bytes)
    {
        requestStream.bytes(bytes);
    }

    /** A streaming request's last byte went by: a connection that began draining meanwhile stops reading now. */
    void onClientRequestEnd()
    {
        requestStream.end();
        if (isDraining())
        {
            clientReads.close(ReadGate.DRAINING);
            if (inFlight.isEmpty())
            {
                // An acks=0 request (no answer to wait for) was the last: its tail goes to the broker before the close.
                broker.flush();
                closeBoth();
            }
        }
    }

    /**
     * Whether a client request is streaming to the broker (from its head to its last byte).
     *
     * @return true while one is.
     */
    boolean isRequestStreaming()
    {
        return requestStream.isStreaming();
    }

    private boolean isDraining()
    {
        return state instanceof Draining || state instanceof Holding && ((Holding)state).resume() instanceof Draining;
    }

    /** A request on a listener that terminates SASL, its header wrapped: answered here, forwarded, or closing. */
    private void onRequestWithSasl(final ByteBuf frame)
    {
        final int decision;
        try
        {
            decision = sasl.onRequest(frame, System.nanoTime());
        }
        catch (final RuntimeException e)
        {
            frame.release();
            throw e;
        }
        if (decision == SaslTermination.FORWARD)
        {
            if (!requests.forward(frame, broker))
            {
                log.onRefusedByPrincipalLimit(policy.principal());
                closeBoth();
            }
        }
        else if (decision == SaslTermination.CLOSE)
        {
            frame.release();
            closeBoth();
        }
    }

    /** The client's first SASL login succeeded: requests are forwarded from now on. */
    void onSaslLoggedIn()
    {
        if (state instanceof Authenticating)
        {
            state = new Forwarding(broker);
            log.onForwarded(broker);
        }
        else if (state instanceof Holding && ((Holding)state).resume() instanceof Authenticating)
        {
            final Holding holding = (Holding)state;
            state = new Holding(broker, holding.held(), new Forwarding(broker));
            log.onForwarded(broker);
        }
    }

    /**
     * The client's read batch ended: flush what it sent to the broker.
     */
    void onClientReadComplete()
    {
        if (broker != null)
        {
            broker.flush();
        }
        forwarder.flushLocalAnswers();
    }

    /**
     * A response frame arrived from the broker.
     *
     * @param frame the response, size field first; ownership moves here.
     */
    void onBrokerResponse(final ByteBuf frame)
    {
        if (brokerCircuit != null)
        {
            brokerCircuit.onResponse(System.nanoTime());
        }
        if (state instanceof LoggingIn)
        {
            onBrokerLoginResponse((LoggingIn)state, frame);
            return;
        }
        if (state instanceof Holding)
        {
            ((Holding)state).held().addLast(frame);
            return;
        }
        if (!(state instanceof Forwarding || state instanceof Draining || state instanceof Authenticating))
        {
            frame.release();
            return;
        }
        if (forwarder.forward(frame) == ResponseForwarder.HELD)
        {
            final ArrayDeque<ByteBuf> held = new ArrayDeque<>(4);
            held.addLast(frame);
            state = new Holding(broker, held, (Linked)state);
            broker.closeReads(ReadGate.ENDPOINTS_PENDING);
            forwarder.awaitListeners();
        }
    }

    /**
     * A response frame not whole in its first read has its head in: decide whether it streams to the client. Only
     * while forwarding or draining; a held, logging-in or authenticating connection assembles its responses.
     *
     * @param head        the frame's bytes so far, size field first; read only.
     * @param frameLength the frame's length.
     * @return true if the frame streams.
     */
    boolean onBrokerResponseHead(final ByteBuf head, final int frameLength)
    {
        if (!(state instanceof Forwarding || state instanceof Draining) || !forwarder.startStream(head, frameLength))
        {
            return false;
        }
        if (brokerCircuit != null)
        {
            brokerCircuit.onResponse(System.nanoTime());
        }
        return true;
    }

    /**
     * The next bytes of a streaming response.
     *
     * @param bytes a slice of a broker read; ownership moves here.
     */
    void onBrokerResponseBytes(final ByteBuf bytes)
    {
        forwarder.streamBytes(bytes);
    }

    /** A streaming response's last byte went by. */
    void onBrokerResponseEnd()
    {
        forwarder.endStream();
    }

    /** The node listeners a held response waited for are bound: send what was held. */
    void onListenersReady()
    {
        if (!(state instanceof Holding))
        {
            return;
        }
        final Holding holding = (Holding)state;
        final int result = forwarder.release(holding.held());
        if (result == ResponseForwarder.FAILED)
        {
            return;
        }
        if (result == ResponseForwarder.HELD)
        {
            forwarder.awaitListeners();
            clientChannel.flush();
            return;
        }
        state = holding.resume();
        broker.openReads(ReadGate.ENDPOINTS_PENDING);
        clientChannel.flush();
    }

    /** A broker answer went to the client: a draining connection closes once nothing is left in flight. */
    void onAnswered()
    {
        if (isDraining() && inFlight.isEmpty() && !requestStream.isStreaming())
        {
            closeBoth();
        }
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
        if (!requestStream.isStreaming())
        {
            // A request streaming to the broker must be whole there first: reads stop at its end instead.
            clientReads.close(ReadGate.DRAINING);
        }
        if (!(state instanceof Linked) || inFlight.isEmpty() && !requestStream.isStreaming())
        {
            closeBoth();
        }
        else if (state instanceof Holding)
        {
            final Holding holding = (Holding)state;
            state = new Holding(broker, holding.held(), new Draining(broker));
        }
        else
        {
            state = new Draining(broker);
        }
    }

    /**
     * The broker's read batch ended: flush what it sent to the client, unless a streaming response may gather more
     * first ({@link ResponseForwarder#defersFlush}).
     */
    void onBrokerReadComplete()
    {
        if (forwarder.defersFlush())
        {
            return;
        }
        clientChannel.flush();
    }

    /**
     * The client channel's writability changed: pause or resume broker reads.
     */
    void onClientWritabilityChanged()
    {
        backPressure.onClientWritabilityChanged();
    }

    /**
     * The broker channel's writability changed: pause or resume client reads.
     */
    void onBrokerWritabilityChanged()
    {
        backPressure.onBrokerWritabilityChanged();
    }

    /**
     * The client connection closed.
     */
    void onClientInactive()
    {
        metrics.onConnectionClosed(Side.CLIENT);
        if (!(state instanceof Closed))
        {
            log.onClientClosed();
        }
        closeBoth();
    }

    /**
     * The broker connection closed: close the client's too, so that it reconnects and refreshes its metadata.
     */
    void onBrokerInactive()
    {
        if (broker == null)
        {
            // A connection that completed after the client had gone; it was never counted or used.
            return;
        }
        metrics.onConnectionClosed(Side.BROKER);
        if (!(state instanceof Closed))
        {
            log.onBrokerClosed();
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
        log.onClientIdle();
        closeBoth();
    }

    /**
     * Something failed on the client side (a rejected frame, a reset, a bug) or the broker side.
     *
     * @param side  where it failed.
     * @param cause what failed.
     */
    void onException(final Side side, final Throwable cause)
    {
        if (state instanceof Closed)
        {
            log.onExceptionAfterClose(cause);
            return;
        }
        if (side == Side.BROKER && BrokerTlsHandshakeFailures.isHandshakeFailure(cause))
        {
            // The broker refused the proxy's TLS after the proxy's side of the handshake was done (TLS 1.3 client
            // certificates): a failed connect, as far as the circuit and the counters are concerned.
            final String brokerKey = connectAttempts.brokerKey();
            breakers.onFailure(brokerKey, System.nanoTime());
            log.onBrokerTlsHandshakeFailed(brokerKey, BrokerTlsHandshakeFailures.reason(cause), cause);
            closeBoth();
            return;
        }
        log.onException(side, cause, inFlight);
        closeBoth();
    }

    /** The broker left the oldest request unanswered past its own wait and the request timeout. */
    void onRequestTimedOut()
    {
        breakers.onRequestTimedOut(connectAttempts.brokerKey(), inFlight.headWaitStartNanos(), System.nanoTime());
        log.onRequestTimedOut(connectAttempts.brokerKey(), inFlight.headApiKey(), inFlight.headCorrelationId());
        closeBoth();
    }

    /** Closes both sides once, releasing everything held; responses already written reach the client first. */
    void closeBoth()
    {
        if (state instanceof Closed)
        {
            return;
        }
        final ClientConnectionState closing = state;
        state = new Closed();
        policy.onClosed();
        timers.cancel();
        if (!inFlight.isEmpty())
        {
            metrics.onRequestsUnanswered(inFlight.size());
        }
        inFlight.clear();
        forwarder.abandonStream();
        requestStream.abandon();
        if (closing instanceof Holding)
        {
            releaseAll(((Holding)closing).held());
        }
        else if (closing instanceof Connecting)
        {
            releaseAll(((Connecting)closing).requests());
        }
        else if (closing instanceof LoggingIn)
        {
            ((LoggingIn)closing).login().dispose();
            releaseAll(((LoggingIn)closing).requests());
        }
        if (broker != null)
        {
            broker.close();
        }
        // Responses already written reach the client before the close.
        clientChannel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    private static void releaseAll(final ArrayDeque<ByteBuf> frames)
    {
        ByteBuf frame;
        while ((frame = frames.pollFirst()) != null)
        {
            frame.release();
        }
    }
}

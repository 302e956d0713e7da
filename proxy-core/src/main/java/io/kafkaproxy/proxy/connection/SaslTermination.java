package io.kafkaproxy.proxy.connection;

import io.kafkaproxy.protocol.sasl.SaslAuthenticateRequestFlyweight;
import io.kafkaproxy.protocol.wire.ApiHeaderVersions;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.protocol.wire.FrameDescriptor;
import io.kafkaproxy.protocol.wire.RequestHeaderFlyweight;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.policy.KafkaMessageFrames;
import io.kafkaproxy.proxy.request.EventLoopFlyweights;
import io.kafkaproxy.proxy.sasl.SaslCredentials;
import io.kafkaproxy.proxy.sasl.SaslLoginExecutor;
import io.kafkaproxy.proxy.sasl.SaslServerExchange;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The SASL side of a connection whose listener terminates SASL: answers SaslHandshake (v0-v1), SaslAuthenticate
 * (v0-v2) and the raw SASL tokens that follow a v0 handshake itself as a broker does, lets ApiVersions through to the
 * broker, closes the connection on any other request before the login, and after it, closes a connection whose
 * session (KIP-368) ended without a re-authentication.
 *
 * <p>Each SaslAuthenticate token is checked on a {@link SaslLoginExecutor} thread (a PLAIN check hashes); the client's
 * reads stay off until its answer is written, so nothing overtakes it. Failed logins are counted per client address;
 * past the listener's allowance, an address's logins are refused unchecked until its minute ends. Every failure is
 * counted, logged once at WARN (within the budget), and, as on a broker
 * ({@code connection.failed.authentication.delay.ms}), answered and closed only after
 * {@link ConnectionTimers#FAILED_LOGIN_DELAY_NANOS}, client reads off meanwhile: a client guessing passwords cannot
 * retry at once.
 *
 * <p>After a SaslHandshake v0 (clients before Kafka 1.0), the client sends each SASL token as a bare size-prefixed byte
 * array with no request header, and each answer is the server's next token framed the same way: the connection's
 * {@link io.kafkaproxy.proxy.codec.SaslFraming} tells the header decoder to let such frames through unparsed until the
 * login completes. As on a broker, a failed raw login is not answered (the exchange has no way to say so): the
 * connection closes. Such a client cannot re-authenticate; a later handshake v0 is answered ILLEGAL_SASL_STATE.
 * Confined to the client channel's event loop, but for the check handed to the executor.
 */
final class SaslTermination
{
    /** The request was answered here (its frame released). */
    static final int ANSWERED = 0;
    /** The request goes to the broker as usual. */
    static final int FORWARD = 1;
    /** The connection must close (already logged); the frame is the caller's to release. */
    static final int CLOSE = 2;

    private static final short HIGHEST_AUTHENTICATE_VERSION = 2;
    private static final String UNSUPPORTED = "unsupported";

    private final Channel clientChannel;
    private final InetAddress clientAddress;
    private final SaslTerminationSetup setup;
    private final SaslServerExchange exchange;
    private final RequestHeaderFlyweight requestHeader;
    private final UnsafeBuffer requestView;
    private final ResponseForwarder responses;
    private final ReadGate clientReads;
    private final ConnectionTimers timers;
    private final ProxyMetrics metrics;
    private final ConnectionLog log;
    private final ClientConnectionStateMachine connection;
    private final EventLoopFlyweights flyweights = EventLoopFlyweights.current();
    private boolean checking;
    private boolean loggedIn;
    private boolean sessionEnds;
    private long sessionEndNanos;

    SaslTermination(
        final Channel clientChannel,
        final SaslTerminationSetup setup,
        final RequestHeaderFlyweight requestHeader,
        final UnsafeBuffer requestView,
        final ResponseForwarder responses,
        final ReadGate clientReads,
        final ConnectionTimers timers,
        final ProxyMetrics metrics,
        final ConnectionLog log,
        final ClientConnectionStateMachine connection)
    {
        this.clientChannel = clientChannel;
        this.clientAddress = clientChannel.remoteAddress() instanceof InetSocketAddress socket
            ? socket.getAddress() : InetAddress.getLoopbackAddress();
        this.setup = setup;
        final RoutedLogin routed = setup.routedLogin();
        this.exchange = routed == null ? new SaslServerExchange(setup.credentials()) : routed.exchange();
        if (routed != null)
        {
            // Logged in at the routing listener: the session, and any re-authentication, continue that login.
            loggedIn = true;
            sessionEnds = routed.sessionEnds();
            sessionEndNanos = routed.sessionEndNanos();
            setup.framing().onLoggedIn();
        }
        this.requestHeader = requestHeader;
        this.requestView = requestView;
        this.responses = responses;
        this.clientReads = clientReads;
        this.timers = timers;
        this.metrics = metrics;
        this.log = log;
        this.connection = connection;
    }

    /**
     * Whether the client logged in.
     *
     * @return true once a login succeeded.
     */
    boolean isLoggedIn()
    {
        return loggedIn;
    }

    /**
     * Whether {@link #onRequest} would forward a request of this api as it is without reading more than its header:
     * logged in, no login under way, the session not ended, and not a SASL request or ApiVersions. Such a request may
     * stream to the broker (cut-through).
     *
     * @param apiKey   the request's api key.
     * @param nowNanos the time now.
     * @return true if it would be forwarded.
     */
    boolean forwardsUnread(final short apiKey, final long nowNanos)
    {
        return loggedIn && !checking && !setup.framing().rawTokens() && !(sessionEnds && nowNanos - sessionEndNanos >= 0)
            && apiKey != ApiKeyIds.SASL_HANDSHAKE && apiKey != ApiKeyIds.SASL_AUTHENTICATE && apiKey != ApiKeyIds.API_VERSIONS;
    }

    /**
     * Decides a request, its header wrapped in the request header flyweight.
     *
     * @param frame    the request, size field first; released here when {@link #ANSWERED}.
     * @param nowNanos the time now.
     * @return {@link #ANSWERED}, {@link #FORWARD} or {@link #CLOSE}.
     * @throws io.kafkaproxy.protocol.wire.FrameRejectedException if a SASL request is malformed (the frame is not
     *         released).
     */
    int onRequest(final ByteBuf frame, final long nowNanos)
    {
        if (setup.framing().rawTokens())
        {
            return onRawToken(frame, nowNanos);
        }
        final short apiKey = requestHeader.apiKey();
        final short apiVersion = requestHeader.apiVersion();
        if (checking)
        {
            // A client waits for each SaslAuthenticate answer; one that does not is not a Kafka client.
            log.onSaslUnexpectedRequest(apiKey, apiVersion);
            return CLOSE;
        }
        if (sessionEnds && nowNanos - sessionEndNanos >= 0)
        {
            // As the broker: the first request after the session's end closes it, a re-authentication's too.
            log.onSaslSessionExpired(exchange.principal());
            return CLOSE;
        }
        switch (apiKey)
        {
            case ApiKeyIds.API_VERSIONS:
                return FORWARD;
            case ApiKeyIds.SASL_HANDSHAKE:
                return onHandshake(frame, apiVersion);
            case ApiKeyIds.SASL_AUTHENTICATE:
                return onAuthenticate(frame, apiVersion, nowNanos);
            default:
                if (loggedIn)
                {
                    return FORWARD;
                }
                log.onSaslUnexpectedRequest(apiKey, apiVersion);
                return CLOSE;
        }
    }

    private int onHandshake(final ByteBuf frame, final short apiVersion)
    {
        if (apiVersion > 1)
        {
            log.onSaslUnexpectedRequest(ApiKeyIds.SASL_HANDSHAKE, apiVersion);
            return CLOSE;
        }
        final String mechanism = flyweights.saslHandshake()
            .wrap(requestView, requestHeader.bodyOffset(), requestHeader.bodyLength()).mechanism();
        final int correlationId = requestHeader.correlationId();
        final long readNanos = System.nanoTime();
        metrics.api(ApiKeyIds.SASL_HANDSHAKE).onRequest(frame.readableBytes());
        frame.release();
        if (apiVersion == 0 && loggedIn)
        {
            // As the broker's request handler: a v0 login cannot be renewed (KIP-368 needs v1), the connection stays.
            answer(correlationId, ApiKeyIds.SASL_HANDSHAKE, apiVersion, readNanos,
                new SaslHandshakeResponseData().setErrorCode(Errors.ILLEGAL_SASL_STATE.code()));
            return ANSWERED;
        }
        final Errors error = exchange.onHandshake(mechanism);
        final SaslHandshakeResponseData response =
            new SaslHandshakeResponseData().setErrorCode(error.code()).setMechanisms(exchange.enabledMechanisms());
        if (error != Errors.NONE)
        {
            metrics.onSaslAuthentication(setup.listener(), UNSUPPORTED, "unsupported_mechanism");
            log.onSaslAuthenticationFailed(null, "Unsupported SASL mechanism " + mechanism, null);
            closeAfterDelay(() -> answer(correlationId, ApiKeyIds.SASL_HANDSHAKE, apiVersion, readNanos, response));
            return ANSWERED;
        }
        answer(correlationId, ApiKeyIds.SASL_HANDSHAKE, apiVersion, readNanos, response);
        if (apiVersion == 0)
        {
            // The client sends its tokens next, raw: the frames after this one are read as tokens, not requests.
            setup.framing().onRawTokensExpected();
        }
        return ANSWERED;
    }

    private int onAuthenticate(final ByteBuf frame, final short apiVersion, final long nowNanos)
    {
        if (apiVersion > HIGHEST_AUTHENTICATE_VERSION)
        {
            log.onSaslUnexpectedRequest(ApiKeyIds.SASL_AUTHENTICATE, apiVersion);
            return CLOSE;
        }
        if (!exchange.isExchanging())
        {
            if (!loggedIn)
            {
                log.onSaslUnexpectedRequest(ApiKeyIds.SASL_AUTHENTICATE, apiVersion);
                return CLOSE;
            }
            // As the broker's request handler: a SaslAuthenticate with no handshake before it, on a logged-in connection.
            final int correlationId = requestHeader.correlationId();
            metrics.api(ApiKeyIds.SASL_AUTHENTICATE).onRequest(frame.readableBytes());
            frame.release();
            answer(correlationId, ApiKeyIds.SASL_AUTHENTICATE, apiVersion, nowNanos, new SaslAuthenticateResponseData()
                .setErrorCode(Errors.ILLEGAL_SASL_STATE.code()).setErrorMessage(Errors.ILLEGAL_SASL_STATE.message()));
            return ANSWERED;
        }
        final SaslAuthenticateRequestFlyweight request = flyweights.saslAuthenticate()
            .wrap(requestView, requestHeader.bodyOffset(), requestHeader.bodyLength(), apiVersion);
        final byte[] token = new byte[request.authBytesLength()];
        requestView.getBytes(request.authBytesOffset(), token);
        final int correlationId = requestHeader.correlationId();
        metrics.api(ApiKeyIds.SASL_AUTHENTICATE).onRequest(frame.readableBytes());
        frame.release();
        return check(token, correlationId, apiVersion, nowNanos);
    }

    /** A raw SASL token, after a SaslHandshake v0: a size field and the token, no header. */
    private int onRawToken(final ByteBuf frame, final long nowNanos)
    {
        if (checking)
        {
            log.onSaslAuthenticationFailed(exchange.mechanismName(), "SASL token sent before the previous one was answered", null);
            return CLOSE;
        }
        final byte[] token = new byte[frame.readableBytes() - FrameDescriptor.SIZE_FIELD_LENGTH];
        frame.getBytes(frame.readerIndex() + FrameDescriptor.SIZE_FIELD_LENGTH, token);
        frame.release();
        return check(token, 0, (short)0, nowNanos);
    }

    /** Hands a token to the executor, reads paused until its answer; the correlation id and version are unused for a raw token. */
    private int check(final byte[] token, final int correlationId, final short apiVersion, final long nowNanos)
    {
        final SaslCredentials credentials = setup.credentials().get();
        final int allowance = credentials == null ? 1 : credentials.settings().failedLoginsPerMinute();
        if (setup.failedLogins().isBlocked(clientAddress, allowance, nowNanos))
        {
            metrics.onSaslAuthentication(setup.listener(), mechanismLabel(), "refused");
            fail(correlationId, apiVersion, nowNanos, "Authentication failed: too many failed logins from this address, retry later", null);
            return ANSWERED;
        }
        checking = true;
        clientReads.close(ReadGate.AUTHENTICATING);
        final boolean queued = SaslLoginExecutor.tryExecute(() ->
        {
            final SaslServerExchange.Step step = exchange.authenticate(token, System.currentTimeMillis());
            try
            {
                clientChannel.eventLoop().execute(() -> onChecked(step, correlationId, apiVersion, nowNanos));
            }
            catch (final RejectedExecutionException e)
            {
                // The proxy is stopping: the connection is being closed with its event loop.
            }
        });
        if (!queued)
        {
            checking = false;
            clientReads.open(ReadGate.AUTHENTICATING);
            metrics.onSaslAuthentication(setup.listener(), mechanismLabel(), "refused");
            fail(correlationId, apiVersion, nowNanos, "Authentication failed: the proxy is busy, retry later", null);
        }
        return ANSWERED;
    }

    private void onChecked(final SaslServerExchange.Step step, final int correlationId, final short apiVersion, final long readNanos)
    {
        checking = false;
        if (!connection.isLinked())
        {
            return;
        }
        if (step.errorCode() != Errors.NONE.code())
        {
            setup.failedLogins().onFailure(clientAddress, System.nanoTime());
            metrics.onSaslAuthentication(setup.listener(), mechanismLabel(), "failure");
            fail(correlationId, apiVersion, readNanos, step.errorMessage(), step.detail());
            return;
        }
        if (setup.framing().rawTokens())
        {
            onRawTokenChecked(step);
            return;
        }
        final SaslAuthenticateResponseData response = new SaslAuthenticateResponseData()
            .setErrorCode(Errors.NONE.code())
            .setAuthBytes(step.challenge());
        if (step.complete())
        {
            metrics.onSaslAuthentication(setup.listener(), mechanismLabel(), "success");
            setup.principal().onAuthenticated(step.principal());
            // KIP-368: a v0 client cannot hear of the session's lifetime, so, as the broker, its session never ends.
            final long lifetimeMs = apiVersion >= 1 ? step.sessionLifetimeMs() : 0;
            response.setSessionLifetimeMs(lifetimeMs);
            sessionEnds = lifetimeMs > 0;
            sessionEndNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(lifetimeMs);
            answer(correlationId, ApiKeyIds.SASL_AUTHENTICATE, apiVersion, readNanos, response);
            if (!loggedIn)
            {
                loggedIn = true;
                setup.framing().onLoggedIn();
                connection.onSaslLoggedIn();
            }
        }
        else
        {
            answer(correlationId, ApiKeyIds.SASL_AUTHENTICATE, apiVersion, readNanos, response);
        }
        responses.flushLocalAnswers();
        clientReads.open(ReadGate.AUTHENTICATING);
    }

    private void onRawTokenChecked(final SaslServerExchange.Step step)
    {
        // As the broker: the answer is the server's next token, size-prefixed, even when empty (PLAIN's last), and a v0
        // login has no session lifetime.
        final byte[] challenge = step.challenge();
        final ByteBuf answer = clientChannel.alloc().directBuffer(FrameDescriptor.SIZE_FIELD_LENGTH + challenge.length);
        answer.writeInt(challenge.length).writeBytes(challenge);
        clientChannel.write(answer, clientChannel.voidPromise());
        if (step.complete())
        {
            metrics.onSaslAuthentication(setup.listener(), mechanismLabel(), "success");
            setup.principal().onAuthenticated(step.principal());
            setup.framing().onLoggedIn();
            loggedIn = true;
            connection.onSaslLoggedIn();
        }
        clientChannel.flush();
        clientReads.open(ReadGate.AUTHENTICATING);
    }

    private void fail(final int correlationId, final short apiVersion, final long readNanos, final String message, final String detail)
    {
        log.onSaslAuthenticationFailed(exchange.mechanismName(), message, detail);
        if (setup.framing().rawTokens())
        {
            // A raw token's exchange has no error to carry: as the broker, the connection just closes.
            closeAfterDelay(null);
            return;
        }
        closeAfterDelay(() -> answer(correlationId, ApiKeyIds.SASL_AUTHENTICATE, apiVersion, readNanos, new SaslAuthenticateResponseData()
            .setErrorCode(Errors.SASL_AUTHENTICATION_FAILED.code()).setErrorMessage(message)));
    }

    /**
     * Ends a failed login as the broker does: reads stop now (a frame already read closes the connection at once), and
     * the answer, if any, and the close come after the delay.
     */
    private void closeAfterDelay(final Runnable lastAnswer)
    {
        checking = true;
        clientReads.close(ReadGate.AUTHENTICATING);
        timers.afterFailedLoginDelay(() ->
        {
            if (!connection.isLinked())
            {
                return;
            }
            if (lastAnswer != null)
            {
                lastAnswer.run();
            }
            responses.flushLocalAnswers();
            connection.closeBoth();
        });
    }

    private String mechanismLabel()
    {
        final String mechanism = exchange.mechanismName();
        return mechanism == null ? UNSUPPORTED : mechanism;
    }

    private void answer(final int correlationId, final short apiKey, final short apiVersion, final long readNanos, final ApiMessage body)
    {
        final ByteBuf response = KafkaMessageFrames.response(clientChannel.alloc(), correlationId,
            ApiHeaderVersions.responseHeaderVersion(apiKey, apiVersion), body, apiVersion);
        responses.answerLocally(correlationId, apiKey, apiVersion, readNanos, response);
    }
}

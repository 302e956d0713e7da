package io.kafkaproxy.proxy.connection;

import io.kafkaproxy.protocol.wire.FrameRejectedException;
import io.kafkaproxy.proxy.connection.ConnectionLogLimits.Kind;
import io.kafkaproxy.proxy.logging.LogRateLimiter;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.metrics.ProxyMetrics.Side;
import io.kafkaproxy.proxy.routing.BrokerTarget;
import io.netty.channel.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

import java.io.IOException;

/**
 * Says what happened to a connection, once: counts each failure and logs it, at WARN when the proxy or the broker
 * failed and at DEBUG when the client or the operator decided, or when the connection was made.
 *
 * <p>Every WARN line here is one an outsider can repeat at will, so each kind goes through its
 * {@link ConnectionLogLimits} budget: past it, lines are dropped and counted, and the next line of that kind carries
 * the count under {@code suppressed}. The meters count every event either way. A suppressed line allocates nothing.
 *
 * <p>Who is to blame: a broker that closes or resets a connection while a request of the client is unanswered has
 * most likely refused that request (a Kafka broker closes the connection of a request it cannot parse, resetting
 * it when more requests were already on their way). That is not a broker failure: it is counted as a client
 * connection error (a reset) or only as unanswered requests (a close), never as a broker connection error and never
 * by the circuit breakers, which learn a broker's health from connect attempts and request timeouts.
 *
 * <p>Logs under {@link ClientConnectionStateMachine}'s logger, whose lines operators already know. The state machine
 * closes the connection after each failure. Confined to the client channel's event loop.
 */
final class ConnectionLog
{
    private static final Logger LOGGER = LoggerFactory.getLogger(ClientConnectionStateMachine.class);

    private final Channel clientChannel;
    private final BrokerTarget target;
    private final ProxyMetrics metrics;
    private final ConnectionLogLimits limits;
    private BrokerLink broker;

    /**
     * Creates the log of one connection.
     *
     * @param clientChannel the client's channel.
     * @param target        where its broker connection goes.
     * @param metrics       the proxy's meters.
     * @param limits        the proxy's WARN-line budgets.
     */
    ConnectionLog(final Channel clientChannel, final BrokerTarget target, final ProxyMetrics metrics, final ConnectionLogLimits limits)
    {
        this.clientChannel = clientChannel;
        this.target = target;
        this.metrics = metrics;
        this.limits = limits;
    }

    /**
     * Adds a failure's stack trace to a log line, only when someone is debugging; the error key carries the message
     * either way.
     *
     * @param event the log line.
     * @param cause the failure.
     * @return the log line.
     */
    static LoggingEventBuilder withCause(final LoggingEventBuilder event, final Throwable cause)
    {
        return LOGGER.isDebugEnabled() ? event.setCause(cause) : event;
    }

    /**
     * Starts a WARN line of a kind if its budget allows.
     *
     * @param kind the kind of line.
     * @return the line, carrying the count of lines of its kind held back before it; or null when this one is held
     *         back (and counted).
     */
    private LoggingEventBuilder warn(final Kind kind)
    {
        final long suppressed = limits.tryAcquire(kind);
        if (suppressed == LogRateLimiter.SUPPRESSED)
        {
            return null;
        }
        final LoggingEventBuilder event = LOGGER.atWarn();
        return suppressed > 0 ? event.addKeyValue("suppressed", suppressed) : event;
    }

    void onForwarded(final BrokerLink link)
    {
        broker = link;
        if (LOGGER.isDebugEnabled())
        {
            LOGGER.atDebug()
                .addKeyValue("channelId", clientChannel.id().asShortText())
                .addKeyValue("clientAddress", clientChannel.remoteAddress())
                .addKeyValue("brokerAddress", broker.remoteAddress())
                .addKeyValue("route", target.route())
                .log("client connection forwarded");
        }
    }

    void onRefusedByAddressLimit()
    {
        if (LOGGER.isDebugEnabled())
        {
            LOGGER.atDebug()
                .addKeyValue("channelId", clientChannel.id().asShortText())
                .addKeyValue("clientAddress", clientChannel.remoteAddress())
                .log("client connection refused by a connection limit");
        }
    }

    void onRefusedByPrincipalLimit(final String principal)
    {
        if (LOGGER.isDebugEnabled())
        {
            LOGGER.atDebug()
                .addKeyValue("channelId", clientChannel.id().asShortText())
                .addKeyValue("clientAddress", clientChannel.remoteAddress())
                .addKeyValue("principal", principal)
                .log("client connection refused by its principal's connection limit");
        }
    }

    void onBrokerCircuitOpen(final String brokerKey)
    {
        if (LOGGER.isDebugEnabled())
        {
            LOGGER.atDebug()
                .addKeyValue("channelId", clientChannel.id().asShortText())
                .addKeyValue("brokerAddress", brokerKey)
                .log("broker circuit open; not connecting");
        }
    }

    void onNoBrokerReachable()
    {
        final LoggingEventBuilder event = warn(Kind.NO_BROKER_REACHABLE);
        if (event != null)
        {
            event.addKeyValue("channelId", clientChannel.id().asShortText())
                .addKeyValue("clientAddress", clientChannel.remoteAddress())
                .addKeyValue("route", target.route())
                .log("no broker reachable for client connection; closing it so the client re-bootstraps");
        }
    }

    void onBrokerConnectFailed(final String brokerKey, final Throwable cause)
    {
        final LoggingEventBuilder event = warn(Kind.BROKER_CONNECT_FAILED);
        if (event != null)
        {
            withCause(event, cause)
                .addKeyValue("channelId", clientChannel.id().asShortText())
                .addKeyValue("brokerAddress", brokerKey)
                .addKeyValue("route", target.route())
                .addKeyValue("error", String.valueOf(cause))
                .log("broker connection failed");
        }
    }

    void onBrokerTlsHandshakeFailed(final String brokerKey, final String reason, final Throwable cause)
    {
        metrics.onBrokerTlsHandshakeFailed(brokerKey, reason);
        final LoggingEventBuilder event = warn(Kind.BROKER_TLS_HANDSHAKE_FAILED);
        if (event != null)
        {
            withCause(event, cause)
                .addKeyValue("channelId", clientChannel.id().asShortText())
                .addKeyValue("brokerAddress", brokerKey)
                .addKeyValue("route", target.route())
                .addKeyValue("reason", reason)
                .addKeyValue("error", String.valueOf(rootCause(cause)))
                .log("TLS handshake with broker failed");
        }
    }

    void onBrokerLoginFailed(final String brokerKey, final String username, final String failure)
    {
        // A refused login is the operator's to fix (upstream.sasl), not a sign of the broker's health: counted on
        // its own meter, never by the circuit breakers, which would otherwise hide a wrong password behind open
        // circuits on every broker.
        metrics.onBrokerAuthenticationFailed(brokerKey);
        final LoggingEventBuilder event = warn(Kind.BROKER_LOGIN_FAILED);
        if (event != null)
        {
            withBrokerLogin(event, brokerKey, username)
                .addKeyValue("error", failure)
                .log("broker refused the proxy's own login (upstream.sasl); closing the client connection");
        }
    }

    void onBrokerLoginTimedOut(final String brokerKey, final String username)
    {
        metrics.onConnectionError(Side.BROKER);
        final LoggingEventBuilder event = warn(Kind.BROKER_LOGIN_FAILED);
        if (event != null)
        {
            withBrokerLogin(event, brokerKey, username)
                .log("broker did not answer the proxy's own login (upstream.sasl) within the connect timeout; closing the " +
                    "client connection");
        }
    }

    private LoggingEventBuilder withBrokerLogin(final LoggingEventBuilder event, final String brokerKey, final String username)
    {
        return withClient(event)
            .addKeyValue("brokerAddress", brokerKey)
            .addKeyValue("route", target.route())
            .addKeyValue("username", username);
    }

    private LoggingEventBuilder withClient(final LoggingEventBuilder event)
    {
        return event.addKeyValue("channelId", clientChannel.id().asShortText())
            .addKeyValue("clientAddress", clientChannel.remoteAddress());
    }

    private static Throwable rootCause(final Throwable cause)
    {
        // TLS engines wrap the reason (an untrusted chain, a host name) in a generic handshake exception.
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root)
        {
            root = root.getCause();
        }
        return root;
    }

    void onRequestTimedOut(final String brokerKey, final short apiKey, final int clientCorrelationId)
    {
        metrics.onConnectionError(Side.BROKER);
        final LoggingEventBuilder event = warn(Kind.REQUEST_TIMED_OUT);
        if (event != null)
        {
            event.addKeyValue("channelId", clientChannel.id().asShortText())
                .addKeyValue("brokerAddress", brokerKey)
                .addKeyValue("route", target.route())
                .addKeyValue("apiKey", apiKey)
                .addKeyValue("clientCorrelationId", clientCorrelationId)
                .log("broker left a request unanswered past the request timeout; closing the connection");
        }
    }

    void onClientClosed()
    {
        if (LOGGER.isDebugEnabled())
        {
            LOGGER.atDebug()
                .addKeyValue("channelId", clientChannel.id().asShortText())
                .addKeyValue("clientAddress", clientChannel.remoteAddress())
                .addKeyValue("route", target.route())
                .log("client closed its connection");
        }
    }

    void onBrokerClosed()
    {
        if (LOGGER.isDebugEnabled())
        {
            LOGGER.atDebug()
                .addKeyValue("channelId", clientChannel.id().asShortText())
                .addKeyValue("brokerAddress", broker.remoteAddress())
                .addKeyValue("route", target.route())
                .log("broker closed its connection");
        }
    }

    void onClientIdle()
    {
        if (LOGGER.isDebugEnabled())
        {
            LOGGER.atDebug()
                .addKeyValue("channelId", clientChannel.id().asShortText())
                .addKeyValue("clientAddress", clientChannel.remoteAddress())
                .log("closing idle client connection");
        }
    }

    void onExceptionAfterClose(final Throwable cause)
    {
        LOGGER.atDebug().setCause(cause).addKeyValue("channelId", clientChannel.id().asShortText())
            .log("error after the connection closed");
    }

    /**
     * Counts and logs a failure of either side.
     *
     * @param side     where it failed.
     * @param cause    what failed.
     * @param inFlight the requests the broker has not answered yet.
     */
    void onException(final Side side, final Throwable cause, final InFlightRequests inFlight)
    {
        if (cause instanceof FrameRejectedException)
        {
            metrics.onFrameRejected(side, ((FrameRejectedException)cause).reason());
            final LoggingEventBuilder event = warn(side == Side.CLIENT ? Kind.CLIENT_FRAME_REJECTED : Kind.BROKER_FRAME_REJECTED);
            if (event != null)
            {
                log(withCause(event, cause), cause, side == Side.CLIENT ?
                    "client sent a frame that is not Kafka; closing the connection" :
                    "broker sent a frame that is not Kafka; closing the connection");
            }
            return;
        }
        if (side == Side.CLIENT && cause instanceof IOException)
        {
            // A client resetting its socket is the client's business.
            metrics.onConnectionError(Side.CLIENT);
            if (LOGGER.isDebugEnabled())
            {
                log(LOGGER.atDebug(), cause, "client connection failed");
            }
            return;
        }
        if (side == Side.BROKER && cause instanceof IOException && !inFlight.isEmpty())
        {
            onBrokerResetAfterRequest(cause, inFlight);
            return;
        }
        metrics.onConnectionError(side);
        final LoggingEventBuilder event = warn(side == Side.CLIENT ? Kind.CLIENT_FAILED : Kind.BROKER_FAILED);
        if (event != null)
        {
            log(withCause(event, cause), cause, side == Side.CLIENT ? "client connection failed" : "broker connection failed");
        }
    }

    private void onBrokerResetAfterRequest(final Throwable cause, final InFlightRequests inFlight)
    {
        // See the class comment: the client's request is the likely cause, so the broker is not blamed for it.
        metrics.onConnectionError(Side.CLIENT);
        final LoggingEventBuilder event = warn(Kind.BROKER_RESET_AFTER_REQUEST);
        if (event != null)
        {
            log(withCause(event, cause)
                .addKeyValue("apiKey", inFlight.headApiKey())
                .addKeyValue("clientCorrelationId", inFlight.headCorrelationId()), cause,
                "broker reset the connection with a request of the client unanswered, as brokers do with requests they " +
                    "refuse; counted against the client, closing the connection");
        }
    }

    private void log(final LoggingEventBuilder event, final Throwable cause, final String message)
    {
        event.addKeyValue("channelId", clientChannel.id().asShortText())
            .addKeyValue("clientAddress", clientChannel.remoteAddress())
            .addKeyValue("brokerAddress", broker == null ? null : broker.remoteAddress())
            .addKeyValue("route", target.route())
            .addKeyValue("error", String.valueOf(cause))
            .log(message);
    }

    void onUnexpectedResponse(final int brokerCorrelationId, final Integer clientCorrelationId)
    {
        metrics.onConnectionError(Side.BROKER);
        final LoggingEventBuilder event = warn(Kind.UNEXPECTED_RESPONSE);
        if (event != null)
        {
            event.addKeyValue("channelId", clientChannel.id().asShortText())
                .addKeyValue("brokerAddress", broker.remoteAddress())
                .addKeyValue("route", target.route())
                .addKeyValue("brokerCorrelationId", brokerCorrelationId)
                .addKeyValue("clientCorrelationId", clientCorrelationId)
                .log("broker answered a request that is not the oldest in flight; closing the connection");
        }
    }

    void onUnadvertisableResponse()
    {
        metrics.onConnectionError(Side.BROKER);
        final LoggingEventBuilder event = warn(Kind.UNADVERTISABLE_RESPONSE);
        if (event != null)
        {
            event.addKeyValue("channelId", clientChannel.id().asShortText())
                .addKeyValue("route", target.route())
                .log("response names a broker node that has no proxy listener; closing the connection rather than " +
                    "reveal the broker's address");
        }
    }

    /**
     * A streamed response named a broker node that has no proxy listener: its endpoints were replaced by padding, so
     * the connection goes on. One WARN line within the budget of its kind, shared with the assembled case.
     */
    void onUnadvertisableStreamedResponse()
    {
        final LoggingEventBuilder event = warn(Kind.UNADVERTISABLE_RESPONSE);
        if (event != null)
        {
            event.addKeyValue("channelId", clientChannel.id().asShortText())
                .addKeyValue("route", target.route())
                .log("streamed response names a broker node that has no proxy listener; its node endpoints were " +
                    "replaced by padding rather than reveal the broker's address");
        }
    }

    /**
     * A SASL login the proxy checks failed: one WARN line within the budget. Never logs the SASL bytes.
     *
     * @param mechanism the mechanism, or null before one was chosen.
     * @param reason    what the client was told.
     * @param detail    why, for the operator only (a JWT check that failed), or null.
     */
    void onSaslAuthenticationFailed(final String mechanism, final String reason, final String detail)
    {
        final LoggingEventBuilder event = warn(Kind.SASL_AUTHENTICATION_FAILED);
        if (event != null)
        {
            withClient(event)
                .addKeyValue("mechanism", mechanism)
                .addKeyValue("error", detail == null ? reason : reason + " (" + detail + ")")
                .log("SASL authentication failed; closing the connection");
        }
    }

    /**
     * The client sent a request a broker does not take at this point of a SASL exchange, or a SaslHandshake version
     * the proxy does not answer: closed, as a broker closes it.
     *
     * @param apiKey     the request's api key.
     * @param apiVersion the request's version.
     */
    void onSaslUnexpectedRequest(final short apiKey, final short apiVersion)
    {
        final LoggingEventBuilder event = warn(Kind.SASL_AUTHENTICATION_FAILED);
        if (event != null)
        {
            withClient(event)
                .addKeyValue("apiKey", apiKey)
                .addKeyValue("apiVersion", apiVersion)
                .log("request not allowed during SASL authentication; closing the connection");
        }
    }

    /**
     * The client's SASL session ended (KIP-368) without a re-authentication: closed, as a broker closes it.
     *
     * @param principal the session's principal.
     */
    void onSaslSessionExpired(final String principal)
    {
        if (LOGGER.isDebugEnabled())
        {
            withClient(LOGGER.atDebug())
                .addKeyValue("principal", principal)
                .log("SASL session expired without re-authentication; closing the connection");
        }
    }
}

package io.kafkaproxy.proxy.connection;

import io.kafkaproxy.protocol.wire.FrameRejectedException;
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
 * <p>Logs under {@link ClientConnectionStateMachine}'s logger, whose lines operators already know. The state machine
 * closes the connection after each failure. Confined to the client channel's event loop.
 */
final class ConnectionLog
{
    private static final Logger LOGGER = LoggerFactory.getLogger(ClientConnectionStateMachine.class);

    private final Channel clientChannel;
    private final BrokerTarget target;
    private final ProxyMetrics metrics;
    private BrokerLink broker;

    /**
     * Creates the log of one connection.
     *
     * @param clientChannel the client's channel.
     * @param target        where its broker connection goes.
     * @param metrics       the proxy's meters.
     */
    ConnectionLog(final Channel clientChannel, final BrokerTarget target, final ProxyMetrics metrics)
    {
        this.clientChannel = clientChannel;
        this.target = target;
        this.metrics = metrics;
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

    void onRequestTimedOut(final String brokerKey, final short apiKey, final int clientCorrelationId)
    {
        metrics.onConnectionError(Side.BROKER);
        LOGGER.atWarn()
            .addKeyValue("channelId", clientChannel.id().asShortText())
            .addKeyValue("brokerAddress", brokerKey)
            .addKeyValue("route", target.route())
            .addKeyValue("apiKey", apiKey)
            .addKeyValue("clientCorrelationId", clientCorrelationId)
            .log("broker left a request unanswered past the request timeout; closing the connection");
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

    void onException(final Side side, final Throwable cause)
    {
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
            .addKeyValue("brokerAddress", broker == null ? null : broker.remoteAddress())
            .addKeyValue("route", target.route())
            .addKeyValue("error", String.valueOf(cause))
            .log(message);
    }

    void onUnexpectedResponse(final int brokerCorrelationId, final Integer clientCorrelationId)
    {
        metrics.onConnectionError(Side.BROKER);
        LOGGER.atWarn()
            .addKeyValue("channelId", clientChannel.id().asShortText())
            .addKeyValue("brokerAddress", broker.remoteAddress())
            .addKeyValue("route", target.route())
            .addKeyValue("brokerCorrelationId", brokerCorrelationId)
            .addKeyValue("clientCorrelationId", clientCorrelationId)
            .log("broker answered a request that is not the oldest in flight; closing the connection");
    }

    void onUnadvertisableResponse()
    {
        metrics.onConnectionError(Side.BROKER);
        LOGGER.atWarn()
            .addKeyValue("channelId", clientChannel.id().asShortText())
            .addKeyValue("route", target.route())
            .log("response names a broker node that has no proxy listener; closing the connection rather than " +
                "reveal the broker's address");
    }
}

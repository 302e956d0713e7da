package io.kafkaproxy.proxy.gateway.stream;

import io.kafkaproxy.proxy.gateway.GatewayMetrics;

import java.util.function.BooleanSupplier;

/**
 * What a live stream's heartbeat finds, the checks every stream endpoint (SSE, WebSocket) makes before its ping; each
 * then ends or pings in its own protocol's way.
 */
enum HeartbeatVerdict
{
    /** All is well: send the protocol's ping. */
    PING,
    /**
     * The client's backlog passed its limit: even pings pile up for a client that stopped reading a quiet topic, so
     * the slow rule holds for them too. The subscription is cancelled; end the stream as slow.
     */
    SLOW,
    /**
     * A reload took READ away: the subscription is cancelled and the drop counted; end the stream with the protocol's
     * refusal (a reconnect is refused too).
     */
    DENIED;

    /**
     * Checks a stream at its heartbeat.
     *
     * @param subscription the stream's subscription.
     * @param stillAllowed whether the principal may still read the topic (and group) under the current snapshot.
     * @param metrics      where a denied stream is counted.
     * @param protocol     the stream's protocol, for the count.
     * @return the verdict; SLOW and DENIED have cancelled the subscription.
     */
    static HeartbeatVerdict of(
        final FeedSubscription subscription, final BooleanSupplier stillAllowed, final GatewayMetrics metrics, final String protocol)
    {
        if (subscription.isOverBuffer())
        {
            subscription.cancel();
            return SLOW;
        }
        if (!stillAllowed.getAsBoolean())
        {
            subscription.cancel();
            metrics.onSubscriberDropped(protocol, "denied");
            return DENIED;
        }
        return PING;
    }
}

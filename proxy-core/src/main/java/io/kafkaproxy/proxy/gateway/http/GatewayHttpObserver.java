package io.kafkaproxy.proxy.gateway.http;

import io.kafkaproxy.proxy.gateway.GatewayMetrics;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP listener's reports, as the gateway's meters: {@code kafka.proxy.gateway.requests} by route and status,
 * {@code kafka.proxy.gateway.errors} by reason, and {@code kafka.proxy.gateway.sessions{protocol=http}} for open
 * connections. Thread-safe (the meters are); shared by every connection.
 */
final class GatewayHttpObserver implements HttpRequestObserver
{
    /** The protocol tag of the HTTP listener's meters. */
    static final String PROTOCOL = "http";

    private final GatewayMetrics metrics;
    private final AtomicInteger connections;

    GatewayHttpObserver(final GatewayMetrics metrics)
    {
        this.metrics = metrics;
        this.connections = metrics.sessions(PROTOCOL);
    }

    @Override
    public void onRequest(final String route, final int status, final long nanos)
    {
        metrics.onRequest(PROTOCOL, route, status, nanos);
    }

    @Override
    public void onBadRequest(final String reason)
    {
        metrics.onError(PROTOCOL, reason);
    }

    @Override
    public void onConnectionOpened()
    {
        connections.incrementAndGet();
    }

    @Override
    public void onConnectionClosed()
    {
        connections.decrementAndGet();
    }
}

package io.kafkaproxy.proxy.connection;

/**
 * Fired down a client pipeline when the proxy stops: the connection reads no more requests, answers those it
 * has read, then closes.
 */
public final class DrainEvent
{
    /** The one instance; it carries nothing. */
    public static final DrainEvent INSTANCE = new DrainEvent();

    private DrainEvent()
    {
    }
}

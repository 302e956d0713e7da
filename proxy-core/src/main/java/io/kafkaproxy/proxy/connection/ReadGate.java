package io.kafkaproxy.proxy.connection;

import io.netty.channel.Channel;

/**
 * Turns a channel's reads off while any reason to stop them holds, and back on when the last one clears.
 *
 * <p>Several concerns pause the same channel for different reasons (broker not connected yet, the other side's
 * write buffer full, a listener still starting); each closes and opens its own bit, so one clearing cannot
 * resume reads another still needs stopped. Confined to the channel's event loop.
 */
final class ReadGate
{
    /** The client waits for its broker connection. */
    static final int BROKER_CONNECTING = 1;
    /** The broker connection's outbound buffer is full. */
    static final int BROKER_BACKLOG = 1 << 1;
    /** The client connection's outbound buffer is full. */
    static final int CLIENT_BACKLOG = 1 << 2;
    /** A response waits for a node listener to start. */
    static final int ENDPOINTS_PENDING = 1 << 3;
    /** Memory is short: the channel waits at a frame boundary (see {@code ChannelMemoryWait}). */
    static final int MEMORY = 1 << 4;
    /** The proxy is stopping: no more requests are read. */
    static final int DRAINING = 1 << 5;
    /** The client is over a quota: nothing more is read until its throttle time ends. */
    static final int THROTTLED = 1 << 6;
    /** The channel is not active yet: nothing is read before its state machine has started. */
    static final int NOT_ACTIVE = 1 << 7;
    /** A SASL token is being checked off the event loop: nothing more is read until it is answered. */
    static final int AUTHENTICATING = 1 << 8;

    private final Channel channel;
    private int closedBy;

    /**
     * Creates the gate of a channel.
     *
     * @param channel          the channel whose reads it controls.
     * @param initiallyClosedBy reasons already holding; the channel's auto-read must already match.
     */
    ReadGate(final Channel channel, final int initiallyClosedBy)
    {
        this.channel = channel;
        this.closedBy = initiallyClosedBy;
    }

    /**
     * Stops reads for a reason.
     *
     * @param reason one of the reason bits.
     */
    void close(final int reason)
    {
        final boolean wasOpen = closedBy == 0;
        closedBy |= reason;
        if (wasOpen)
        {
            channel.config().setAutoRead(false);
        }
    }

    /**
     * Clears a reason, resuming reads if it was the last.
     *
     * @param reason one of the reason bits.
     */
    void open(final int reason)
    {
        if ((closedBy & reason) == 0)
        {
            return;
        }
        closedBy &= ~reason;
        if (closedBy == 0)
        {
            channel.config().setAutoRead(true);
        }
    }

    /**
     * Whether a reason holds.
     *
     * @param reason one of the reason bits.
     * @return true if reads are stopped for that reason.
     */
    boolean isClosedBy(final int reason)
    {
        return (closedBy & reason) != 0;
    }
}

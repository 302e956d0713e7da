package io.kafkaproxy.proxy.net;

import io.kafkaproxy.proxy.connection.DrainEvent;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;

import java.time.Duration;

/**
 * Drains the open client connections at shutdown: tells each to finish the requests it has read and close, then
 * waits for them to leave, up to a deadline.
 *
 * <p>Called once, by the lifecycle thread, after the listeners are closed; never from an event loop (it waits).
 */
final class ConnectionDrainer
{
    private static final long DRAIN_POLL_MILLIS = 10;

    private final ChannelGroup clientChannels;

    /**
     * Creates the drainer of a proxy's connections.
     *
     * @param clientChannels every open client channel; closed channels leave it by themselves.
     */
    ConnectionDrainer(final ChannelGroup clientChannels)
    {
        this.clientChannels = clientChannels;
    }

    /**
     * Drains.
     *
     * @param drainTimeout how long requests already read may take to be answered.
     * @return how many connections closed within the time.
     */
    int drain(final Duration drainTimeout)
    {
        final int open = clientChannels.size();
        if (open == 0)
        {
            return 0;
        }
        for (final Channel client : clientChannels)
        {
            client.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE);
        }
        final long deadline = System.nanoTime() + drainTimeout.toNanos();
        // Closed channels leave the group by themselves; poll rather than wire a callback into every connection.
        while (!clientChannels.isEmpty() && System.nanoTime() - deadline < 0)
        {
            try
            {
                Thread.sleep(DRAIN_POLL_MILLIS);
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return open - clientChannels.size();
    }
}

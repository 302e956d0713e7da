package io.kafkaproxy.proxy.connection;

import io.netty.channel.Channel;

/**
 * The back-pressure of one connection: when one side's write buffer fills, reads stop on the other side until it
 * drains; when memory is short for a side, its reads wait at a frame boundary (see {@code ChannelMemoryWait}).
 *
 * <p>A memory wait of the broker side that comes before the broker link exists applies once it is made. Confined to
 * the client channel's event loop.
 */
final class ConnectionBackPressure
{
    private final Channel clientChannel;
    private final ReadGate clientReads;
    private BrokerLink broker;
    private boolean brokerReadsPausedForMemory;

    /**
     * Creates the back-pressure of one connection.
     *
     * @param clientChannel the client's channel.
     * @param clientReads   the client channel's read gate.
     */
    ConnectionBackPressure(final Channel clientChannel, final ReadGate clientReads)
    {
        this.clientChannel = clientChannel;
        this.clientReads = clientReads;
    }

    /**
     * The broker link is made.
     *
     * @param link the broker side.
     */
    void onBrokerLinked(final BrokerLink link)
    {
        broker = link;
        if (brokerReadsPausedForMemory)
        {
            link.closeReads(ReadGate.MEMORY);
        }
    }

    /**
     * Pauses or resumes the client's reads for memory.
     *
     * @param paused whether the client's reads wait for memory.
     */
    void onClientMemoryWait(final boolean paused)
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
     * Pauses or resumes the broker's reads for memory.
     *
     * @param paused whether the broker's reads wait for memory.
     */
    void onBrokerMemoryWait(final boolean paused)
    {
        if (broker == null)
        {
            brokerReadsPausedForMemory = paused;
        }
        else if (paused)
        {
            broker.closeReads(ReadGate.MEMORY);
        }
        else
        {
            broker.openReads(ReadGate.MEMORY);
        }
    }

    /**
     * The client channel's writability changed: pauses or resumes broker reads.
     */
    void onClientWritabilityChanged()
    {
        if (broker == null)
        {
            return;
        }
        if (clientChannel.isWritable())
        {
            broker.openReads(ReadGate.CLIENT_BACKLOG);
        }
        else
        {
            broker.closeReads(ReadGate.CLIENT_BACKLOG);
        }
    }

    /**
     * The broker link's writability changed: pauses or resumes client reads.
     */
    void onBrokerWritabilityChanged()
    {
        if (broker.isWritable())
        {
            clientReads.open(ReadGate.BROKER_BACKLOG);
        }
        else
        {
            clientReads.close(ReadGate.BROKER_BACKLOG);
        }
    }
}

package io.kafkaproxy.proxy.connection;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

import java.net.SocketAddress;

/**
 * A {@link BrokerLink} over one broker channel, whose reads it pauses through a {@link ReadGate}.
 *
 * <p>Confined to the event loop the broker channel shares with its client channel.
 */
final class NettyBrokerLink implements BrokerLink
{
    private final Channel brokerChannel;
    private final ReadGate brokerReads;

    /**
     * Creates the link over a connected broker channel, whose auto-read is on.
     *
     * @param brokerChannel the broker channel.
     */
    NettyBrokerLink(final Channel brokerChannel)
    {
        this.brokerChannel = brokerChannel;
        this.brokerReads = new ReadGate(brokerChannel, 0);
    }

    @Override
    public void write(final ByteBuf frame)
    {
        brokerChannel.write(frame, brokerChannel.voidPromise());
    }

    @Override
    public void flush()
    {
        brokerChannel.flush();
    }

    @Override
    public void closeReads(final int reason)
    {
        brokerReads.close(reason);
    }

    @Override
    public void openReads(final int reason)
    {
        brokerReads.open(reason);
    }

    @Override
    public boolean isWritable()
    {
        return brokerChannel.isWritable();
    }

    @Override
    public SocketAddress remoteAddress()
    {
        return brokerChannel.remoteAddress();
    }

    @Override
    public void close()
    {
        brokerChannel.close();
    }
}

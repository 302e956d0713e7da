package io.kafkaproxy.proxy.net;

import io.kafkaproxy.proxy.codec.KafkaFrameDecoder;
import io.kafkaproxy.proxy.connection.BrokerBackendHandler;
import io.kafkaproxy.proxy.connection.ClientConnectionStateMachine;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;

/**
 * Builds the pipeline of a broker channel: frame decoder (response size limit), then the backend handler.
 *
 * <p>Created for one connection; the broker channel is registered on its client channel's event loop.
 */
final class BrokerChannelInitializer extends ChannelInitializer<Channel>
{
    private final int maxResponseSizeBytes;
    private final ClientConnectionStateMachine connection;

    BrokerChannelInitializer(final int maxResponseSizeBytes, final ClientConnectionStateMachine connection)
    {
        this.maxResponseSizeBytes = maxResponseSizeBytes;
        this.connection = connection;
    }

    @Override
    protected void initChannel(final Channel channel)
    {
        channel.pipeline()
            .addLast("frameDecoder", new KafkaFrameDecoder(maxResponseSizeBytes))
            .addLast("backend", new BrokerBackendHandler(connection));
    }
}

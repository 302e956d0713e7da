package io.kafkaproxy.proxy.net;

import io.kafkaproxy.proxy.codec.FrameSizeLimit;
import io.kafkaproxy.proxy.codec.KafkaFrameDecoder;
import io.kafkaproxy.proxy.connection.BrokerBackendHandler;
import io.kafkaproxy.proxy.connection.ClientConnectionStateMachine;
import io.kafkaproxy.proxy.memory.ChannelMemoryWait;
import io.kafkaproxy.proxy.memory.PoolByteBufAllocator;
import io.kafkaproxy.proxy.memory.PoolRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;

/**
 * Builds the pipeline of a broker channel: frame decoder (response size limit), then the backend handler.
 *
 * <p>Created for one connection; the broker channel is registered on its client channel's event loop.
 */
final class BrokerChannelInitializer extends ChannelInitializer<Channel>
{
    private final FrameSizeLimit responseLimit;
    private final PoolByteBufAllocator allocator;
    private final ClientConnectionStateMachine connection;

    BrokerChannelInitializer(
        final FrameSizeLimit responseLimit, final PoolByteBufAllocator allocator, final ClientConnectionStateMachine connection)
    {
        this.responseLimit = responseLimit;
        this.allocator = allocator;
        this.connection = connection;
    }

    @Override
    protected void initChannel(final Channel channel)
    {
        final ChannelMemoryWait memoryWait = allocator.newChannelMemoryWait(false, connection::onBrokerMemoryWait);
        final KafkaFrameDecoder frameDecoder = new KafkaFrameDecoder(responseLimit, memoryWait);
        channel.config().setRecvByteBufAllocator(new PoolRecvByteBufAllocator(allocator, frameDecoder, memoryWait));
        channel.pipeline()
            .addLast("frameDecoder", frameDecoder)
            .addLast("backend", new BrokerBackendHandler(connection));
    }
}

package io.kafkaproxy.proxy.net;

import io.kafkaproxy.proxy.config.NetworkConfig;
import io.kafkaproxy.proxy.config.NetworkConfig.TransportKind;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TransportTest
{
    @Test
    void shouldSetOnlyTheWriteBufferWaterMarkByDefault()
    {
        // Given
        final Transport transport = Transport.of(TransportKind.AUTO).withSocketOptions(NetworkConfig.defaults());

        // When
        final Bootstrap broker = transport.applyBrokerSocketOptions(new Bootstrap());
        final ServerBootstrap client = transport.applyClientSocketOptions(new ServerBootstrap());

        // Then
        assertThat(broker.config().options()).containsOnlyKeys(ChannelOption.WRITE_BUFFER_WATER_MARK);
        assertThat(client.config().options()).isEmpty();
        assertThat(client.config().childOptions()).containsOnlyKeys(ChannelOption.WRITE_BUFFER_WATER_MARK);
        for (final Object waterMark : new Object[] {broker.config().options().get(ChannelOption.WRITE_BUFFER_WATER_MARK),
            client.config().childOptions().get(ChannelOption.WRITE_BUFFER_WATER_MARK)})
        {
            assertThat((WriteBufferWaterMark)waterMark).extracting(WriteBufferWaterMark::low, WriteBufferWaterMark::high)
                .containsExactly(256 * 1024, 512 * 1024);
        }
    }

    @Test
    void shouldSetTheConfiguredBuffersAndQuickAckOnEpoll()
    {
        // Given
        Assumptions.assumeTrue(Epoll.isAvailable(), "epoll is not available here");
        final NetworkConfig network = NetworkConfig.of(1, null, null, null, "epoll", true, "1MiB", "512KiB", null);
        final Transport transport = Transport.of(TransportKind.EPOLL).withSocketOptions(network);

        // When
        final Bootstrap broker = transport.applyBrokerSocketOptions(new Bootstrap());
        final ServerBootstrap client = transport.applyClientSocketOptions(new ServerBootstrap());

        // Then
        assertThat(broker.config().options()).containsEntry(ChannelOption.SO_RCVBUF, 1 << 20)
            .containsEntry(ChannelOption.SO_SNDBUF, 512 << 10).containsEntry(EpollChannelOption.TCP_QUICKACK, true);
        assertThat(client.config().childOptions()).containsEntry(ChannelOption.SO_RCVBUF, 1 << 20)
            .containsEntry(ChannelOption.SO_SNDBUF, 512 << 10).doesNotContainKey(EpollChannelOption.TCP_QUICKACK);
    }

    @Test
    void shouldSkipQuickAckOnNio()
    {
        // Given
        final NetworkConfig network = NetworkConfig.of(1, null, null, null, "nio", true, null, null, null);
        final Transport transport = Transport.of(TransportKind.NIO).withSocketOptions(network);

        // When
        final Bootstrap broker = transport.applyBrokerSocketOptions(new Bootstrap());

        // Then
        assertThat(transport.name()).isEqualTo("nio");
        assertThat(broker.config().options()).doesNotContainKey(EpollChannelOption.TCP_QUICKACK)
            .containsOnlyKeys(ChannelOption.WRITE_BUFFER_WATER_MARK);
    }
}

package io.kafkaproxy.proxy.failover;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;

class GenerationFenceHandlerTest
{
    @Test
    void shouldPassWritesAndReadsOfTheCurrentGeneration() throws Exception
    {
        try (FailoverFixture fixture = new FailoverFixture(true))
        {
            // Given
            final EmbeddedChannel channel = new EmbeddedChannel(new GenerationFenceHandler(fixture.failover, 0));
            final ByteBuf request = Unpooled.copyInt(42);
            final ByteBuf response = Unpooled.copyInt(43);

            // When
            channel.writeOutbound(request);
            channel.writeInbound(response);

            // Then
            final ByteBuf written = channel.readOutbound();
            final ByteBuf read = channel.readInbound();
            assertThat(written).isSameAs(request);
            assertThat(read).isSameAs(response);
            assertThat(channel.isOpen()).isTrue();
            written.release();
            read.release();
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void shouldCloseInsteadOfWritingOnceTheClusterSwitched() throws Exception
    {
        try (FailoverFixture fixture = new FailoverFixture(true))
        {
            // Given
            final EmbeddedChannel channel = new EmbeddedChannel(new GenerationFenceHandler(fixture.failover, 0));
            fixture.failover();
            final ByteBuf request = Unpooled.copyInt(42);

            // When
            final ChannelFuture written = channel.writeOneOutbound(request);

            // Then
            assertThat(written.cause()).isInstanceOf(GenerationFenceHandler.BrokerFencedException.class);
            assertThat((Object)channel.readOutbound()).isNull();
            assertThat(request.refCnt()).isZero();
            assertThat(channel.isOpen()).isFalse();
            assertThat(fixture.registry.get(FailoverMetrics.BROKER_CONNECTIONS_FENCED).counter().count()).isEqualTo(1.0);
        }
    }

    @Test
    void shouldDropAResponseOfTheOldUpstreamOnceTheClusterSwitched() throws Exception
    {
        try (FailoverFixture fixture = new FailoverFixture(true))
        {
            // Given
            final EmbeddedChannel channel = new EmbeddedChannel(new GenerationFenceHandler(fixture.failover, 0));
            fixture.failover();
            final ByteBuf response = Unpooled.copyInt(43);

            // When
            channel.writeInbound(response);

            // Then
            assertThat((Object)channel.readInbound()).isNull();
            assertThat(response.refCnt()).isZero();
            assertThat(channel.isOpen()).isFalse();
        }
    }

    @Test
    void shouldFailAConnectOfAnOlderGenerationWithoutConnecting() throws Exception
    {
        try (FailoverFixture fixture = new FailoverFixture(true))
        {
            // Given
            final EmbeddedChannel channel = new EmbeddedChannel(new GenerationFenceHandler(fixture.failover, 0));
            fixture.failover();

            // When
            final ChannelFuture connected = channel.connect(new InetSocketAddress("127.0.0.1", 9092));

            // Then
            assertThat(connected.isSuccess()).isFalse();
            assertThat(connected.cause()).isInstanceOf(GenerationFenceHandler.BrokerFencedException.class)
                .hasMessageContaining("generation=0, current=1");
        }
    }
}

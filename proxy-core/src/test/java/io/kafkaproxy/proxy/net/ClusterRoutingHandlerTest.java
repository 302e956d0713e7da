package io.kafkaproxy.proxy.net;

import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.ListenerConfig;
import io.kafkaproxy.proxy.config.RoutingConfig;
import io.kafkaproxy.proxy.config.RoutingRuleConfig;
import io.kafkaproxy.proxy.routing.ClusterRoutes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterRoutingHandlerTest
{
    private final List<String> routed = new ArrayList<>();
    private int rejections;
    private final EmbeddedChannel channel = new EmbeddedChannel(new ClusterRoutingHandler(
        ClusterRoutes.compile(new RoutingConfig(ListenerConfig.of(new HostPort("127.0.0.1", 9300), null, null),
            List.of(RoutingRuleConfig.of("east", null, "orders-*", null)), null)),
        name ->
        {
            routed.add(name);
            throw new IllegalStateException("not routed in this test");
        },
        null, null, () -> rejections++, () -> 0, 1 << 20, 0, "routing"));

    @Test
    void shouldRefuseAConnectionNoRuleRoutesAndReleaseWhatItHeld()
    {
        // Given
        final ByteBuf frame = request("billing").retain();

        // When
        channel.writeInbound(frame);

        // Then
        assertThat(channel.isOpen()).isFalse();
        assertThat(rejections).isEqualTo(1);
        assertThat(routed).isEmpty();
        assertThat(frame.refCnt()).isEqualTo(1);
        frame.release();
    }

    @Test
    void shouldWaitForTheClientIdBeforeChoosing()
    {
        // Given
        final ByteBuf frame = request("billing");
        final ByteBuf firstPart = frame.readRetainedSlice(15);

        // When
        channel.writeInbound(firstPart);

        // Then: nothing decided yet
        assertThat(channel.isOpen()).isTrue();
        assertThat(rejections).isZero();

        // When: the rest
        channel.writeInbound(frame);

        // Then
        assertThat(channel.isOpen()).isFalse();
        assertThat(rejections).isEqualTo(1);
    }

    @Test
    void shouldRefuseAFirstFrameThatIsNotAKafkaRequest()
    {
        // When: a length that cannot hold a request header, then one longer than the limit
        channel.writeInbound(Unpooled.buffer().writeInt(3).writeLong(0).writeShort(0));
        final EmbeddedChannel other = new EmbeddedChannel(new ClusterRoutingHandler(
            ClusterRoutes.compile(new RoutingConfig(ListenerConfig.of(new HostPort("127.0.0.1", 9300), null, null), List.of(), "east")),
            name -> null, null, null, () -> rejections++, () -> 0, 1 << 20, 0, "routing"));
        other.writeInbound(Unpooled.buffer().writeInt(Integer.MAX_VALUE).writeLong(0).writeShort(0));

        // Then
        assertThat(channel.isOpen()).isFalse();
        assertThat(other.isOpen()).isFalse();
        assertThat(rejections).isEqualTo(2);
    }

    private static ByteBuf request(final String clientId)
    {
        final byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
        final ByteBuf frame = Unpooled.buffer();
        frame.writeInt(2 + 2 + 4 + 2 + id.length + 1);
        frame.writeShort(18).writeShort(3).writeInt(7).writeShort(id.length).writeBytes(id).writeByte(0);
        return frame;
    }
}

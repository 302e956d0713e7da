package io.kafkaproxy.proxy.gateway.mqtt;

import io.kafkaproxy.proxy.gateway.stream.FeedRecord;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.util.ReferenceCountUtil;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class MqttOutboundTest
{
    private final EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    private final ChannelHandlerContext ctx = channel.pipeline().firstContext();

    @AfterEach
    void releaseWhatWasWritten()
    {
        channel.finishAndReleaseAll();
    }

    @Test
    void shouldHoldQos1MessagesBeyondTheWindowUntilAcknowledged()
    {
        // Given
        final MqttOutbound outbound = new MqttOutbound(ctx, false, 2);

        // When
        for (int offset = 0; offset < 4; offset++)
        {
            outbound.deliver(new MqttOutbound.Delivery("a/b", "a.b", record(0, offset), 1, false));
        }
        ctx.flush();
        final List<MqttPublishMessage> first = written();
        final long waiting = outbound.waitingBytes();
        outbound.onPubAck(first.get(0).variableHeader().packetId());
        final List<MqttPublishMessage> second = written();

        // Then
        assertThat(first).extracting(p -> p.variableHeader().packetId()).containsExactly(1, 2);
        assertThat(waiting).isEqualTo(2L * record(0, 0).sizeBytes());
        assertThat(second).extracting(p -> p.variableHeader().packetId()).containsExactly(3);
        assertThat(outbound.waitingBytes()).isEqualTo(record(0, 0).sizeBytes());
    }

    @Test
    void shouldResumeFromTheFirstUnacknowledgedOffsetOfEachPartition()
    {
        // Given
        final MqttOutbound outbound = new MqttOutbound(ctx, false, 1);
        outbound.deliver(new MqttOutbound.Delivery("a/b", "a.b", record(0, 10), 1, false));
        outbound.deliver(new MqttOutbound.Delivery("a/b", "a.b", record(1, 20), 1, false));
        outbound.deliver(new MqttOutbound.Delivery("c", "c", record(0, 5), 1, false));
        written();
        final Map<Integer, Long> next = new HashMap<>(Map.of(0, 11L, 1, 21L, 2, 7L));

        // When
        outbound.unacknowledged("a.b", next);

        // Then
        assertThat(next).containsExactlyInAnyOrderEntriesOf(Map.of(0, 10L, 1, 20L, 2, 7L));
    }

    @Test
    void shouldWriteQos0AtOnceWithHeadersAsUserPropertiesOnMqtt5()
    {
        // Given
        final MqttOutbound outbound = new MqttOutbound(ctx, true, 1);

        // When
        outbound.deliver(new MqttOutbound.Delivery("a/b", "a.b", record(0, 1), 0, false));
        outbound.deliver(new MqttOutbound.Delivery("a/b", "a.b", record(0, 2), 0, true));

        // Then
        final List<MqttPublishMessage> packets = written();
        assertThat(packets).hasSize(2);
        assertThat(packets.get(0).variableHeader().packetId()).isZero();
        assertThat(packets.get(1).fixedHeader().isRetain()).isTrue();
        final MqttProperties.UserProperties users = (MqttProperties.UserProperties)packets.get(0).variableHeader().properties()
            .getProperty(MqttProperties.USER_PROPERTY);
        assertThat(users.value()).extracting(pair -> pair.key + "=" + pair.value).containsExactly("traceparent=00-abc-01");
    }

    private List<MqttPublishMessage> written()
    {
        channel.flush();
        final List<MqttPublishMessage> packets = new ArrayList<>();
        Object msg;
        while ((msg = channel.readOutbound()) != null)
        {
            packets.add((MqttPublishMessage)msg);
            ReferenceCountUtil.release(msg);
        }
        return packets;
    }

    private static FeedRecord record(final int partition, final long offset)
    {
        final RecordHeaders headers = new RecordHeaders();
        headers.add(new RecordHeader("traceparent", "00-abc-01".getBytes(StandardCharsets.UTF_8)));
        return new FeedRecord("a.b", partition, offset, 0, null, "v".getBytes(StandardCharsets.UTF_8), headers);
    }
}

package io.kafkaproxy.proxy.gateway.mqtt;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class MqttRecordsTest
{
    @Test
    void shouldCarryUserPropertiesAsHeadersInOrderRepeatsIncluded()
    {
        // Given
        final MqttProperties properties = new MqttProperties();
        final MqttProperties.UserProperties users = new MqttProperties.UserProperties();
        users.add("traceparent", "00-abc-01");
        users.add("tag", "a");
        users.add("tag", "b");
        properties.add(users);
        final MqttPublishMessage publish = publish("home/kitchen", "on", properties);

        // When
        final ProducerRecord<byte[], byte[]> record;
        try
        {
            record = MqttRecords.of(publish, "home.kitchen", bytes("client-1"));
        }
        finally
        {
            publish.release();
        }

        // Then
        assertThat(record.topic()).isEqualTo("home.kitchen");
        assertThat(record.key()).isEqualTo(bytes("client-1"));
        assertThat(record.value()).isEqualTo(bytes("on"));
        assertThat(record.headers().toArray()).extracting(Header::key).containsExactly("traceparent", "tag", "tag");
        assertThat(record.headers().lastHeader("tag").value()).isEqualTo(bytes("b"));
    }

    @Test
    void shouldWriteAnEmptyRetainedPayloadAsATombstoneKeyedByTheMqttTopic()
    {
        // Given
        final MqttPublishMessage publish = publish("home/kitchen", "", MqttProperties.NO_PROPERTIES);

        // When
        final ProducerRecord<byte[], byte[]> record;
        try
        {
            record = MqttRecords.retained(publish, "mqtt-retained");
        }
        finally
        {
            publish.release();
        }

        // Then
        assertThat(record.topic()).isEqualTo("mqtt-retained");
        assertThat(record.key()).isEqualTo(bytes("home/kitchen"));
        assertThat(record.value()).isNull();
        assertThat(record.headers().toArray()).isEmpty();
    }

    private static MqttPublishMessage publish(final String topic, final String payload, final MqttProperties properties)
    {
        return new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.AT_LEAST_ONCE, true, 0),
            new MqttPublishVariableHeader(topic, 1, properties), Unpooled.copiedBuffer(payload, StandardCharsets.UTF_8));
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}

package io.kafkaproxy.proxy.gateway.mqtt;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Turns a PUBLISH into the Kafka record it is written as: the payload is the value, the mapping rule gives the topic
 * and key, and each MQTT 5 user property becomes a record header, in order, repeated names kept (so a
 * {@code traceparent} user property arrives as the W3C header of that name). Stateless.
 */
final class MqttRecords
{
    private MqttRecords()
    {
    }

    /**
     * The record of a PUBLISH.
     *
     * @param publish    the packet; its payload is copied, not released.
     * @param kafkaTopic the Kafka topic the mapping chose.
     * @param key        the key the mapping chose, or null.
     * @return the record.
     */
    static ProducerRecord<byte[], byte[]> of(final MqttPublishMessage publish, final String kafkaTopic, final byte[] key)
    {
        final byte[] value = ByteBufUtil.getBytes(publish.payload());
        return new ProducerRecord<>(kafkaTopic, null, key, value, headers(publish.variableHeader().properties()));
    }

    /**
     * The retained-message record of a PUBLISH with the retain flag: key = MQTT topic, and an empty payload (which
     * removes the topic's retained message) a tombstone, so that compaction forgets it.
     *
     * @param publish        the packet; its payload is copied, not released.
     * @param retainedTopic  {@code mqtt.retainedTopic}.
     * @return the record.
     */
    static ProducerRecord<byte[], byte[]> retained(final MqttPublishMessage publish, final String retainedTopic)
    {
        final byte[] key = publish.variableHeader().topicName().getBytes(StandardCharsets.UTF_8);
        final byte[] value = publish.payload().isReadable() ? ByteBufUtil.getBytes(publish.payload()) : null;
        return new ProducerRecord<>(retainedTopic, null, key, value, headers(publish.variableHeader().properties()));
    }

    private static RecordHeaders headers(final MqttProperties properties)
    {
        final RecordHeaders headers = new RecordHeaders();
        if (properties == null || properties.isEmpty())
        {
            return headers;
        }
        final List<? extends MqttProperties.MqttProperty> userProperties =
            properties.getProperties(MqttProperties.MqttPropertyType.USER_PROPERTY.value());
        for (final MqttProperties.MqttProperty property : userProperties)
        {
            if (property instanceof MqttProperties.UserProperties several)
            {
                for (final MqttProperties.StringPair pair : several.value())
                {
                    headers.add(new RecordHeader(pair.key, pair.value.getBytes(StandardCharsets.UTF_8)));
                }
            }
            else if (property instanceof MqttProperties.UserProperty one)
            {
                headers.add(new RecordHeader(one.value().key, one.value().value.getBytes(StandardCharsets.UTF_8)));
            }
        }
        return headers;
    }
}

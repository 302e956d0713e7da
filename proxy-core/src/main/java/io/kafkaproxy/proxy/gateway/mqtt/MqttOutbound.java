package io.kafkaproxy.proxy.gateway.mqtt;

import io.kafkaproxy.proxy.gateway.stream.FeedRecord;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import org.apache.kafka.common.header.Header;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The PUBLISH packets a connection delivers to its client: QoS 0 written at once, QoS 1 given a packet id and kept
 * until the client's PUBACK, at most {@code window} of them unacknowledged (MQTT 5's Receive Maximum; the rest wait
 * here, in order, and count as the subscriber's backlog, so that the shared fan-out's slow-subscriber rule bounds
 * them).
 *
 * <p>A record's value is wrapped, never copied: every subscriber of a topic writes the same bytes. MQTT 5 user
 * properties made from the Kafka headers are built once per record and shared ({@link FeedRecord#encodedAs}).
 * Confined to the connection's event loop; the maps and queue exist only while something is in flight.
 */
final class MqttOutbound
{
    private static final Object USER_PROPERTIES = new Object();

    private final ChannelHandlerContext ctx;
    private final boolean mqtt5;
    private final int window;
    private Map<Integer, Delivery> inFlight;
    private ArrayDeque<Delivery> waiting;
    private long waitingBytes;
    private int nextPacketId = 1;

    /**
     * One message to deliver.
     *
     * @param mqttTopic  the MQTT topic it is published as.
     * @param kafkaTopic the Kafka topic whose position it holds; null for a retained message.
     * @param record     the record.
     * @param qos        0 or 1.
     * @param retain     whether it is a retained message.
     */
    record Delivery(String mqttTopic, String kafkaTopic, FeedRecord record, int qos, boolean retain)
    {
    }

    /**
     * The deliveries of one connection.
     *
     * @param ctx    the connection's handler context.
     * @param mqtt5  whether the client speaks 5.0.
     * @param window the most QoS 1 messages unacknowledged at once.
     */
    MqttOutbound(final ChannelHandlerContext ctx, final boolean mqtt5, final int window)
    {
        this.ctx = ctx;
        this.mqtt5 = mqtt5;
        this.window = window;
    }

    /**
     * Writes a message (without flushing), or queues it while the window is full.
     *
     * @param delivery the message.
     */
    void deliver(final Delivery delivery)
    {
        if (delivery.qos() == 0)
        {
            write(delivery, 0);
            return;
        }
        if ((waiting != null && !waiting.isEmpty()) || inFlightCount() >= window)
        {
            if (waiting == null)
            {
                waiting = new ArrayDeque<>();
            }
            waiting.add(delivery);
            waitingBytes += delivery.record().sizeBytes();
            return;
        }
        send(delivery);
    }

    /**
     * The client acknowledged a QoS 1 message: it leaves the window, and waiting ones take its place.
     *
     * @param packetId the PUBACK's packet id.
     * @return true if the packet id was in flight.
     */
    boolean onPubAck(final int packetId)
    {
        if (inFlight == null || inFlight.remove(packetId) == null)
        {
            return false;
        }
        boolean wrote = false;
        while (waiting != null && !waiting.isEmpty() && inFlightCount() < window)
        {
            final Delivery next = waiting.poll();
            waitingBytes -= next.record().sizeBytes();
            send(next);
            wrote = true;
        }
        if (wrote)
        {
            ctx.flush();
        }
        if (inFlight.isEmpty())
        {
            inFlight = null;
        }
        return true;
    }

    /**
     * The bytes of messages waiting for room in the window.
     *
     * @return the bytes.
     */
    long waitingBytes()
    {
        return waitingBytes;
    }

    /**
     * Lowers next offsets to the first message of a topic the client has not acknowledged (in flight or waiting), so
     * that a resumed session receives it again.
     *
     * @param kafkaTopic the topic.
     * @param next       the next offset per partition, as the feed counts it; lowered in place.
     */
    void unacknowledged(final String kafkaTopic, final Map<Integer, Long> next)
    {
        if (inFlight != null)
        {
            for (final Delivery delivery : inFlight.values())
            {
                lower(kafkaTopic, delivery, next);
            }
        }
        if (waiting != null)
        {
            for (final Delivery delivery : waiting)
            {
                lower(kafkaTopic, delivery, next);
            }
        }
    }

    /**
     * Forgets every message of a topic that waits for room (an UNSUBSCRIBE); those in flight still complete.
     *
     * @param kafkaTopic the topic.
     */
    void forget(final String kafkaTopic)
    {
        if (waiting != null)
        {
            waiting.removeIf(delivery ->
            {
                final boolean match = kafkaTopic.equals(delivery.kafkaTopic());
                if (match)
                {
                    waitingBytes -= delivery.record().sizeBytes();
                }
                return match;
            });
        }
    }

    private static void lower(final String kafkaTopic, final Delivery delivery, final Map<Integer, Long> next)
    {
        if (kafkaTopic.equals(delivery.kafkaTopic()))
        {
            next.merge(delivery.record().partition(), delivery.record().offset(), Math::min);
        }
    }

    private int inFlightCount()
    {
        return inFlight == null ? 0 : inFlight.size();
    }

    private void send(final Delivery delivery)
    {
        if (inFlight == null)
        {
            inFlight = new HashMap<>(8);
        }
        int packetId = nextPacketId;
        while (inFlight.containsKey(packetId))
        {
            packetId = packetId == 65_535 ? 1 : packetId + 1;
        }
        nextPacketId = packetId == 65_535 ? 1 : packetId + 1;
        inFlight.put(packetId, delivery);
        write(delivery, packetId);
    }

    private void write(final Delivery delivery, final int packetId)
    {
        final FeedRecord record = delivery.record();
        final MqttProperties properties = mqtt5 ? userProperties(record) : MqttProperties.NO_PROPERTIES;
        ctx.write(new MqttPublishMessage(
            new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.valueOf(delivery.qos()), delivery.retain(), 0),
            new MqttPublishVariableHeader(delivery.mqttTopic(), packetId, properties),
            record.value() == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(record.value())));
    }

    private static MqttProperties userProperties(final FeedRecord record)
    {
        return record.encodedAs(USER_PROPERTIES, MqttOutbound::encodeUserProperties);
    }

    private static MqttProperties encodeUserProperties(final FeedRecord record)
    {
        final MqttProperties properties = new MqttProperties();
        final MqttProperties.UserProperties users = new MqttProperties.UserProperties();
        for (final Header header : record.headers())
        {
            users.add(header.key(), header.value() == null ? "" : new String(header.value(), StandardCharsets.UTF_8));
        }
        if (!users.value().isEmpty())
        {
            properties.add(users);
        }
        return properties;
    }
}

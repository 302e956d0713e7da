package io.kafkaproxy.proxy.gateway.mqtt;

import io.kafkaproxy.proxy.gateway.GatewayClient;
import io.kafkaproxy.proxy.gateway.GatewayServices;
import io.kafkaproxy.proxy.gateway.stream.FeedCloseReason;
import io.kafkaproxy.proxy.gateway.stream.FeedRecord;
import io.kafkaproxy.proxy.gateway.stream.FeedStart;
import io.kafkaproxy.proxy.gateway.stream.FeedSubscriber;
import io.kafkaproxy.proxy.gateway.stream.FeedSubscription;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import io.netty.handler.codec.mqtt.MqttUnsubAckPayload;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A connection's subscriptions: topic filters resolved to Kafka topics (a Kafka topic is delivered as its name with
 * {@code .} replaced by {@code /}, and a filter matches that), one shared-feed subscription per Kafka topic whatever
 * the number of filters that match it, retained messages sent on SUBSCRIBE, and the positions a persistent session
 * resumes from (the first record of each partition the client has not acknowledged).
 *
 * <p>Wildcard filters are resolved against the topics that exist when the client subscribes (or its session
 * resumes); a topic created later is followed once the client subscribes again. Granted QoS is at most 1. Confined to
 * the connection's event loop.
 */
final class MqttSubscriptions
{
    /** A subscription was refused for want of READ (5.0; 3.1.1 has only 0x80). */
    private static final int NOT_AUTHORIZED = MqttReplies.NOT_AUTHORIZED;
    private static final int UNSPECIFIED = MqttReplies.UNSPECIFIED_ERROR;
    private static final int NO_SUBSCRIPTION_EXISTED = 0x11;
    private static final int WINDOW = 32;

    private final ChannelHandlerContext ctx;
    private final GatewayServices services;
    private final MqttRetainedMessages retained;
    private final boolean mqtt5;
    private final MqttSession session;
    private final GatewayClient client;
    private final MqttOutbound outbound;
    private final Consumer<FeedCloseReason> onSlow;
    private final Map<String, TopicSubscriber> topics = new HashMap<>(4);
    private boolean closed;

    /**
     * The subscriptions of a connection.
     *
     * @param ctx            the connection's handler context.
     * @param services       the gateway's services (feeds, catalog, metrics).
     * @param retained       the retained messages; null when not supported.
     * @param mqtt5          whether the client speaks 5.0.
     * @param receiveMaximum the client's Receive Maximum (5.0), or 65535.
     * @param session        the session the connection owns.
     * @param client         the principal's rights.
     * @param onSlow         told when a feed drops the connection (slow subscriber).
     */
    MqttSubscriptions(
        final ChannelHandlerContext ctx, final GatewayServices services, final MqttRetainedMessages retained, final boolean mqtt5,
        final int receiveMaximum, final MqttSession session, final GatewayClient client, final Consumer<FeedCloseReason> onSlow)
    {
        this.ctx = ctx;
        this.services = services;
        this.retained = retained;
        this.mqtt5 = mqtt5;
        this.session = session;
        this.client = client;
        this.onSlow = onSlow;
        this.outbound = new MqttOutbound(ctx, mqtt5, Math.max(1, Math.min(WINDOW, receiveMaximum)));
    }

    /**
     * Resolves the filters of a SUBSCRIBE, then answers SUBACK, sends the matching retained messages and starts
     * delivery.
     *
     * @param packetId        the SUBSCRIBE's packet id.
     * @param filters         filter to requested QoS, in the packet's order.
     * @param withoutRetained the filters whose retained messages are not sent (MQTT 5 Retain Handling).
     * @param done            run on the event loop once answered.
     */
    void subscribe(final int packetId, final Map<String, Integer> filters, final Set<String> withoutRetained, final Runnable done)
    {
        resolve(filters.keySet()).whenComplete((existing, error) -> ctx.executor().execute(() ->
        {
            if (closed)
            {
                // The connection ended while the topics were listed: no feed may be joined for it now.
                return;
            }
            final List<Integer> codes = new ArrayList<>(filters.size());
            for (final Map.Entry<String, Integer> filter : filters.entrySet())
            {
                codes.add(subscribeOne(filter.getKey(), Math.min(1, filter.getValue()), existing));
            }
            ctx.write(new MqttSubAckMessage(
                new MqttFixedHeader(MqttMessageType.SUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttMessageIdAndPropertiesVariableHeader(packetId, MqttProperties.NO_PROPERTIES),
                new MqttSubAckPayload(codes)));
            int i = 0;
            for (final Map.Entry<String, Integer> filter : filters.entrySet())
            {
                final int code = codes.get(i++);
                if (code < 0x80 && retained != null && !withoutRetained.contains(filter.getKey()))
                {
                    for (final FeedRecord message : retained.matching(MqttTopicFilter.of(filter.getKey())))
                    {
                        outbound.deliver(new MqttOutbound.Delivery(
                            new String(message.key(), StandardCharsets.UTF_8), null, message, code, true));
                    }
                }
            }
            ctx.flush();
            done.run();
        }));
    }

    /**
     * Resumes the subscriptions of a session that outlived its previous connection.
     */
    void resume()
    {
        final Map<String, Integer> filters = new LinkedHashMap<>(session.subscriptions());
        if (filters.isEmpty())
        {
            return;
        }
        resolve(filters.keySet()).whenComplete((existing, error) -> ctx.executor().execute(() ->
        {
            if (closed)
            {
                return;
            }
            for (final Map.Entry<String, Integer> filter : filters.entrySet())
            {
                subscribeOne(filter.getKey(), filter.getValue(), existing);
            }
        }));
    }

    /**
     * Ends the subscriptions of an UNSUBSCRIBE and answers UNSUBACK.
     *
     * @param packetId the UNSUBSCRIBE's packet id.
     * @param filters  the filters.
     */
    void unsubscribe(final int packetId, final List<String> filters)
    {
        final List<Short> codes = new ArrayList<>(filters.size());
        for (final String filter : filters)
        {
            codes.add((short)(session.unsubscribe(filter) ? MqttReplies.SUCCESS : NO_SUBSCRIPTION_EXISTED));
        }
        final Iterator<TopicSubscriber> subscribers = topics.values().iterator();
        while (subscribers.hasNext())
        {
            final TopicSubscriber subscriber = subscribers.next();
            if (!stillSubscribed(subscriber.mqttTopic))
            {
                subscribers.remove();
                subscriber.cancel();
                outbound.forget(subscriber.kafkaTopic);
                session.keepPositions(subscriber.kafkaTopic, null);
            }
        }
        final MqttMessageIdAndPropertiesVariableHeader header =
            new MqttMessageIdAndPropertiesVariableHeader(packetId, MqttProperties.NO_PROPERTIES);
        final MqttFixedHeader fixed = new MqttFixedHeader(MqttMessageType.UNSUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0);
        final MqttMessage unsubAck = mqtt5 ? new MqttUnsubAckMessage(fixed, header, new MqttUnsubAckPayload(codes)) :
            new MqttUnsubAckMessage(fixed, header, null);
        ctx.writeAndFlush(unsubAck);
    }

    /**
     * The client acknowledged a delivered message.
     *
     * @param packetId the PUBACK's packet id.
     */
    void onPubAck(final int packetId)
    {
        outbound.onPubAck(packetId);
    }

    /**
     * The connection ended: the feeds are left, and a persistent session keeps where each topic's delivery stopped.
     */
    void close()
    {
        closed = true;
        for (final TopicSubscriber subscriber : topics.values())
        {
            subscriber.cancel();
            subscriber.keepPositions();
        }
        topics.clear();
    }

    private CompletableFuture<Set<String>> resolve(final Set<String> filters)
    {
        for (final String filter : filters)
        {
            if (filter.indexOf('+') >= 0 || filter.indexOf('#') >= 0)
            {
                return services.topics().listTopics();
            }
        }
        return CompletableFuture.completedFuture(Set.of());
    }

    /**
     * Grants one filter and follows the Kafka topics it names.
     *
     * @param filter   the filter.
     * @param qos      the QoS to grant, at most 1.
     * @param existing the topics that exist, for a wildcard filter; null if they could not be listed.
     * @return the SUBACK code.
     */
    private int subscribeOne(final String filter, final int qos, final Set<String> existing)
    {
        if (!MqttTopicFilter.isValidFilter(filter) || filter.startsWith("$share/"))
        {
            // Shared subscriptions (5.0 "$share/") are not offered: the CONNACK said so.
            return mqtt5 ? MqttReplies.TOPIC_FILTER_INVALID : UNSPECIFIED;
        }
        final MqttTopicFilter compiled = MqttTopicFilter.of(filter);
        final List<String> matching = new ArrayList<>();
        if (filter.indexOf('+') < 0 && filter.indexOf('#') < 0)
        {
            final String kafkaTopic = MqttTopicMapping.defaultKafkaTopic(filter);
            if (kafkaTopic == null)
            {
                services.metrics().onError(MqttConnectionHandler.PROTOCOL, "invalid_kafka_topic");
                return mqtt5 ? MqttReplies.TOPIC_FILTER_INVALID : UNSPECIFIED;
            }
            matching.add(kafkaTopic);
        }
        else if (existing == null)
        {
            // The topics could not be listed (the cluster unreachable): refused, the client may try again.
            services.metrics().onError(MqttConnectionHandler.PROTOCOL, "topics_unavailable");
            return UNSPECIFIED;
        }
        else
        {
            for (final String kafkaTopic : existing)
            {
                if (compiled.matches(MqttTopicMapping.mqttTopic(kafkaTopic)))
                {
                    matching.add(kafkaTopic);
                }
            }
        }
        final List<String> readable = new ArrayList<>(matching.size());
        for (final String kafkaTopic : matching)
        {
            if (client.mayRead(kafkaTopic))
            {
                readable.add(kafkaTopic);
            }
        }
        if (!matching.isEmpty() && readable.isEmpty())
        {
            services.metrics().onError(MqttConnectionHandler.PROTOCOL, "denied");
            return mqtt5 ? NOT_AUTHORIZED : UNSPECIFIED;
        }
        session.subscribe(filter, qos);
        for (final String kafkaTopic : readable)
        {
            follow(kafkaTopic, qos);
        }
        return qos;
    }

    private void follow(final String kafkaTopic, final int qos)
    {
        final TopicSubscriber current = topics.get(kafkaTopic);
        if (current != null)
        {
            current.qos = Math.max(current.qos, qos);
            return;
        }
        final TopicSubscriber subscriber = new TopicSubscriber(kafkaTopic, qos);
        topics.put(kafkaTopic, subscriber);
        final Map<Integer, Long> positions = session.positions(kafkaTopic);
        subscriber.subscription = services.feeds().subscribe(kafkaTopic,
            positions == null ? FeedStart.latest() : FeedStart.offsets(positions), subscriber);
    }

    private boolean stillSubscribed(final String mqttTopic)
    {
        for (final String filter : session.subscriptions().keySet())
        {
            if (MqttTopicFilter.of(filter).matches(mqttTopic))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * The connection's subscriber of one Kafka topic's shared feed.
     */
    private final class TopicSubscriber implements FeedSubscriber
    {
        private final String kafkaTopic;
        private final String mqttTopic;
        private int qos;
        private int delivered;
        private FeedSubscription subscription;

        TopicSubscriber(final String kafkaTopic, final int qos)
        {
            this.kafkaTopic = kafkaTopic;
            this.mqttTopic = MqttTopicMapping.mqttTopic(kafkaTopic);
            this.qos = qos;
        }

        /**
         * Keeps in a persistent session where this topic's delivery stopped: the first record of each partition the
         * client has not acknowledged. Before the feed started there is nothing newer than what the session holds.
         */
        void keepPositions()
        {
            if (!session.persistent() || subscription == null)
            {
                return;
            }
            final Map<Integer, Long> next = new HashMap<>(subscription.positions());
            outbound.unacknowledged(kafkaTopic, next);
            if (!next.isEmpty())
            {
                session.keepPositions(kafkaTopic, next);
            }
        }

        void cancel()
        {
            if (subscription != null)
            {
                subscription.cancel();
            }
        }

        @Override
        public EventLoop eventLoop()
        {
            return ctx.channel().eventLoop();
        }

        @Override
        public void onStart(final FeedSubscription started)
        {
            subscription = started;
        }

        @Override
        public void onRecord(final FeedRecord record, final FeedSubscription from)
        {
            delivered++;
            outbound.deliver(new MqttOutbound.Delivery(mqttTopic, kafkaTopic, record, qos, false));
        }

        @Override
        public void onFlush()
        {
            // Counted per batch, not per record: the meter lookup is the costly part of counting.
            if (delivered > 0)
            {
                services.metrics().onRecords(MqttConnectionHandler.PROTOCOL, "out", kafkaTopic, delivered);
                delivered = 0;
            }
            ctx.flush();
        }

        @Override
        public long backlogBytes()
        {
            return FeedSubscriber.channelBacklogBytes(ctx.channel()) + outbound.waitingBytes();
        }

        @Override
        public void onClosed(final FeedCloseReason reason)
        {
            topics.remove(kafkaTopic, this);
            if (reason == FeedCloseReason.UPSTREAM_SWITCHED)
            {
                // The cluster switched upstream: the positions delivery reached are the upstream left's offsets, which
                // mean nothing on the other. MQTT delivers what is published from the subscription on, so the client
                // stays subscribed and the topic is followed again from the now-active upstream's latest records.
                session.keepPositions(kafkaTopic, null);
                if (!closed && stillSubscribed(mqttTopic))
                {
                    follow(kafkaTopic, qos);
                }
            }
            else if (reason == FeedCloseReason.SLOW)
            {
                // Keep where it stopped first: the session resumes from there.
                keepPositions();
                onSlow.accept(reason);
            }
            else if (reason != FeedCloseReason.SHUTDOWN)
            {
                services.metrics().onError(MqttConnectionHandler.PROTOCOL, "subscription_" + reason.label());
            }
        }
    }
}

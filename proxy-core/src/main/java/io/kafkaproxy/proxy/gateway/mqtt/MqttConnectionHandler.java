package io.kafkaproxy.proxy.gateway.mqtt;

import io.kafkaproxy.proxy.gateway.GatewayClient;
import io.kafkaproxy.proxy.gateway.GatewayProducer;
import io.kafkaproxy.proxy.gateway.GatewayServices;
import io.kafkaproxy.proxy.gateway.stream.FeedCloseReason;
import io.kafkaproxy.proxy.tls.ClientTlsContext;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption.RetainedHandlingPolicy;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * One MQTT connection: CONNECT and its login, PUBLISH into Kafka with its acknowledgements, PUBREL, PINGREQ and
 * DISCONNECT, keep-alive, and the session it owns.
 *
 * <p><b>Acknowledged once Kafka has the record.</b> A QoS 1 PUBLISH is answered with PUBACK, a QoS 2 one with PUBREC,
 * only when the gateway producer's callback reports the record written, and in the order the PUBLISH packets came
 * ({@link MqttPublishAcks}); a QoS 2 packet id is held in the session until PUBREL, so a duplicate is written once.
 *
 * <p><b>Reads pause, nothing is dropped.</b> Reading stops while the login is checked, while the producer's buffer is
 * full (the refused record waits and is sent when {@link GatewayProducer#whenBufferAvailable} calls back), and while a
 * produce quota throttles the principal; packets already decoded meanwhile are held, in order, and served on resume.
 *
 * <p><b>Bad input.</b> A malformed packet, a second CONNECT or a packet before CONNECT closes this connection only
 * (after a DISCONNECT with its reason code on 5.0), counted by reason, with one WARN line per connection at most. A
 * topic whose Kafka topic name is invalid, or one the principal may not write: PUBACK/PUBREC with 0x90 or 0x87 on
 * 5.0; on 3.1.1, which has no negative acknowledgement, the invalid name closes the connection and the denial is
 * acknowledged and dropped, as mosquitto does.
 *
 * <p>Per channel, never shared. Confined to the channel's event loop, but for the producer's callbacks, which hop
 * onto it.
 */
final class MqttConnectionHandler extends ChannelInboundHandlerAdapter
{
    /** The protocol label of the gateway's meters. */
    static final String PROTOCOL = "mqtt";
    /** The name of the keep-alive timer in the pipeline. */
    static final String KEEP_ALIVE = "keepAlive";

    private static final Logger LOGGER = LoggerFactory.getLogger(MqttConnectionHandler.class);
    private static final int MQTT_5 = 5;
    private static final int PAUSED_FOR_LOGIN = 1;
    private static final int PAUSED_FOR_BUFFER = 2;
    private static final int PAUSED_FOR_QUOTA = 4;
    private static final int PAUSED_FOR_SUBSCRIBE = 8;
    private static final int RECEIVE_MAXIMUM = 65_535;

    /** The event that tells a connection the proxy is stopping. */
    static final Object SHUTTING_DOWN = new Object();

    private final MqttGatewaySettings settings;
    private final GatewayServices services;
    private final MqttSessions sessions;
    private final ClientTlsContext tls;
    private final MqttRetainedMessages retained;
    private final MqttPublishAcks acks = new MqttPublishAcks();
    private final MqttPublishAcks.AckWriter ackWriter = this::writeAck;
    private ChannelHandlerContext ctx;
    private MqttConnectionState state = MqttConnectionState.AWAITING_CONNECT;
    private ArrayDeque<Object> held;
    private int paused;
    private boolean mqtt5;
    private String clientId;
    private GatewayClient client;
    private MqttSession session;
    private MqttSubscriptions subscriptions;
    private Duration sessionExpiry = Duration.ZERO;
    private int receiveMaximum = RECEIVE_MAXIMUM;
    private boolean counted;
    private boolean released;
    private boolean inputShutdown;
    private Runnable whenReleased;
    private boolean warned;
    private ArrayDeque<BlockedSend> blocked;

    /**
     * A record the producer's buffer had no room for, waiting to be sent.
     *
     * @param record   the record.
     * @param callback its callback.
     */
    private record BlockedSend(ProducerRecord<byte[], byte[]> record, GatewayProducer.Callback callback)
    {
    }

    /**
     * Creates the handler of one connection.
     *
     * @param settings the compiled {@code mqtt} section.
     * @param services the gateway's services.
     * @param sessions the listener's sessions.
     * @param tls      the TLS context the channel's handshake uses; null for cleartext.
     * @param retained the retained messages; null when {@code mqtt.retainedTopic} is not set.
     */
    MqttConnectionHandler(
        final MqttGatewaySettings settings, final GatewayServices services, final MqttSessions sessions, final ClientTlsContext tls,
        final MqttRetainedMessages retained)
    {
        this.settings = settings;
        this.services = services;
        this.sessions = sessions;
        this.tls = tls;
        this.retained = retained;
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (state == MqttConnectionState.CLOSED)
        {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (paused != 0 || (held != null && !held.isEmpty()))
        {
            if (held == null)
            {
                held = new ArrayDeque<>(4);
            }
            held.add(msg);
            return;
        }
        dispatch(msg);
    }

    private void dispatch(final Object msg)
    {
        try
        {
            if (!(msg instanceof MqttMessage packet))
            {
                return;
            }
            if (packet.decoderResult().isFailure())
            {
                onBadPacket(packet.decoderResult().cause());
                return;
            }
            final MqttMessageType type = packet.fixedHeader().messageType();
            if (type == MqttMessageType.CONNECT)
            {
                onConnect((MqttConnectMessage)packet);
                return;
            }
            if (state != MqttConnectionState.CONNECTED)
            {
                onProtocolError("packet before CONNECT: type=" + type);
                return;
            }
            switch (type)
            {
                case PUBLISH -> onPublish((MqttPublishMessage)packet);
                case PUBREL -> onPubRel(((MqttMessageIdVariableHeader)packet.variableHeader()).messageId());
                case PINGREQ -> ctx.writeAndFlush(MqttReplies.pingResp());
                case DISCONNECT -> onDisconnect(packet);
                case SUBSCRIBE -> onSubscribe((MqttSubscribeMessage)packet);
                case UNSUBSCRIBE -> subscriptions.unsubscribe(((MqttUnsubscribeMessage)packet).variableHeader().messageId(),
                    ((MqttUnsubscribeMessage)packet).payload().topics());
                case PUBACK -> subscriptions.onPubAck(((MqttMessageIdVariableHeader)packet.variableHeader()).messageId());
                case PUBREC, PUBCOMP -> onProtocolError("QoS 2 acknowledgement of a message never sent at QoS 2: type=" + type);
                default -> onProtocolError("unexpected packet: type=" + type);
            }
        }
        finally
        {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onDisconnect(final MqttMessage disconnect)
    {
        if (mqtt5 && disconnect.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader header)
        {
            final MqttProperties.MqttProperty<?> expiry = header.properties().getProperty(MqttProperties.SESSION_EXPIRY_INTERVAL);
            if (expiry != null)
            {
                final long seconds = Integer.toUnsignedLong((Integer)expiry.value());
                if (seconds > 0 && !session.persistent())
                {
                    // MQTT 5.0 section 3.14.2.2.2: a session that was to end with its connection cannot be made to last.
                    onProtocolError("DISCONNECT sets a session expiry on a session that had none");
                    return;
                }
                sessionExpiry = Duration.ofSeconds(Math.min(seconds, settings.sessionExpiry().toSeconds()));
            }
        }
        close();
    }

    private void onConnect(final MqttConnectMessage connect)
    {
        if (state != MqttConnectionState.AWAITING_CONNECT)
        {
            onProtocolError("a second CONNECT");
            return;
        }
        mqtt5 = connect.variableHeader().version() == MQTT_5;
        state = MqttConnectionState.LOGGING_IN;
        pause(PAUSED_FOR_LOGIN);
        final boolean cleanStart = connect.variableHeader().isCleanSession();
        final int keepAliveSeconds = connect.variableHeader().keepAliveTimeSeconds();
        final long requestedExpirySeconds = mqtt5 ? sessionExpiryInterval(connect.variableHeader().properties()) : -1;
        receiveMaximum = mqtt5 ? receiveMaximum(connect.variableHeader().properties()) : RECEIVE_MAXIMUM;
        final String requestedId = connect.payload().clientIdentifier();
        final boolean assigned = requestedId == null || requestedId.isEmpty();
        clientId = assigned ? "kafka-proxy-" + UUID.randomUUID() : requestedId;
        MqttLogin.principal(services.mqttAuthenticator(), settings.bearerPasswords(),
                connect.variableHeader().hasUserName() ? connect.payload().userName() : null,
                connect.variableHeader().hasPassword() ? connect.payload().passwordInBytes() : null,
                peerCertificate(), tls)
            .whenComplete((principal, error) -> ctx.executor().execute(() ->
                onLogin(principal, error, cleanStart, keepAliveSeconds, requestedExpirySeconds, assigned)));
    }

    private void onLogin(
        final String principal, final Throwable error, final boolean cleanStart, final int keepAliveSeconds,
        final long requestedExpirySeconds, final boolean assigned)
    {
        if (state != MqttConnectionState.LOGGING_IN)
        {
            return;
        }
        if (error != null)
        {
            final int reasonCode = MqttLogin.reasonCode(error);
            services.metrics().onError(PROTOCOL, reasonCode == MqttReplies.NOT_AUTHORIZED ? "not_authorized" : "bad_credentials");
            warnOnce("MQTT login refused", error.getMessage());
            state = MqttConnectionState.CLOSED;
            ctx.writeAndFlush(MqttReplies.connAck(mqtt5, reasonCode, false, MqttProperties.NO_PROPERTIES))
                .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        client = services.access().forClient(principal,
            ctx.channel().remoteAddress() instanceof InetSocketAddress remote ? remote.getAddress() : null);
        final boolean persistent;
        if (mqtt5)
        {
            persistent = requestedExpirySeconds > 0;
            sessionExpiry = Duration.ofSeconds(Math.min(requestedExpirySeconds, settings.sessionExpiry().toSeconds()));
        }
        else
        {
            persistent = !cleanStart;
            sessionExpiry = settings.sessionExpiry();
        }
        final MqttSessions.Attachment attachment = sessions.attach(clientId, cleanStart, persistent, ctx.channel());
        session = attachment.session();
        final Channel previous = attachment.previousOwner();
        if (previous != null)
        {
            // MQTT 3.1.1 section 3.1.4: the server disconnects the existing client; this one proceeds once that one has
            // left the session (its subscriptions' positions kept), so that the two never touch it at the same time.
            services.metrics().onError(PROTOCOL, "session_taken_over");
            previous.eventLoop().execute(() -> takeOver(previous, () -> ctx.executor().execute(() ->
                onConnected(attachment.sessionPresent(), keepAliveSeconds, requestedExpirySeconds, assigned))));
            return;
        }
        onConnected(attachment.sessionPresent(), keepAliveSeconds, requestedExpirySeconds, assigned);
    }

    private static void takeOver(final Channel previous, final Runnable whenReleased)
    {
        final MqttConnectionHandler handler = previous.pipeline().get(MqttConnectionHandler.class);
        if (handler == null || handler.released)
        {
            whenReleased.run();
            return;
        }
        handler.whenReleased = whenReleased;
        handler.disconnect(MqttReplies.SESSION_TAKEN_OVER);
    }

    private void onConnected(final boolean sessionPresent, final int keepAliveSeconds, final long requestedExpirySeconds, final boolean assigned)
    {
        if (state != MqttConnectionState.LOGGING_IN)
        {
            return;
        }
        state = MqttConnectionState.CONNECTED;
        counted = true;
        services.metrics().sessions(PROTOCOL).incrementAndGet();
        final int keepAlive = grantedKeepAlive(keepAliveSeconds);
        ctx.pipeline().remove(KEEP_ALIVE);
        if (keepAlive > 0)
        {
            // MQTT 3.1.1 section 3.1.2.10: one and a half keep-alive periods without a packet and the client is gone.
            ctx.pipeline().addBefore(ctx.name(), KEEP_ALIVE, new IdleStateHandler(keepAlive * 1500L, 0, 0, TimeUnit.MILLISECONDS));
        }
        final MqttProperties properties = new MqttProperties();
        if (mqtt5)
        {
            if (keepAlive != keepAliveSeconds)
            {
                properties.add(new MqttProperties.IntegerProperty(MqttProperties.SERVER_KEEP_ALIVE, keepAlive));
            }
            if (assigned)
            {
                properties.add(new MqttProperties.StringProperty(MqttProperties.ASSIGNED_CLIENT_IDENTIFIER, clientId));
            }
            if (requestedExpirySeconds > sessionExpiry.toSeconds())
            {
                properties.add(new MqttProperties.IntegerProperty(MqttProperties.SESSION_EXPIRY_INTERVAL, (int)sessionExpiry.toSeconds()));
            }
            properties.add(new MqttProperties.IntegerProperty(MqttProperties.MAXIMUM_PACKET_SIZE, settings.maxPacketBytes()));
            properties.add(new MqttProperties.IntegerProperty(MqttProperties.RECEIVE_MAXIMUM, RECEIVE_MAXIMUM));
            properties.add(new MqttProperties.IntegerProperty(MqttProperties.RETAIN_AVAILABLE, settings.retainedTopic() != null ? 1 : 0));
            properties.add(new MqttProperties.IntegerProperty(MqttProperties.SHARED_SUBSCRIPTION_AVAILABLE, 0));
            properties.add(new MqttProperties.IntegerProperty(MqttProperties.SUBSCRIPTION_IDENTIFIER_AVAILABLE, 0));
            properties.add(new MqttProperties.IntegerProperty(MqttProperties.TOPIC_ALIAS_MAXIMUM, 0));
        }
        ctx.writeAndFlush(MqttReplies.connAck(mqtt5, MqttReplies.SUCCESS, sessionPresent, properties));
        subscriptions = new MqttSubscriptions(ctx, services, retained, mqtt5, receiveMaximum, session, client, this::onSlowSubscriber);
        if (sessionPresent)
        {
            subscriptions.resume();
        }
        if (LOGGER.isDebugEnabled())
        {
            LOGGER.atDebug()
                .addKeyValue("channelId", ctx.channel().id().asShortText())
                .addKeyValue("clientAddress", ctx.channel().remoteAddress())
                .addKeyValue("clientId", clientId)
                .addKeyValue("principal", client.principal())
                .log("MQTT session connected");
        }
        resume(PAUSED_FOR_LOGIN);
    }

    private int grantedKeepAlive(final int requested)
    {
        if (!mqtt5)
        {
            // 3.1.1 cannot be told another value: a client pinging less often than keepAliveMax would be cut off.
            return requested;
        }
        final int max = (int)Math.min(65_535, settings.keepAliveMax().toSeconds());
        return requested == 0 || requested > max ? max : requested;
    }

    private void onPublish(final MqttPublishMessage publish)
    {
        final int qos = publish.fixedHeader().qosLevel().value();
        final int packetId = publish.variableHeader().packetId();
        final String topic = publish.variableHeader().topicName();
        if (topic == null || topic.isEmpty())
        {
            // An empty topic is a topic alias reference, and the CONNACK granted no aliases.
            onDisconnectError(MqttReplies.TOPIC_ALIAS_INVALID, "topic_alias", "PUBLISH without a topic name");
            return;
        }
        if (!MqttTopicFilter.isValidTopicName(topic))
        {
            onDisconnectError(MqttReplies.TOPIC_NAME_INVALID, "invalid_topic", "invalid topic name: topic=" + topic);
            return;
        }
        final boolean retain = publish.fixedHeader().isRetain();
        if (retain && settings.retainedTopic() == null && mqtt5)
        {
            onDisconnectError(MqttReplies.RETAIN_NOT_SUPPORTED, "retain_not_supported", "retained PUBLISH: no mqtt.retainedTopic");
            return;
        }
        final MqttTopicMapping.Route route = settings.mapping().route(topic);
        final String kafkaTopic = route.topic(topic);
        if (kafkaTopic == null)
        {
            refusePublish(qos, packetId, MqttReplies.TOPIC_NAME_INVALID, "invalid_kafka_topic",
                "MQTT topic maps to an invalid Kafka topic name: topic=" + topic, true);
            return;
        }
        if (!client.mayWrite(kafkaTopic) || (retain && settings.retainedTopic() != null && !client.mayWrite(settings.retainedTopic())))
        {
            refusePublish(qos, packetId, MqttReplies.NOT_AUTHORIZED, "denied", "WRITE denied: topic=" + kafkaTopic, false);
            return;
        }
        if (qos == 2 && !session.holdQos2(packetId))
        {
            // MQTT 3.1.1 section 4.3.3: a PUBLISH whose packet id awaits PUBREL is a duplicate: answered, not written again.
            ackAt(acks.add(packetId, MqttPublishAcks.PUBREC), MqttReplies.SUCCESS);
            return;
        }
        final ProducerRecord<byte[], byte[]> record = MqttRecords.of(publish, kafkaTopic, route.key(topic, clientId));
        if (retain && settings.retainedTopic() != null)
        {
            send(MqttRecords.retained(publish, settings.retainedTopic()), 0, 0, -1);
        }
        final long sequence = qos == 0 ? -1 : acks.add(packetId, qos == 1 ? MqttPublishAcks.PUBACK : MqttPublishAcks.PUBREC);
        send(record, qos, packetId, sequence);
    }

    private void send(final ProducerRecord<byte[], byte[]> record, final int qos, final int packetId, final long sequence)
    {
        final String topic = record.topic();
        final long bytes = (record.key() == null ? 0 : record.key().length) + (record.value() == null ? 0 : record.value().length);
        final GatewayProducer.Callback callback = (metadata, error) ->
            ctx.executor().execute(() -> onProduced(topic, qos, packetId, sequence, error));
        if (blocked != null && !blocked.isEmpty())
        {
            blocked.add(new BlockedSend(record, callback));
        }
        else if (!services.producer().trySend(record, callback))
        {
            if (blocked == null)
            {
                blocked = new ArrayDeque<>(2);
            }
            blocked.add(new BlockedSend(record, callback));
            // Counted though nothing is lost: an operator sees MQTT clients held back by the gateway's buffer.
            services.metrics().onError(PROTOCOL, "producer_buffer_full");
            pause(PAUSED_FOR_BUFFER);
            services.producer().whenBufferAvailable(() -> ctx.executor().execute(this::retryBlocked));
        }
        final long throttleMillis = client.produceThrottleMillis(topic, bytes);
        if (throttleMillis > 0)
        {
            pause(PAUSED_FOR_QUOTA);
            ctx.executor().schedule(() -> resume(PAUSED_FOR_QUOTA), throttleMillis, TimeUnit.MILLISECONDS);
        }
    }

    private void retryBlocked()
    {
        while (blocked != null && !blocked.isEmpty())
        {
            // Sent even once the connection has closed: the client handed these over (QoS 0 ones for good).
            final BlockedSend next = blocked.peek();
            if (!services.producer().trySend(next.record(), next.callback()))
            {
                services.producer().whenBufferAvailable(() -> ctx.executor().execute(this::retryBlocked));
                return;
            }
            blocked.poll();
        }
        resume(PAUSED_FOR_BUFFER);
    }

    private void onProduced(final String topic, final int qos, final int packetId, final long sequence, final Exception error)
    {
        if (error == null)
        {
            services.metrics().onRecords(PROTOCOL, "in", topic, 1);
            if (sequence >= 0)
            {
                ackAt(sequence, MqttReplies.SUCCESS);
            }
            return;
        }
        services.metrics().onError(PROTOCOL, "produce_failed");
        if (qos == 2)
        {
            session.releaseQos2(packetId);
        }
        if (state == MqttConnectionState.CLOSED || sequence < 0)
        {
            return;
        }
        warnOnce("MQTT PUBLISH not written to Kafka", topic + ": " + error);
        if (mqtt5)
        {
            ackAt(sequence, MqttReplies.UNSPECIFIED_ERROR);
        }
        else
        {
            // 3.1.1 has no negative acknowledgement: without one the client sends the message again once reconnected.
            close();
        }
    }

    private void refusePublish(
        final int qos, final int packetId, final int reasonCode, final String reason, final String detail, final boolean closeOn311)
    {
        services.metrics().onError(PROTOCOL, reason);
        warnOnce("MQTT PUBLISH refused", detail);
        if (!mqtt5 && closeOn311)
        {
            close();
            return;
        }
        if (qos > 0)
        {
            ackAt(acks.add(packetId, qos == 1 ? MqttPublishAcks.PUBACK : MqttPublishAcks.PUBREC), mqtt5 ? reasonCode : MqttReplies.SUCCESS);
        }
    }

    private void onPubRel(final int packetId)
    {
        final boolean held = session.releaseQos2(packetId);
        ctx.writeAndFlush(MqttReplies.pubReply(MqttMessageType.PUBCOMP, packetId,
            held ? MqttReplies.SUCCESS : MqttReplies.PACKET_IDENTIFIER_NOT_FOUND));
    }

    private void onSubscribe(final MqttSubscribeMessage subscribe)
    {
        final Map<String, Integer> filters = new LinkedHashMap<>();
        final Set<String> withoutRetained = new HashSet<>();
        for (final MqttTopicSubscription subscription : subscribe.payload().topicSubscriptions())
        {
            final String filter = subscription.topicFilter();
            filters.put(filter, subscription.qualityOfService().value());
            // MQTT 5 Retain Handling: 1 sends retained messages only for a new subscription, 2 never.
            final RetainedHandlingPolicy retainHandling = subscription.option().retainHandling();
            if (retainHandling == RetainedHandlingPolicy.DONT_SEND_AT_SUBSCRIBE ||
                retainHandling == RetainedHandlingPolicy.SEND_AT_SUBSCRIBE_IF_NOT_YET_EXISTS && session.subscriptions().containsKey(filter))
            {
                withoutRetained.add(filter);
            }
        }
        // Held until answered: a PUBLISH or UNSUBSCRIBE after it must see the subscription in place.
        pause(PAUSED_FOR_SUBSCRIBE);
        subscriptions.subscribe(subscribe.variableHeader().messageId(), filters, withoutRetained, () -> resume(PAUSED_FOR_SUBSCRIBE));
    }

    private void onSlowSubscriber(final FeedCloseReason reason)
    {
        services.metrics().onSubscriberDropped(PROTOCOL, reason.label());
        warnOnce("MQTT subscriber disconnected", "its client reads slower than the topics it follows are written");
        disconnect(MqttReplies.QUOTA_EXCEEDED);
    }

    private void ackAt(final long sequence, final int reasonCode)
    {
        acks.complete(sequence, reasonCode);
        if (acks.release(ackWriter) > 0)
        {
            ctx.flush();
        }
    }

    private void writeAck(final int packetId, final int kind, final int reasonCode)
    {
        ctx.write(MqttReplies.pubReply(kind == MqttPublishAcks.PUBACK ? MqttMessageType.PUBACK : MqttMessageType.PUBREC, packetId, reasonCode));
    }

    private void onBadPacket(final Throwable cause)
    {
        if (state == MqttConnectionState.AWAITING_CONNECT && cause instanceof MqttUnacceptableProtocolVersionException)
        {
            refuseConnect(MqttReplies.UNSUPPORTED_PROTOCOL_VERSION, "unsupported_protocol_version", cause);
            return;
        }
        if (state == MqttConnectionState.AWAITING_CONNECT && cause instanceof MqttIdentifierRejectedException)
        {
            refuseConnect(MqttReplies.CLIENT_IDENTIFIER_NOT_VALID, "client_identifier_not_valid", cause);
            return;
        }
        if (cause instanceof TooLongFrameException)
        {
            onDisconnectError(MqttReplies.PACKET_TOO_LARGE, "packet_too_large", String.valueOf(cause.getMessage()));
            return;
        }
        onDisconnectError(MqttReplies.MALFORMED_PACKET, "malformed", String.valueOf(cause.getMessage()));
    }

    private void refuseConnect(final int reasonCode, final String reason, final Throwable cause)
    {
        services.metrics().onError(PROTOCOL, reason);
        warnOnce("MQTT CONNECT refused", String.valueOf(cause.getMessage()));
        state = MqttConnectionState.CLOSED;
        // The version is unknown or the CONNECT unreadable: the 3.1.1 form, which every client reads.
        ctx.writeAndFlush(MqttReplies.connAck(false, reasonCode, false, MqttProperties.NO_PROPERTIES)).addListener(ChannelFutureListener.CLOSE);
    }

    private void onProtocolError(final String detail)
    {
        onDisconnectError(MqttReplies.PROTOCOL_ERROR, "protocol_error", detail);
    }

    private void onDisconnectError(final int reasonCode, final String reason, final String detail)
    {
        services.metrics().onError(PROTOCOL, reason);
        warnOnce("MQTT connection closed on a bad packet", detail);
        disconnect(reasonCode);
    }

    private void disconnect(final int reasonCode)
    {
        if (state == MqttConnectionState.CLOSED)
        {
            return;
        }
        final boolean connected = state == MqttConnectionState.CONNECTED;
        state = MqttConnectionState.CLOSED;
        if (mqtt5 && connected)
        {
            ctx.writeAndFlush(MqttReplies.disconnect(reasonCode)).addListener(ChannelFutureListener.CLOSE);
        }
        else
        {
            ctx.close();
        }
    }

    private void close()
    {
        state = MqttConnectionState.CLOSED;
        ctx.close();
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt)
    {
        if (evt instanceof IdleStateEvent)
        {
            final boolean connecting = state == MqttConnectionState.AWAITING_CONNECT;
            services.metrics().onError(PROTOCOL, connecting ? "connect_timeout" : "keepalive_timeout");
            if (LOGGER.isDebugEnabled())
            {
                LOGGER.atDebug()
                    .addKeyValue("channelId", ctx.channel().id().asShortText())
                    .addKeyValue("clientAddress", ctx.channel().remoteAddress())
                    .addKeyValue("clientId", clientId)
                    .log(connecting ? "MQTT connection sent no CONNECT in time" : "MQTT keep-alive expired");
            }
            disconnect(MqttReplies.KEEP_ALIVE_TIMEOUT);
        }
        else if (evt instanceof ChannelInputShutdownEvent)
        {
            // Half-closure is allowed so that packets read before the client's FIN, held while reads were paused,
            // are still served (a client that publishes at QoS 0 and disconnects at once loses nothing).
            inputShutdown = true;
            if (paused == 0 && (held == null || held.isEmpty()))
            {
                close();
            }
        }
        else if (evt == SHUTTING_DOWN)
        {
            disconnect(MqttReplies.SERVER_SHUTTING_DOWN);
        }
        else if (evt instanceof SslHandshakeCompletionEvent completion && !completion.isSuccess())
        {
            services.metrics().onError(PROTOCOL, "tls_handshake_failed");
            LOGGER.atDebug()
                .addKeyValue("channelId", ctx.channel().id().asShortText())
                .addKeyValue("clientAddress", ctx.channel().remoteAddress())
                .addKeyValue("error", String.valueOf(completion.cause()))
                .log("MQTT TLS handshake failed");
            close();
        }
        else
        {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        if (cause instanceof IOException)
        {
            // A reset or a broken pipe: clients vanish all day (mobile networks, devices losing power).
            services.metrics().onError(PROTOCOL, "io_error");
            LOGGER.atDebug()
                .addKeyValue("channelId", ctx.channel().id().asShortText())
                .addKeyValue("clientAddress", ctx.channel().remoteAddress())
                .addKeyValue("clientId", clientId)
                .addKeyValue("error", String.valueOf(cause))
                .log("MQTT connection failed");
        }
        else
        {
            services.metrics().onError(PROTOCOL, "internal_error");
            warnOnce("MQTT connection failed", String.valueOf(cause));
        }
        close();
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        state = MqttConnectionState.CLOSED;
        if (held != null)
        {
            Object msg;
            while ((msg = held.poll()) != null)
            {
                ReferenceCountUtil.release(msg);
            }
        }
        if (counted)
        {
            counted = false;
            services.metrics().sessions(PROTOCOL).decrementAndGet();
        }
        if (subscriptions != null)
        {
            subscriptions.close();
        }
        if (session != null)
        {
            sessions.detach(session, ctx.channel(), sessionExpiry);
        }
        released = true;
        if (whenReleased != null)
        {
            whenReleased.run();
            whenReleased = null;
        }
        ctx.fireChannelInactive();
    }

    private void pause(final int reason)
    {
        paused |= reason;
        ctx.channel().config().setAutoRead(false);
    }

    private void resume(final int reason)
    {
        paused &= ~reason;
        if (paused != 0 || state == MqttConnectionState.CLOSED)
        {
            return;
        }
        while (held != null && !held.isEmpty() && paused == 0 && state != MqttConnectionState.CLOSED)
        {
            dispatch(held.poll());
        }
        if (paused == 0 && state != MqttConnectionState.CLOSED)
        {
            if (inputShutdown)
            {
                // The client closed its side once it had sent everything; all of it is now served.
                close();
                return;
            }
            ctx.channel().config().setAutoRead(true);
        }
    }

    private X509Certificate peerCertificate()
    {
        final SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        if (ssl == null)
        {
            return null;
        }
        try
        {
            final Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate peer ? peer : null;
        }
        catch (final SSLPeerUnverifiedException e)
        {
            return null;
        }
    }

    private static long sessionExpiryInterval(final MqttProperties properties)
    {
        final MqttProperties.MqttProperty<?> property = properties == null ? null : properties.getProperty(MqttProperties.SESSION_EXPIRY_INTERVAL);
        // Four bytes, unsigned: 0xFFFFFFFF means "never expires".
        return property == null ? 0 : Integer.toUnsignedLong((Integer)property.value());
    }

    private static int receiveMaximum(final MqttProperties properties)
    {
        final MqttProperties.MqttProperty<?> property = properties == null ? null : properties.getProperty(MqttProperties.RECEIVE_MAXIMUM);
        return property == null ? RECEIVE_MAXIMUM : (Integer)property.value();
    }

    private void warnOnce(final String what, final String detail)
    {
        if (warned)
        {
            return;
        }
        warned = true;
        LOGGER.atWarn()
            .addKeyValue("channelId", ctx.channel().id().asShortText())
            .addKeyValue("clientAddress", ctx.channel().remoteAddress())
            .addKeyValue("clientId", clientId)
            .addKeyValue("principal", client == null ? null : client.principal())
            .addKeyValue("error", detail)
            .log(what);
    }
}

package io.kafkaproxy.proxy.gateway.mqtt;

import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnAckVariableHeader;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;

/**
 * The packets the gateway answers with, for MQTT 3.1.1 and 5.0: the MQTT 5 reason codes are the vocabulary, and the
 * 3.1.1 CONNACK return code is derived from them (MQTT 5.0 section 3.2.2.2 lists the pairs). PUBACK, PUBREC and
 * PUBCOMP carry their reason code only on 5.0 (Netty's encoder drops it on 3.1.1, where the packets have none).
 * Stateless.
 */
final class MqttReplies
{
    /** Success. */
    static final int SUCCESS = 0x00;
    /** Unspecified error: Kafka did not take the record. */
    static final int UNSPECIFIED_ERROR = 0x80;
    /** Malformed packet. */
    static final int MALFORMED_PACKET = 0x81;
    /** Protocol error (a second CONNECT, a packet before CONNECT). */
    static final int PROTOCOL_ERROR = 0x82;
    /** Unsupported protocol version. */
    static final int UNSUPPORTED_PROTOCOL_VERSION = 0x84;
    /** Client identifier not valid. */
    static final int CLIENT_IDENTIFIER_NOT_VALID = 0x85;
    /** Bad user name or password. */
    static final int BAD_USER_NAME_OR_PASSWORD = 0x86;
    /** Not authorized (ACL). */
    static final int NOT_AUTHORIZED = 0x87;
    /** Server unavailable. */
    static final int SERVER_UNAVAILABLE = 0x88;
    /** Server shutting down. */
    static final int SERVER_SHUTTING_DOWN = 0x8B;
    /** Keep alive timeout. */
    static final int KEEP_ALIVE_TIMEOUT = 0x8D;
    /** Session taken over by a connection with the same client id. */
    static final int SESSION_TAKEN_OVER = 0x8E;
    /** Topic filter invalid. */
    static final int TOPIC_FILTER_INVALID = 0x8F;
    /** Topic name invalid: also an MQTT topic whose Kafka topic is not a valid name. */
    static final int TOPIC_NAME_INVALID = 0x90;
    /** Packet identifier not found (a PUBREL for nothing held). */
    static final int PACKET_IDENTIFIER_NOT_FOUND = 0x92;
    /** Topic alias invalid: the gateway grants no topic aliases. */
    static final int TOPIC_ALIAS_INVALID = 0x94;
    /** Packet too large. */
    static final int PACKET_TOO_LARGE = 0x95;
    /** Quota exceeded (the slow-subscriber rule). */
    static final int QUOTA_EXCEEDED = 0x97;
    /** Retain not supported: no {@code mqtt.retainedTopic}. */
    static final int RETAIN_NOT_SUPPORTED = 0x9A;

    private MqttReplies()
    {
    }

    /**
     * A CONNACK.
     *
     * @param mqtt5          whether the client speaks 5.0.
     * @param reasonCode     the 5.0 reason code; mapped to a 3.1.1 return code otherwise.
     * @param sessionPresent whether a session was resumed.
     * @param properties     the 5.0 properties; ignored on 3.1.1.
     * @return the packet.
     */
    static MqttConnAckMessage connAck(final boolean mqtt5, final int reasonCode, final boolean sessionPresent, final MqttProperties properties)
    {
        final MqttConnectReturnCode code = MqttConnectReturnCode.valueOf((byte)(mqtt5 ? reasonCode : returnCode311(reasonCode)));
        return new MqttConnAckMessage(
            new MqttFixedHeader(MqttMessageType.CONNACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
            new MqttConnAckVariableHeader(code, sessionPresent && code == MqttConnectReturnCode.CONNECTION_ACCEPTED,
                mqtt5 ? properties : MqttProperties.NO_PROPERTIES));
    }

    /**
     * The 3.1.1 CONNACK return code matching a 5.0 reason code.
     *
     * @param reasonCode the 5.0 reason code.
     * @return 0 to 5.
     */
    static int returnCode311(final int reasonCode)
    {
        return switch (reasonCode)
        {
            case SUCCESS -> 0x00;
            case UNSUPPORTED_PROTOCOL_VERSION -> 0x01;
            case CLIENT_IDENTIFIER_NOT_VALID -> 0x02;
            case BAD_USER_NAME_OR_PASSWORD -> 0x04;
            case NOT_AUTHORIZED -> 0x05;
            default -> 0x03;
        };
    }

    /**
     * A PUBACK (QoS 1), PUBREC (QoS 2 received) or PUBCOMP (QoS 2 complete).
     *
     * @param type       {@code PUBACK}, {@code PUBREC} or {@code PUBCOMP}.
     * @param packetId   the packet id.
     * @param reasonCode the 5.0 reason code.
     * @return the packet.
     */
    static MqttMessage pubReply(final MqttMessageType type, final int packetId, final int reasonCode)
    {
        return new MqttMessage(
            new MqttFixedHeader(type, false, MqttQoS.AT_MOST_ONCE, false, 0),
            new MqttPubReplyMessageVariableHeader(packetId, (byte)reasonCode, MqttProperties.NO_PROPERTIES));
    }

    /**
     * A DISCONNECT from the server: 5.0 only (3.1.1 has none; the server just closes).
     *
     * @param reasonCode the reason code.
     * @return the packet.
     */
    static MqttMessage disconnect(final int reasonCode)
    {
        return new MqttMessage(
            new MqttFixedHeader(MqttMessageType.DISCONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0),
            new MqttReasonCodeAndPropertiesVariableHeader((byte)reasonCode, MqttProperties.NO_PROPERTIES));
    }

    /**
     * A PINGRESP.
     *
     * @return the packet.
     */
    static MqttMessage pingResp()
    {
        return new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGRESP, false, MqttQoS.AT_MOST_ONCE, false, 0));
    }
}

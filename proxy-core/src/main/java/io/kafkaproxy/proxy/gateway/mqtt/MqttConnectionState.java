package io.kafkaproxy.proxy.gateway.mqtt;

/**
 * Where an MQTT connection is.
 *
 * <pre>
 *   AWAITING_CONNECT --CONNECT--> LOGGING_IN --principal--> CONNECTED --DISCONNECT, error, takeover--> CLOSED
 *          |                          |
 *          +------- error ------------+--- refused (CONNACK with its code) -----------------------------> CLOSED
 * </pre>
 */
enum MqttConnectionState
{
    /** Accepted; the first packet must be CONNECT. */
    AWAITING_CONNECT,
    /** CONNECT received; its credentials are being checked (reads paused, later packets held). */
    LOGGING_IN,
    /** CONNACK sent: PUBLISH, SUBSCRIBE and the rest are served. */
    CONNECTED,
    /** Closing or closed: nothing more is read or answered. */
    CLOSED
}

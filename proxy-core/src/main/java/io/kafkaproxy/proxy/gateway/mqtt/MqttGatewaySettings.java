package io.kafkaproxy.proxy.gateway.mqtt;

import io.kafkaproxy.proxy.config.MqttConfig;

import java.time.Duration;

/**
 * The {@code mqtt} section compiled for the connections: the topic mapping built once, and the limits each
 * connection applies. Immutable and shared by every connection.
 *
 * @param mapping         the compiled {@code mqtt.mappings}.
 * @param maxPacketBytes  {@code mqtt.maxPacketBytes}.
 * @param keepAliveMax    {@code mqtt.keepAliveMax}: the longest keep-alive a 5.0 client is granted.
 * @param sessionExpiry   {@code mqtt.sessionExpiry}: the longest a persistent session outlives its connection.
 * @param retainedTopic   {@code mqtt.retainedTopic}; null: retained messages are not supported.
 * @param bearerPasswords whether {@code mqtt.auth.oauthbearer} is set: a password that is a JWT is checked as one.
 * @param connectTimeout  how long a new connection may take to send its CONNECT.
 */
record MqttGatewaySettings(
    MqttTopicMapping mapping, int maxPacketBytes, Duration keepAliveMax, Duration sessionExpiry, String retainedTopic,
    boolean bearerPasswords, Duration connectTimeout)
{
    /** How long a connection may stay silent before its CONNECT. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Compiles the section.
     *
     * @param config the validated section.
     * @return the settings.
     */
    static MqttGatewaySettings of(final MqttConfig config)
    {
        return new MqttGatewaySettings(MqttTopicMapping.compile(config.mappings()), config.maxPacketBytes(), config.keepAliveMax(),
            config.sessionExpiry(), config.retainedTopic(), config.auth().oauthbearer() != null, CONNECT_TIMEOUT);
    }
}

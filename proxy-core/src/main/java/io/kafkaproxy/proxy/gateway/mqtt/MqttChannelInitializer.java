package io.kafkaproxy.proxy.gateway.mqtt;

import io.kafkaproxy.proxy.gateway.GatewayServices;
import io.kafkaproxy.proxy.gateway.settings.GatewaySettings;
import io.kafkaproxy.proxy.tls.ClientTlsContext;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.timeout.IdleStateHandler;

import java.util.concurrent.TimeUnit;

/**
 * Builds an MQTT connection's pipeline:
 *
 * <pre>
 *   [ssl] --> mqttDecoder --> mqttEncoder --> keepAlive --> mqtt
 * </pre>
 *
 * <p>{@code ssl} when the current snapshot has {@code mqtt.tls} (a connection keeps the context it was accepted with);
 * {@code keepAlive} first bounds the wait for CONNECT, then the client's keep-alive. Stateless and shared by the
 * listener's connections: each gets new handlers.
 */
final class MqttChannelInitializer extends ChannelInitializer<Channel>
{
    private final MqttGatewaySettings settings;
    private final GatewayServices services;
    private final MqttSessions sessions;
    private final ChannelGroup connections;
    private final MqttRetainedMessages retained;

    /**
     * The initializer of a listener.
     *
     * @param settings    the compiled {@code mqtt} section.
     * @param services    the gateway's services.
     * @param sessions    the listener's sessions.
     * @param connections where open connections are kept, so that a stop reaches them.
     * @param retained    the retained messages; null when not supported.
     */
    MqttChannelInitializer(
        final MqttGatewaySettings settings, final GatewayServices services, final MqttSessions sessions, final ChannelGroup connections,
        final MqttRetainedMessages retained)
    {
        this.retained = retained;
        this.settings = settings;
        this.services = services;
        this.sessions = sessions;
        this.connections = connections;
    }

    @Override
    protected void initChannel(final Channel ch)
    {
        connections.add(ch);
        final GatewaySettings gateway = services.snapshot().gateway();
        final ClientTlsContext tls = gateway == null ? null : gateway.mqttTls();
        if (tls != null)
        {
            ch.pipeline().addLast("ssl", tls.newHandler(ch.alloc()));
        }
        ch.pipeline()
            .addLast("mqttDecoder", new MqttDecoder(settings.maxPacketBytes()))
            .addLast("mqttEncoder", MqttEncoder.INSTANCE)
            .addLast(MqttConnectionHandler.KEEP_ALIVE,
                new IdleStateHandler(settings.connectTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS))
            .addLast("mqtt", new MqttConnectionHandler(settings, services, sessions, tls, retained));
    }
}

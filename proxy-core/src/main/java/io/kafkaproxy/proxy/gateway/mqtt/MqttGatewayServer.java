package io.kafkaproxy.proxy.gateway.mqtt;

import io.kafkaproxy.proxy.config.MqttConfig;
import io.kafkaproxy.proxy.gateway.GatewayListener;
import io.kafkaproxy.proxy.gateway.GatewayNetwork;
import io.kafkaproxy.proxy.gateway.GatewayServices;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;

/**
 * The MQTT listener: binds {@code mqtt.bindAddress} on the proxy's acceptor and I/O loops and serves MQTT 3.1.1 and
 * 5.0 clients ({@link MqttConnectionHandler}), with the sessions they share ({@link MqttSessions}).
 *
 * <p>Bound and closed by the gateway's lifecycle thread.
 */
public final class MqttGatewayServer implements GatewayListener
{
    private static final Logger LOGGER = LoggerFactory.getLogger(MqttGatewayServer.class);
    private static final long CLOSE_TIMEOUT_MILLIS = 5_000;

    private final Channel serverChannel;
    private final ChannelGroup connections;
    private final MqttRetainedMessages retained;

    private MqttGatewayServer(final Channel serverChannel, final ChannelGroup connections, final MqttRetainedMessages retained)
    {
        this.serverChannel = serverChannel;
        this.connections = connections;
        this.retained = retained;
    }

    /**
     * Binds the listener and waits for it.
     *
     * @param network  the proxy's event loops and transport.
     * @param config   the {@code mqtt} section.
     * @param services the gateway's services.
     * @return the bound listener.
     */
    public static MqttGatewayServer bind(final GatewayNetwork network, final MqttConfig config, final GatewayServices services)
    {
        final ChannelGroup connections = new DefaultChannelGroup("kafka-proxy-mqtt", GlobalEventExecutor.INSTANCE);
        final MqttGatewaySettings settings = MqttGatewaySettings.of(config);
        final MqttRetainedMessages retained = config.retainedTopic() == null ? null :
            MqttRetainedMessages.start(services.feeds(), config.retainedTopic(), network.io().next());
        final Channel channel = new ServerBootstrap()
            .group(network.acceptor(), network.io())
            .channel(network.serverChannelClass())
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.SO_KEEPALIVE, true)
            .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .childHandler(new MqttChannelInitializer(settings, services, new MqttSessions(), connections, retained))
            .bind(config.bindAddress().host(), config.bindAddress().port())
            .syncUninterruptibly()
            .channel();
        LOGGER.atInfo()
            .addKeyValue("bindAddress", channel.localAddress())
            .addKeyValue("tls", config.tls() != null)
            .log("MQTT listener bound");
        return new MqttGatewayServer(channel, connections, retained);
    }

    @Override
    public InetSocketAddress address()
    {
        return (InetSocketAddress)serverChannel.localAddress();
    }

    /**
     * Stops accepting, tells MQTT 5 clients the server is shutting down, and closes every connection.
     */
    @Override
    public void close()
    {
        serverChannel.close().awaitUninterruptibly(CLOSE_TIMEOUT_MILLIS);
        for (final Channel connection : connections)
        {
            connection.eventLoop().execute(() -> connection.pipeline().fireUserEventTriggered(MqttConnectionHandler.SHUTTING_DOWN));
        }
        connections.newCloseFuture().awaitUninterruptibly(CLOSE_TIMEOUT_MILLIS);
        connections.close().awaitUninterruptibly(CLOSE_TIMEOUT_MILLIS);
        if (retained != null)
        {
            retained.close();
        }
    }
}

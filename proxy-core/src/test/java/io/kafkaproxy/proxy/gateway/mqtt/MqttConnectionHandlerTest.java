package io.kafkaproxy.proxy.gateway.mqtt;

import io.kafkaproxy.proxy.cluster.ClusterSnapshot;
import io.kafkaproxy.proxy.config.ConfigParser;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.gateway.GatewayMetrics;
import io.kafkaproxy.proxy.gateway.GatewayServices;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.timeout.IdleStateHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One MQTT connection driven through an {@link EmbeddedChannel} with Netty's codec: raw packets in, raw packets out.
 * The services point at a broker that is not there: nothing here reaches Kafka.
 */
class MqttConnectionHandlerTest
{
    private static GatewayServices services;
    private static MqttGatewaySettings settings;

    @BeforeAll
    static void startServices() throws Exception
    {
        final ProxyConfig config = ConfigParser.parse("upstream:\n  bootstrapServers: [127.0.0.1:1]\n" +
            "mqtt:\n  bindAddress: 127.0.0.1:0\n  keepAliveMax: 30s\n", "mqtt-handler-test.yaml");
        final ClusterSnapshot snapshot = ClusterSnapshot.compile(config);
        services = new GatewayServices(config, () -> snapshot, new SimpleMeterRegistry());
        settings = MqttGatewaySettings.of(config.mqtt());
    }

    @AfterAll
    static void stopServices()
    {
        services.close();
    }

    @Test
    void shouldAcceptAnMqtt311ConnectAndCountTheSession()
    {
        // Given
        final EmbeddedChannel channel = channel();
        final int before = services.metrics().sessions("mqtt").get();

        // When
        channel.writeInbound(bytes(0x10, 0x0F, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 0x3C, 0x00, 0x03, 'c', 'i', 'd'));
        channel.runPendingTasks();

        // Then
        assertThat(written(channel)).as("CONNACK accepted, no session").isEqualTo("20020000");
        assertThat(services.metrics().sessions("mqtt").get()).isEqualTo(before + 1);
        assertThat(channel.pipeline().get(IdleStateHandler.class).getReaderIdleTimeInMillis()).as("1.5 x 60 s").isEqualTo(90_000);
        channel.close();
        assertThat(services.metrics().sessions("mqtt").get()).isEqualTo(before);
    }

    @Test
    void shouldGrantAnMqtt5ClientKeepAliveMaxAndItsAssignedClientId()
    {
        // Given
        final EmbeddedChannel channel = channel();

        // When: MQTT 5, keep-alive 0, no properties, empty client id
        channel.writeInbound(bytes(0x10, 0x0D, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00));
        channel.runPendingTasks();

        // Then
        final String connAck = written(channel);
        assertThat(connAck).as("CONNACK, reason 0").startsWith("20").contains("0000");
        assertThat(connAck).as("server keep alive 30").contains("13001e");
        assertThat(connAck).as("assigned client identifier").contains("12" + "0030" + ByteBufUtil.hexDump("kafka-proxy-".getBytes(StandardCharsets.UTF_8)));
        assertThat(channel.pipeline().get(IdleStateHandler.class).getReaderIdleTimeInMillis()).isEqualTo(45_000);
        channel.close();
    }

    @Test
    void shouldCloseAConnectionWhoseFirstPacketIsNotConnect()
    {
        // Given
        final EmbeddedChannel channel = channel();
        final double before = errors("protocol_error");

        // When: PINGREQ first
        channel.writeInbound(bytes(0xC0, 0x00));
        channel.runPendingTasks();

        // Then
        assertThat(channel.isOpen()).isFalse();
        assertThat(errors("protocol_error")).isEqualTo(before + 1);
    }

    @Test
    void shouldRefuseAnUnsupportedProtocolVersion()
    {
        // Given
        final EmbeddedChannel channel = channel();
        final double before = errors("unsupported_protocol_version");

        // When: protocol level 9
        channel.writeInbound(bytes(0x10, 0x0F, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x09, 0x02, 0x00, 0x3C, 0x00, 0x03, 'c', 'i', 'd'));
        channel.runPendingTasks();

        // Then
        assertThat(written(channel)).as("CONNACK 1").isEqualTo("20020001");
        assertThat(channel.isOpen()).isFalse();
        assertThat(errors("unsupported_protocol_version")).isEqualTo(before + 1);
    }

    @Test
    void shouldDisconnectAnMqtt5ClientThatSendsAMalformedPacket()
    {
        // Given
        final EmbeddedChannel channel = channel();
        channel.writeInbound(bytes(0x10, 0x10, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3C, 0x00, 0x00, 0x03, 'c', 'i', 'd'));
        channel.runPendingTasks();
        written(channel);

        // When: a packet of the reserved type 0
        channel.writeInbound(bytes(0x00, 0x00));
        channel.runPendingTasks();

        // Then
        assertThat(written(channel)).as("DISCONNECT 0x81").startsWith("e0").contains("81");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void shouldRefuseADisconnectThatMakesAnEndingSessionLast()
    {
        // Given: MQTT 5 with no session expiry (the session ends with the connection)
        final EmbeddedChannel channel = channel();
        final double before = errors("protocol_error");
        channel.writeInbound(bytes(0x10, 0x10, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3C, 0x00, 0x00, 0x03, 'e', 'n', 'd'));
        channel.runPendingTasks();
        written(channel);

        // When: DISCONNECT with a session expiry interval of 60 s
        channel.writeInbound(bytes(0xE0, 0x07, 0x00, 0x05, 0x11, 0x00, 0x00, 0x00, 0x3C));
        channel.runPendingTasks();

        // Then
        assertThat(written(channel)).as("DISCONNECT 0x82").startsWith("e0").contains("82");
        assertThat(channel.isOpen()).isFalse();
        assertThat(errors("protocol_error")).isEqualTo(before + 1);
    }

    @Test
    void shouldAnswerPingReqOnceConnected()
    {
        // Given
        final EmbeddedChannel channel = channel();
        channel.writeInbound(bytes(0x10, 0x0F, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 0x3C, 0x00, 0x03, 'p', 'n', 'g'));
        channel.runPendingTasks();
        written(channel);

        // When
        channel.writeInbound(bytes(0xC0, 0x00));
        channel.runPendingTasks();

        // Then
        assertThat(written(channel)).isEqualTo("d000");
        channel.close();
    }

    @Test
    void shouldCloseAConnectionThatSendsNoConnectInTime()
    {
        // Given
        final EmbeddedChannel channel = channel();
        final double before = errors("connect_timeout");

        // When
        channel.advanceTimeBy(settings.connectTimeout().toMillis() + 1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();

        // Then
        assertThat(channel.isOpen()).isFalse();
        assertThat(errors("connect_timeout")).isEqualTo(before + 1);
    }

    private static EmbeddedChannel channel()
    {
        final EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline()
            .addLast("mqttDecoder", new MqttDecoder(settings.maxPacketBytes()))
            .addLast("mqttEncoder", MqttEncoder.INSTANCE)
            .addLast(MqttConnectionHandler.KEEP_ALIVE,
                new IdleStateHandler(settings.connectTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS))
            .addLast("mqtt", new MqttConnectionHandler(settings, services, new MqttSessions(), null, null));
        return channel;
    }

    private static String written(final EmbeddedChannel channel)
    {
        final StringBuilder hex = new StringBuilder();
        ByteBuf out;
        while ((out = channel.readOutbound()) != null)
        {
            hex.append(ByteBufUtil.hexDump(out));
            out.release();
        }
        return hex.toString();
    }

    private static double errors(final String reason)
    {
        final Counter counter = services.metrics().registry().find(GatewayMetrics.ERRORS).tag("protocol", "mqtt").tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    private static ByteBuf bytes(final int... values)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final int value : values)
        {
            out.write(value);
        }
        return Unpooled.wrappedBuffer(out.toByteArray());
    }
}

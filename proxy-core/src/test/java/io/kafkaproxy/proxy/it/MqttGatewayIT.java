package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.gateway.GatewayMetrics;
import io.kafkaproxy.proxy.testing.ExternalCommand;
import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.kafkaproxy.proxy.testing.PolicyConfigs;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.kafkaproxy.proxy.testing.SaslCredentialFixtures;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttSecurityException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The MQTT gateway against a real broker, driven by mosquitto_pub (3.1.1 and 5.0), the Paho client (3.1.1) and raw
 * packets: CONNECT and its credentials, PUBLISH at QoS 0, 1 and 2 mapped to Kafka topics and keys, user properties as
 * headers, ACL denials, invalid topics, malformed packets and keep-alive.
 */
class MqttGatewayIT
{
    private static final String MOSQUITTO_PUB = "mosquitto_pub";
    private static final String ALICE_PASSWORD = "alice-secret";

    @TempDir
    static Path dir;

    private static ProxiedKafka kafka;
    private static InetSocketAddress mqtt;

    @BeforeAll
    static void startKafkaAndProxy() throws Exception
    {
        final Path users = SaslCredentialFixtures.writePlainUsers(dir.resolve("users.txt"),
            Map.of("alice", ALICE_PASSWORD, "mallory", "mallory-secret"));
        final ProxyConfig gateway = PolicyConfigs.parse(
            "mqtt:\n  bindAddress: 127.0.0.1:0\n  keepAliveMax: 30s\n  auth:\n    usersFile: " + users + "\n" +
            "  mappings:\n" +
            "    - {filter: devices/+/telemetry, topic: mqtt-telemetry, key: 'level:1'}\n" +
            "    - {filter: bulk/#, topic: mqtt-bulk, key: none}\n" +
            "acl:\n  defaultPolicy: allow\n  rules:\n" +
            "    - {principal: mallory, resourceType: topic, resourceName: '*', operations: [write], effect: deny}\n" +
            "gateway:\n  producer:\n    linger: 1ms\n    bufferMemory: 1MiB\n");
        kafka = ProxiedKafka.inFrontOf(InJvmKafka.start(List.of(1), Map.of()),
            config -> PolicyConfigs.withPolicyOf(config, gateway).toBuilder().mqtt(gateway.mqtt()).gateway(gateway.gateway()).build(),
            pipeline -> { });
        mqtt = kafka.proxy().gateway().mqttAddress();
        for (final String topic : List.of("mqtt-telemetry", "mqtt-bulk", "mqtt-it.v311", "mqtt-it.v5", "mqtt-it.paho", "mqtt-it.denied", "mqtt-it.full"))
        {
            kafka.createTopic(topic, 1, 1);
        }
    }

    @AfterAll
    static void stop()
    {
        if (kafka != null)
        {
            kafka.close();
        }
    }

    @Test
    void shouldPublishWithMosquittoOverMqtt311AtQos1KeyedByClientId() throws Exception
    {
        // Given
        assumeMosquitto();

        // When
        final ExternalCommand.Result result = mosquittoPub("mqttv311", "-i", "pub-311", "-u", "alice", "-P", ALICE_PASSWORD,
            "-q", "1", "-t", "mqtt-it/v311", "-m", "hello 3.1.1");

        // Then
        assertThat(result.exitCode()).as(result.output()).isZero();
        final List<ConsumerRecord<byte[], byte[]>> records = consume("mqtt-it.v311", 1);
        assertThat(text(records.get(0).value())).isEqualTo("hello 3.1.1");
        assertThat(text(records.get(0).key())).isEqualTo("pub-311");
    }

    @Test
    void shouldPublishWithMosquittoOverMqtt5AtQos2CarryingUserPropertiesAsHeaders() throws Exception
    {
        // Given
        assumeMosquitto();
        final String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

        // When
        final ExternalCommand.Result result = mosquittoPub("mqttv5", "-i", "pub-5", "-u", "alice", "-P", ALICE_PASSWORD,
            "-q", "2", "-t", "mqtt-it/v5", "-m", "hello 5.0",
            "-D", "publish", "user-property", "traceparent", traceparent,
            "-D", "publish", "user-property", "tenant", "blue");

        // Then
        assertThat(result.exitCode()).as(result.output()).isZero();
        final ConsumerRecord<byte[], byte[]> record = consume("mqtt-it.v5", 1).get(0);
        assertThat(text(record.value())).isEqualTo("hello 5.0");
        assertThat(text(record.headers().lastHeader("traceparent").value())).isEqualTo(traceparent);
        assertThat(text(record.headers().lastHeader("tenant").value())).isEqualTo("blue");
    }

    @Test
    void shouldPublishWithPahoAtEveryQosThroughTheMappingRules() throws Exception
    {
        // Given
        final MqttClient client = paho("paho-qos", "alice", ALICE_PASSWORD);

        // When
        try
        {
            for (int qos = 0; qos <= 2; qos++)
            {
                client.publish("devices/dev-" + qos + "/telemetry", ("t" + qos).getBytes(StandardCharsets.UTF_8), qos, false);
                client.publish("bulk/a/b", ("b" + qos).getBytes(StandardCharsets.UTF_8), qos, false);
                client.publish("mqtt-it/paho", ("p" + qos).getBytes(StandardCharsets.UTF_8), qos, false);
            }
        }
        finally
        {
            client.disconnect();
            client.close();
        }

        // Then
        final List<ConsumerRecord<byte[], byte[]>> telemetry = consume("mqtt-telemetry", 3);
        assertThat(telemetry).extracting(r -> text(r.key())).containsExactlyInAnyOrder("dev-0", "dev-1", "dev-2");
        assertThat(consume("mqtt-bulk", 3)).allSatisfy(r -> assertThat(r.key()).isNull());
        assertThat(consume("mqtt-it.paho", 3)).extracting(r -> text(r.value())).containsExactly("p0", "p1", "p2");
    }

    @Test
    void shouldPauseReadingRatherThanDropWhenTheProducerBufferIsFull() throws Exception
    {
        // Given: 1 MiB of producer buffer, and 60 messages of 200 KiB sent at QoS 0 as fast as the socket takes them
        final double before = errors("producer_buffer_full");
        final MqttClient client = paho("paho-full", "alice", ALICE_PASSWORD);
        final byte[] payload = new byte[200 * 1024];

        // When
        try
        {
            for (int i = 0; i < 60; i++)
            {
                payload[0] = (byte)i;
                client.publish("mqtt-it/full", payload, 0, false);
            }
        }
        finally
        {
            client.disconnect();
            client.close();
        }

        // Then: the connection waited for room, and every message arrived
        assertThat(errors("producer_buffer_full")).isGreaterThan(before);
        assertThat(consume("mqtt-it.full", 60)).extracting(r -> (int)r.value()[0])
            .containsExactlyElementsOf(IntStream.range(0, 60).boxed().toList());
    }

    @Test
    void shouldRefuseAWrongPasswordWithItsConnackCode()
    {
        // When / Then
        assertThatThrownBy(() -> paho("paho-bad", "alice", "wrong"))
            .isInstanceOf(MqttSecurityException.class)
            .satisfies(e -> assertThat(((MqttException)e).getReasonCode()).isEqualTo(MqttException.REASON_CODE_FAILED_AUTHENTICATION));
        assertThatThrownBy(() -> paho("paho-anonymous", null, null))
            .isInstanceOf(MqttSecurityException.class)
            .satisfies(e -> assertThat(((MqttException)e).getReasonCode()).isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED));
    }

    @Test
    void shouldRefuseAWrongPasswordToAnMqtt5Client() throws Exception
    {
        // Given
        assumeMosquitto();

        // When
        final ExternalCommand.Result result = mosquittoPub("mqttv5", "-i", "pub-bad-5", "-u", "alice", "-P", "wrong",
            "-q", "1", "-t", "mqtt-it/v5", "-m", "never");

        // Then
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.output()).containsIgnoringCase("bad user name or password");
    }

    @Test
    void shouldAnswerADeniedPublishWithNotAuthorizedOnMqtt5AndWriteNothing() throws Exception
    {
        // Given
        assumeMosquitto();
        final double before = errors("denied");

        // When
        final ExternalCommand.Result result = mosquittoPub("mqttv5", "-i", "pub-denied", "-u", "mallory", "-P", "mallory-secret",
            "-q", "1", "-t", "mqtt-it/denied", "-m", "denied", "-d");

        // Then
        assertThat(result.output()).contains("PUBACK").containsIgnoringCase("not authori");
        assertThat(errors("denied")).isGreaterThan(before);
        assertThat(endOffset("mqtt-it.denied")).isZero();
    }

    @Test
    void shouldAcknowledgeAndDropADeniedPublishOnMqtt311AsMosquittoDoes() throws Exception
    {
        // Given
        final MqttClient client = paho("paho-denied", "mallory", "mallory-secret");
        final double before = errors("denied");

        // When
        try
        {
            client.publish("mqtt-it/denied", "denied".getBytes(StandardCharsets.UTF_8), 1, false);
        }
        finally
        {
            client.disconnect();
            client.close();
        }

        // Then
        assertThat(errors("denied")).isGreaterThan(before);
        assertThat(endOffset("mqtt-it.denied")).isZero();
    }

    @Test
    void shouldAnswerAnInvalidKafkaTopicNameWithTopicNameInvalidOnMqtt5() throws Exception
    {
        // Given
        assumeMosquitto();
        final double before = errors("invalid_kafka_topic");

        // When
        final ExternalCommand.Result result = mosquittoPub("mqttv5", "-i", "pub-invalid", "-u", "alice", "-P", ALICE_PASSWORD,
            "-q", "1", "-t", "not a kafka topic", "-m", "x", "-d");

        // Then
        assertThat(result.output()).contains("PUBACK").containsIgnoringCase("topic name invalid");
        assertThat(errors("invalid_kafka_topic")).isGreaterThan(before);
    }

    @Test
    void shouldDisconnectAnMqtt311ClientWhoseTopicMapsToAnInvalidKafkaTopic() throws Exception
    {
        // Given
        final MqttClient client = paho("paho-invalid", "alice", ALICE_PASSWORD);

        // When / Then
        try
        {
            assertThatThrownBy(() -> client.publish("not a kafka topic", new byte[]{1}, 1, false)).isInstanceOf(MqttException.class);
            await().atMost(Duration.ofSeconds(10)).until(() -> !client.isConnected());
        }
        finally
        {
            client.close();
        }
    }

    @Test
    void shouldCloseOnlyTheConnectionThatSentAMalformedPacket() throws Exception
    {
        // Given
        final double before = errors("malformed");
        final MqttClient bystander = paho("paho-bystander", "alice", ALICE_PASSWORD);

        // When
        try (Socket socket = new Socket(mqtt.getAddress(), mqtt.getPort()))
        {
            socket.getOutputStream().write(new byte[]{0x00, 0x00});
            socket.getOutputStream().flush();

            // Then
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(errors("malformed")).isGreaterThan(before);
        try
        {
            bystander.publish("mqtt-it/paho", "still here".getBytes(StandardCharsets.UTF_8), 1, false);
        }
        finally
        {
            bystander.disconnect();
            bystander.close();
        }
    }

    @Test
    void shouldCloseAConnectionThatSendsASecondConnect() throws Exception
    {
        // Given
        final double before = errors("protocol_error");
        try (Socket socket = new Socket(mqtt.getAddress(), mqtt.getPort()))
        {
            final OutputStream out = socket.getOutputStream();
            final InputStream in = socket.getInputStream();
            out.write(connect311("raw-second", 60, "alice", ALICE_PASSWORD));
            out.flush();
            assertThat(readPacket(in)[0]).as("CONNACK").isEqualTo((byte)0x20);

            // When
            out.write(connect311("raw-second", 60, "alice", ALICE_PASSWORD));
            out.flush();

            // Then
            assertThat(in.read()).isEqualTo(-1);
        }
        assertThat(errors("protocol_error")).isGreaterThan(before);
    }

    @Test
    void shouldCloseAConnectionSilentForOneAndAHalfKeepAlives() throws Exception
    {
        // Given
        final double before = errors("keepalive_timeout");
        try (Socket socket = new Socket(mqtt.getAddress(), mqtt.getPort()))
        {
            final long start = System.nanoTime();
            socket.getOutputStream().write(connect311("raw-keepalive", 1, "alice", ALICE_PASSWORD));
            socket.getOutputStream().flush();
            assertThat(readPacket(socket.getInputStream())[3]).as("CONNACK return code").isZero();

            // When
            final int next = socket.getInputStream().read();

            // Then
            assertThat(next).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1400));
        }
        assertThat(errors("keepalive_timeout")).isGreaterThan(before);
    }

    @Test
    void shouldWriteAQos2MessageOnceWhateverItsDuplicates() throws Exception
    {
        // Given
        kafka.createTopic("mqtt-it.qos2", 1, 1);
        try (Socket socket = new Socket(mqtt.getAddress(), mqtt.getPort()))
        {
            final OutputStream out = socket.getOutputStream();
            final InputStream in = socket.getInputStream();
            out.write(connect311("raw-qos2", 60, "alice", ALICE_PASSWORD, true));
            assertThat(readPacket(in)[3]).as("CONNACK return code").isZero();

            // When
            out.write(publishQos2("mqtt-it/qos2", 7, false, "once"));
            out.write(publishQos2("mqtt-it/qos2", 7, true, "once"));
            out.flush();

            // Then
            assertThat(readPacket(in)).as("PUBREC").containsExactly(0x50, 0x02, 0x00, 0x07);
            assertThat(readPacket(in)).as("PUBREC of the duplicate").containsExactly(0x50, 0x02, 0x00, 0x07);
            out.write(new byte[]{0x62, 0x02, 0x00, 0x07});
            out.flush();
            assertThat(readPacket(in)).as("PUBCOMP").containsExactly(0x70, 0x02, 0x00, 0x07);
        }
        assertThat(consume("mqtt-it.qos2", 1)).extracting(r -> text(r.value())).containsExactly("once");
        assertThat(endOffset("mqtt-it.qos2")).isEqualTo(1);
    }

    @Test
    void shouldKeepAPersistentSessionsQos2StateAcrossConnections() throws Exception
    {
        // Given: a persistent session whose QoS 2 message was received (PUBREC) but not released
        kafka.createTopic("mqtt-it.persistent", 1, 1);
        try (Socket first = new Socket(mqtt.getAddress(), mqtt.getPort()))
        {
            first.getOutputStream().write(connect311("raw-persistent", 60, "alice", ALICE_PASSWORD, false));
            assertThat(readPacket(first.getInputStream())).as("CONNACK, no session").containsExactly(0x20, 0x02, 0x00, 0x00);
            first.getOutputStream().write(publishQos2("mqtt-it/persistent", 9, false, "kept"));
            assertThat(readPacket(first.getInputStream())).as("PUBREC").containsExactly(0x50, 0x02, 0x00, 0x09);
        }

        // When: the client comes back, sends the message again, then releases it
        try (Socket second = new Socket(mqtt.getAddress(), mqtt.getPort()))
        {
            final OutputStream out = second.getOutputStream();
            final InputStream in = second.getInputStream();
            out.write(connect311("raw-persistent", 60, "alice", ALICE_PASSWORD, false));
            final byte[] connAck = readPacket(in);
            out.write(publishQos2("mqtt-it/persistent", 9, true, "kept"));
            final byte[] pubRec = readPacket(in);
            out.write(new byte[]{0x62, 0x02, 0x00, 0x09});
            final byte[] pubComp = readPacket(in);

            // Then: the session was resumed, and the message written once
            assertThat(connAck).as("CONNACK, session present").containsExactly(0x20, 0x02, 0x01, 0x00);
            assertThat(pubRec).as("PUBREC").containsExactly(0x50, 0x02, 0x00, 0x09);
            assertThat(pubComp).as("PUBCOMP").containsExactly(0x70, 0x02, 0x00, 0x09);
        }
        assertThat(consume("mqtt-it.persistent", 1)).extracting(r -> text(r.value())).containsExactly("kept");
        assertThat(endOffset("mqtt-it.persistent")).isEqualTo(1);
    }

    @Test
    void shouldCloseTheFirstConnectionWhenASecondTakesItsClientIdOver() throws Exception
    {
        // Given
        try (Socket first = new Socket(mqtt.getAddress(), mqtt.getPort()); Socket second = new Socket(mqtt.getAddress(), mqtt.getPort()))
        {
            first.getOutputStream().write(connect311("raw-takeover", 60, "alice", ALICE_PASSWORD, true));
            assertThat(readPacket(first.getInputStream())[3]).as("first CONNACK").isZero();

            // When
            second.getOutputStream().write(connect311("raw-takeover", 60, "alice", ALICE_PASSWORD, true));

            // Then
            assertThat(first.getInputStream().read()).as("the first connection closed").isEqualTo(-1);
            assertThat(readPacket(second.getInputStream())[3]).as("second CONNACK").isZero();
            second.getOutputStream().write(new byte[]{(byte)0xC0, 0x00});
            assertThat(readPacket(second.getInputStream())).as("PINGRESP").containsExactly(0xD0, 0x00);
        }
    }

    @Test
    void idleSessionsShouldTakeLessThan16KiBOfHeapEach() throws Exception
    {
        // Given: the heap in use with the proxy quiet (the test's own sockets count too: an upper bound)
        final int sessions = 400;
        final long before = usedHeapAfterGc();
        final List<Socket> sockets = new ArrayList<>();

        // When: that many clients connect and stay idle
        try
        {
            for (int i = 0; i < sessions; i++)
            {
                final Socket socket = new Socket(mqtt.getAddress(), mqtt.getPort());
                sockets.add(socket);
                socket.getOutputStream().write(connect311("idle-" + i, 600, "alice", ALICE_PASSWORD, false));
                assertThat(readPacket(socket.getInputStream())[3]).as("CONNACK return code").isZero();
            }
            final long perSession = (usedHeapAfterGc() - before) / sessions;

            // Then
            System.out.printf("MQTT idle session heap: %d bytes each over %d sessions%n", perSession, sessions);
            assertThat(perSession).isLessThan(16 * 1024);
        }
        finally
        {
            for (final Socket socket : sockets)
            {
                socket.close();
            }
        }
    }

    private static long usedHeapAfterGc()
    {
        final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++)
        {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    private static void assumeMosquitto() throws Exception
    {
        assumeTrue(ExternalCommand.run(List.of(MOSQUITTO_PUB, "--help"), "").exitCode() != 127,
            "mosquitto_pub is not installed (apt-get install mosquitto-clients)");
    }

    private static ExternalCommand.Result mosquittoPub(final String version, final String... arguments) throws Exception
    {
        final List<String> command = new ArrayList<>(List.of(MOSQUITTO_PUB, "-h", "127.0.0.1", "-p", Integer.toString(mqtt.getPort()),
            "-V", version));
        command.addAll(List.of(arguments));
        return ExternalCommand.run(command, "");
    }

    private static MqttClient paho(final String clientId, final String user, final String password) throws MqttException
    {
        final MqttClient client = new MqttClient("tcp://127.0.0.1:" + mqtt.getPort(), clientId, new MemoryPersistence());
        final MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(true);
        options.setAutomaticReconnect(false);
        options.setConnectionTimeout(10);
        if (user != null)
        {
            options.setUserName(user);
            options.setPassword(password.toCharArray());
        }
        try
        {
            client.connect(options);
        }
        catch (final MqttException e)
        {
            client.close();
            throw e;
        }
        return client;
    }

    private static byte[] connect311(final String clientId, final int keepAliveSeconds, final String user, final String password)
    {
        return connect311(clientId, keepAliveSeconds, user, password, true);
    }

    private static byte[] connect311(
        final String clientId, final int keepAliveSeconds, final String user, final String password, final boolean cleanSession)
    {
        final ByteArrayBuilder body = new ByteArrayBuilder();
        body.string("MQTT").add(4).add(cleanSession ? 0xC2 : 0xC0).add(keepAliveSeconds >> 8).add(keepAliveSeconds & 0xFF)
            .string(clientId).string(user).string(password);
        return packet(0x10, body);
    }

    private static byte[] publishQos2(final String topic, final int packetId, final boolean dup, final String payload)
    {
        final ByteArrayBuilder body = new ByteArrayBuilder().string(topic).add(packetId >> 8).add(packetId & 0xFF)
            .bytes(payload.getBytes(StandardCharsets.UTF_8));
        return packet(dup ? 0x3C : 0x34, body);
    }

    private static byte[] packet(final int firstByte, final ByteArrayBuilder body)
    {
        final ByteArrayBuilder packet = new ByteArrayBuilder().add(firstByte);
        int remaining = body.size();
        do
        {
            final int digit = remaining & 0x7F;
            remaining >>>= 7;
            packet.add(remaining > 0 ? digit | 0x80 : digit);
        }
        while (remaining > 0);
        return packet.bytes(body.toByteArray()).toByteArray();
    }

    private static byte[] readPacket(final InputStream in) throws IOException
    {
        final int type = in.read();
        final int length = in.read();
        final byte[] packet = new byte[2 + length];
        packet[0] = (byte)type;
        packet[1] = (byte)length;
        final int read = in.readNBytes(packet, 2, length);
        assertThat(read).isEqualTo(length);
        return packet;
    }

    private static double errors(final String reason)
    {
        final MeterRegistry registry = kafka.proxy().gateway().services().metrics().registry();
        final Counter counter = registry.find(GatewayMetrics.ERRORS).tag("protocol", "mqtt").tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    private static long endOffset(final String topic)
    {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka.consumerConfig(null), new ByteArrayDeserializer(),
            new ByteArrayDeserializer()))
        {
            final TopicPartition partition = new TopicPartition(topic, 0);
            return consumer.endOffsets(List.of(partition)).get(partition);
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> consume(final String topic, final int expected)
    {
        final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka.consumerConfig("mqtt-it-" + topic + "-" + System.nanoTime()),
            new ByteArrayDeserializer(), new ByteArrayDeserializer()))
        {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(60)).until(() ->
            {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= expected;
            });
        }
        return records;
    }

    private static String text(final byte[] bytes)
    {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    private static final class ByteArrayBuilder
    {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        ByteArrayBuilder add(final int b)
        {
            out.write(b);
            return this;
        }

        ByteArrayBuilder string(final String text)
        {
            final byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            return add(utf8.length >> 8).add(utf8.length & 0xFF).bytes(utf8);
        }

        ByteArrayBuilder bytes(final byte[] bytes)
        {
            out.writeBytes(bytes);
            return this;
        }

        int size()
        {
            return out.size();
        }

        byte[] toByteArray()
        {
            return out.toByteArray();
        }
    }
}

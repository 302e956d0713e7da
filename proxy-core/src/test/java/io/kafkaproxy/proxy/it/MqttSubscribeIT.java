package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.gateway.GatewayMetrics;
import io.kafkaproxy.proxy.gateway.stream.TopicFeeds;
import io.kafkaproxy.proxy.testing.ExternalCommand;
import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.kafkaproxy.proxy.testing.PolicyConfigs;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.kafkaproxy.proxy.testing.SaslCredentialFixtures;
import io.micrometer.core.instrument.Counter;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * MQTT SUBSCRIBE through the shared fan-out against a real broker: Kafka records delivered to mosquitto_sub (3.1.1 and
 * 5.0, wildcard filters, headers as user properties) and to Paho at QoS 1, a persistent session resuming where it
 * stopped, retained messages from the compacted topic, and a subscription the ACL denies.
 */
class MqttSubscribeIT
{
    private static final String MOSQUITTO_SUB = "mosquitto_sub";
    private static final String MOSQUITTO_PUB = "mosquitto_pub";
    private static final String ALICE_PASSWORD = "alice-secret";

    @TempDir
    static Path dir;

    private static ProxiedKafka kafka;
    private static InetSocketAddress mqtt;
    private static KafkaProducer<String, String> producer;

    @BeforeAll
    static void startKafkaAndProxy() throws Exception
    {
        final Path users = SaslCredentialFixtures.writePlainUsers(dir.resolve("users.txt"),
            Map.of("alice", ALICE_PASSWORD, "mallory", "mallory-secret"));
        final ProxyConfig gateway = PolicyConfigs.parse(
            "mqtt:\n  bindAddress: 127.0.0.1:0\n  retainedTopic: mqtt-retained\n  auth:\n    usersFile: " + users + "\n" +
            "acl:\n  defaultPolicy: allow\n  rules:\n" +
            "    - {principal: mallory, resourceType: topic, resourceName: '*', operations: [read], effect: deny}\n" +
            "gateway:\n  producer:\n    linger: 1ms\n  subscriptions:\n    subscriberBufferBytes: 64KiB\n");
        kafka = ProxiedKafka.inFrontOf(InJvmKafka.start(List.of(1), Map.of()),
            config -> PolicyConfigs.withPolicyOf(config, gateway).toBuilder().mqtt(gateway.mqtt()).gateway(gateway.gateway()).build(),
            pipeline -> { });
        try (Admin admin = Admin.create(kafka.adminConfig()))
        {
            admin.createTopics(List.of(new NewTopic("mqtt-retained", 1, (short)1).configs(Map.of("cleanup.policy", "compact"))))
                .all().get(30, TimeUnit.SECONDS);
        }
        for (final String topic : List.of("sub-it.v311", "sub-it.w1", "sub-it.w2", "sub-it.persist", "sub-it.retained", "sub-it.denied", "sub-it.slow"))
        {
            kafka.createTopic(topic, 2, 1);
        }
        mqtt = kafka.proxy().gateway().mqttAddress();
        producer = new KafkaProducer<>(kafka.producerConfig(), new StringSerializer(), new StringSerializer());
    }

    @AfterAll
    static void stop()
    {
        if (producer != null)
        {
            producer.close();
        }
        if (kafka != null)
        {
            kafka.close();
        }
    }

    @Test
    void shouldDeliverKafkaRecordsToMosquittoSubOverMqtt311() throws Exception
    {
        // Given
        assumeMosquitto();
        final int before = feeds().subscriptions();
        final CompletableFuture<ExternalCommand.Result> sub = mosquittoSub("mqttv311", "-i", "sub-311", "-u", "alice", "-P", ALICE_PASSWORD,
            "-q", "1", "-t", "sub-it/v311", "-C", "3", "-W", "60");
        await().atMost(Duration.ofSeconds(30)).until(() -> feeds().subscriptions() > before);

        // When
        for (int i = 0; i < 3; i++)
        {
            producer.send(new ProducerRecord<>("sub-it.v311", 0, "k", "record-" + i)).get(30, TimeUnit.SECONDS);
        }

        // Then
        final ExternalCommand.Result result = sub.get(60, TimeUnit.SECONDS);
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output().lines()).containsExactly("record-0", "record-1", "record-2");
    }

    @Test
    void shouldDeliverEveryTopicAWildcardMatchesWithHeadersAsUserPropertiesOverMqtt5() throws Exception
    {
        // Given
        assumeMosquitto();
        final int before = feeds().subscriptions();
        final CompletableFuture<ExternalCommand.Result> sub = mosquittoSub("mqttv5", "-i", "sub-5", "-u", "alice", "-P", ALICE_PASSWORD,
            "-q", "1", "-t", "sub-it/+", "-C", "2", "-W", "60", "-F", "%t %p %P");
        await().atMost(Duration.ofSeconds(30)).until(() -> feeds().subscriptions() >= before + 2);

        // When
        final ProducerRecord<String, String> traced = new ProducerRecord<>("sub-it.w1", 0, "k", "one");
        traced.headers().add(new RecordHeader("traceparent", "00-abc-01".getBytes(StandardCharsets.UTF_8)));
        producer.send(traced).get(30, TimeUnit.SECONDS);
        producer.send(new ProducerRecord<>("sub-it.w2", 1, "k", "two")).get(30, TimeUnit.SECONDS);

        // Then
        final ExternalCommand.Result result = sub.get(60, TimeUnit.SECONDS);
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output().lines()).containsExactlyInAnyOrder("sub-it/w1 one traceparent:00-abc-01", "sub-it/w2 two ");
    }

    @Test
    void shouldResumeAPersistentSessionWhereItsClientStopped() throws Exception
    {
        // Given: a persistent session that received one record at QoS 1
        final List<String> received = new CopyOnWriteArrayList<>();
        final MqttClient first = paho("sub-persist", received);
        first.subscribe("sub-it/persist", 1);
        await().atMost(Duration.ofSeconds(30)).until(() -> feeds().subscriptions() > 0);
        producer.send(new ProducerRecord<>("sub-it.persist", 0, "k", "before")).get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30)).until(() -> received.contains("before"));
        first.disconnect();
        first.close();

        // When: records arrive while it is away, then it comes back without subscribing again
        producer.send(new ProducerRecord<>("sub-it.persist", 0, "k", "away-1")).get(30, TimeUnit.SECONDS);
        producer.send(new ProducerRecord<>("sub-it.persist", 1, "k", "away-2")).get(30, TimeUnit.SECONDS);
        final MqttClient second = paho("sub-persist", received);

        // Then
        try
        {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(received).containsExactlyInAnyOrder("before", "away-1", "away-2"));
        }
        finally
        {
            second.disconnect();
            second.close();
        }
    }

    @Test
    void shouldLeaveTheFeedOnUnsubscribe() throws Exception
    {
        // Given
        final List<String> received = new CopyOnWriteArrayList<>();
        final int before = feeds().subscriptions();
        final MqttClient client = paho("sub-unsubscribe", received);
        try
        {
            client.subscribe("sub-it/v311", 1);
            await().atMost(Duration.ofSeconds(30)).until(() -> feeds().subscriptions() == before + 1);

            // When
            client.unsubscribe("sub-it/v311");

            // Then
            await().atMost(Duration.ofSeconds(30)).until(() -> feeds().subscriptions() == before);
        }
        finally
        {
            client.disconnect();
            client.close();
        }
    }

    @Test
    void shouldSendTheRetainedMessageToANewSubscriber() throws Exception
    {
        // Given
        assumeMosquitto();
        final ExternalCommand.Result published = ExternalCommand.run(List.of(MOSQUITTO_PUB, "-h", "127.0.0.1",
            "-p", Integer.toString(mqtt.getPort()), "-V", "mqttv5", "-u", "alice", "-P", ALICE_PASSWORD,
            "-q", "1", "-r", "-t", "sub-it/retained", "-m", "the last word"), "");
        assertThat(published.exitCode()).as(published.output()).isZero();

        // When / Then
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        {
            final ExternalCommand.Result result = mosquittoSub("mqttv311", "-u", "alice", "-P", ALICE_PASSWORD,
                "-t", "sub-it/retained", "-C", "1", "-W", "2", "-F", "%r %p").get(30, TimeUnit.SECONDS);
            assertThat(result.output().lines()).containsExactly("1 the last word");
        });
    }

    @Test
    void shouldRefuseASubscriptionTheAclDenies() throws Exception
    {
        // Given
        assumeMosquitto();

        // When
        final ExternalCommand.Result v5 = mosquittoSub("mqttv5", "-u", "mallory", "-P", "mallory-secret",
            "-t", "sub-it/denied", "-E", "-d").get(60, TimeUnit.SECONDS);
        final ExternalCommand.Result v311 = mosquittoSub("mqttv311", "-u", "mallory", "-P", "mallory-secret",
            "-t", "sub-it/denied", "-E", "-d").get(60, TimeUnit.SECONDS);

        // Then
        assertThat(v5.output()).contains("Subscribed (mid: 1): 135");
        assertThat(v311.output()).contains("Subscribed (mid: 1): 128");
    }

    @Test
    void shouldDisconnectASubscriberThatNeverAcknowledgesOnceItsBacklogPassesTheLimit() throws Exception
    {
        // Given: an MQTT 5 client subscribed at QoS 1 that reads nothing back and acknowledges nothing
        final int before = feeds().subscriptions();
        try (Socket socket = new Socket(mqtt.getAddress(), mqtt.getPort()))
        {
            final OutputStream out = socket.getOutputStream();
            final ByteArrayOutputStream connect = new ByteArrayOutputStream();
            connect.writeBytes(new byte[]{0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, (byte)0xC2, 0x00, 0x3C, 0x00});
            writeString(connect, "slow");
            writeString(connect, "alice");
            writeString(connect, ALICE_PASSWORD);
            out.write(packet(0x10, connect.toByteArray()));
            final ByteArrayOutputStream subscribe = new ByteArrayOutputStream();
            subscribe.writeBytes(new byte[]{0x00, 0x01, 0x00});
            writeString(subscribe, "sub-it/slow");
            subscribe.write(0x01);
            out.write(packet(0x82, subscribe.toByteArray()));
            out.flush();
            await().atMost(Duration.ofSeconds(30)).until(() -> feeds().subscriptions() > before);

            // When: 240 KiB for a 64 KiB limit, 32 messages unacknowledged at most
            for (int i = 0; i < 60; i++)
            {
                producer.send(new ProducerRecord<>("sub-it.slow", 0, "k", "x".repeat(4096)));
            }
            producer.flush();

            // Then: the last packet is DISCONNECT 0x97 (quota exceeded), and the drop is counted
            final int[] last = lastPacket(socket.getInputStream());
            assertThat(last[0]).as("packet type").isEqualTo(0xE0);
            assertThat(last[1]).as("reason code").isEqualTo(0x97);
        }
        final Counter dropped = kafka.proxy().gateway().services().metrics().registry()
            .find(GatewayMetrics.SUBSCRIBERS_DROPPED).tag("protocol", "mqtt").tag("reason", "slow").counter();
        assertThat(dropped).isNotNull();
        assertThat(dropped.count()).isGreaterThanOrEqualTo(1);
    }

    private static void writeString(final ByteArrayOutputStream out, final String text)
    {
        final byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        out.write(utf8.length >> 8);
        out.write(utf8.length & 0xFF);
        out.writeBytes(utf8);
    }

    private static byte[] packet(final int firstByte, final byte[] body)
    {
        // Bodies here stay under 128 bytes: a one-byte remaining length.
        final ByteArrayOutputStream packet = new ByteArrayOutputStream();
        packet.write(firstByte);
        packet.write(body.length);
        packet.writeBytes(body);
        return packet.toByteArray();
    }

    private static int[] lastPacket(final InputStream in) throws IOException
    {
        int[] last = {-1, -1};
        int type;
        while ((type = in.read()) >= 0)
        {
            int length = 0;
            int shift = 0;
            int digit;
            do
            {
                digit = in.read();
                length |= (digit & 0x7F) << shift;
                shift += 7;
            }
            while ((digit & 0x80) != 0);
            final byte[] body = in.readNBytes(length);
            last = new int[]{type, body.length > 0 ? body[0] & 0xFF : -1};
        }
        return last;
    }

    private static TopicFeeds feeds()
    {
        return kafka.proxy().gateway().services().feeds();
    }

    private static void assumeMosquitto() throws Exception
    {
        assumeTrue(ExternalCommand.run(List.of(MOSQUITTO_SUB, "--help"), "").exitCode() != 127,
            "mosquitto_sub is not installed (apt-get install mosquitto-clients)");
    }

    private static CompletableFuture<ExternalCommand.Result> mosquittoSub(final String version, final String... arguments)
    {
        final List<String> command = new ArrayList<>(List.of(MOSQUITTO_SUB, "-h", "127.0.0.1", "-p", Integer.toString(mqtt.getPort()),
            "-V", version));
        command.addAll(List.of(arguments));
        return CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return ExternalCommand.run(command, "");
            }
            catch (final Exception e)
            {
                throw new IllegalStateException(e);
            }
        });
    }

    private static MqttClient paho(final String clientId, final List<String> received) throws MqttException
    {
        final MqttClient client = new MqttClient("tcp://127.0.0.1:" + mqtt.getPort(), clientId, new MemoryPersistence());
        client.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback()
        {
            @Override
            public void connectionLost(final Throwable cause)
            {
            }

            @Override
            public void messageArrived(final String topic, final org.eclipse.paho.client.mqttv3.MqttMessage message)
            {
                received.add(new String(message.getPayload(), StandardCharsets.UTF_8));
            }

            @Override
            public void deliveryComplete(final org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token)
            {
            }
        });
        final MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(false);
        options.setUserName("alice");
        options.setPassword(ALICE_PASSWORD.toCharArray());
        client.connect(options);
        return client;
    }
}

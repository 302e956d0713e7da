package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.testing.KillableKafkaBroker;
import io.kafkaproxy.proxy.testing.PolicyConfigs;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The fault test for the MQTT gateway: the broker is killed with SIGKILL during a QoS 1 publish run and started
 * again; every message the gateway acknowledged with PUBACK is in Kafka.
 */
class MqttBrokerRestartIT
{
    private static final String TOPIC = "mqtt-restart";

    @Test
    void everyPubackedMessageShouldBeInKafkaAfterTheBrokerIsKilledAndRestarted() throws Exception
    {
        // Given: a broker in a child JVM behind the proxy, and an MQTT client publishing at QoS 1 through its gateway
        final ProxyConfig gateway = PolicyConfigs.parse("mqtt:\n  bindAddress: 127.0.0.1:0\n" +
            "gateway:\n  producer:\n    linger: 1ms\n    deliveryTimeout: 90s\n");
        try (ProxiedKafka killable = ProxiedKafka.inFrontOf(KillableKafkaBroker.start(Map.of()),
            config -> config.toBuilder().mqtt(gateway.mqtt()).gateway(gateway.gateway()).build(), pipeline -> { }))
        {
            killable.createTopic(TOPIC, 1, 1);
            final InetSocketAddress mqtt = killable.proxy().gateway().mqttAddress();
            final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            final AtomicInteger failures = new AtomicInteger();
            final AtomicBoolean running = new AtomicBoolean(true);
            final Thread publisher = new Thread(() -> publish(mqtt, acknowledged, failures, running), "mqtt-restart-publisher");
            publisher.start();
            try
            {
                await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() >= 200);

                // When: kill -9, then the broker comes back on the same storage and ports
                final KillableKafkaBroker broker = (KillableKafkaBroker)killable.upstream();
                broker.kill();
                final int beforeRestart = acknowledged.size();
                broker.restart();

                // Then: the publisher carries on through the gateway
                await().atMost(Duration.ofSeconds(90)).until(() -> acknowledged.size() >= beforeRestart + 200);
            }
            finally
            {
                running.set(false);
                publisher.join(Duration.ofSeconds(120).toMillis());
            }

            // Then: every PUBACKed message is there
            final List<String> consumed = consume(killable, acknowledged);
            System.out.printf("MQTT broker-sigkill acknowledged=%d failedPublishes=%d consumed=%d%n",
                acknowledged.size(), failures.get(), consumed.size());
            assertThat(consumed).containsAll(acknowledged);
        }
    }

    private static void publish(
        final InetSocketAddress mqtt, final Set<String> acknowledged, final AtomicInteger failures, final AtomicBoolean running)
    {
        int sequence = 0;
        MqttClient client = null;
        while (running.get())
        {
            try
            {
                if (client == null || !client.isConnected())
                {
                    client = connect(mqtt, client);
                }
                final String message = "m-" + sequence;
                client.publish(TOPIC, message.getBytes(StandardCharsets.UTF_8), 1, false);
                acknowledged.add(message);
                sequence++;
            }
            catch (final MqttException e)
            {
                // Not acknowledged: a 3.1.1 client learns of a record Kafka did not take from the closed connection.
                failures.incrementAndGet();
                sequence++;
            }
        }
        close(client);
    }

    private static MqttClient connect(final InetSocketAddress mqtt, final MqttClient previous) throws MqttException
    {
        close(previous);
        final MqttClient client = new MqttClient("tcp://127.0.0.1:" + mqtt.getPort(), "restart-publisher", new MemoryPersistence());
        client.setTimeToWait(Duration.ofSeconds(120).toMillis());
        final MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setAutomaticReconnect(false);
        options.setMaxInflight(1000);
        try
        {
            client.connect(options);
        }
        catch (final MqttException e)
        {
            close(client);
            throw e;
        }
        return client;
    }

    private static void close(final MqttClient client)
    {
        if (client == null)
        {
            return;
        }
        try
        {
            if (client.isConnected())
            {
                client.disconnect();
            }
            client.close();
        }
        catch (final MqttException e)
        {
            // Closing a client whose connection already failed: nothing left to release.
        }
    }

    private static List<String> consume(final ProxiedKafka kafka, final Set<String> expected)
    {
        final List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(kafka.consumerConfig("mqtt-restart-check"),
            new StringDeserializer(), new StringDeserializer()))
        {
            consumer.subscribe(List.of(TOPIC));
            await().atMost(Duration.ofSeconds(60)).until(() ->
            {
                for (final ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200)))
                {
                    values.add(record.value());
                }
                return values.containsAll(expected);
            });
        }
        return values;
    }
}

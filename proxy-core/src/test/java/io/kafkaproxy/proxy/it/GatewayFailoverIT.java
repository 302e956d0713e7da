package io.kafkaproxy.proxy.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kafkaproxy.proxy.config.FailoverConfig;
import io.kafkaproxy.proxy.config.GatewayConfig;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.HttpConfig;
import io.kafkaproxy.proxy.config.MqttConfig;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.failover.ActiveUpstream;
import io.kafkaproxy.proxy.failover.ClusterFailover;
import io.kafkaproxy.proxy.failover.SwitchOutcome;
import io.kafkaproxy.proxy.failover.SwitchTrigger;
import io.kafkaproxy.proxy.gateway.GatewayMetrics;
import io.kafkaproxy.proxy.gateway.GatewayServices;
import io.kafkaproxy.proxy.net.KafkaProxy;
import io.kafkaproxy.proxy.testing.DataCentrePair;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.kafkaproxy.proxy.testing.SseClient;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The HTTP gateway of a cluster that fails over, with two real single-node clusters (primary and standby): records
 * published over HTTP after a switch land on the standby and none on the old primary, no connection of the proxy (its
 * gateway's producer, admin client and feed consumers included) to the old primary remains, a consumer-group stream
 * keeps receiving from the standby, a shared stream is ended so that its client starts again on the standby, and an MQTT
 * subscriber stays subscribed and receives what is published at the standby.
 */
class GatewayFailoverIT
{
    private static final Duration WAIT = Duration.ofSeconds(60);
    // Probed once at start, then not again during a test: the connections counted to the primary are the clients'.
    private static final FailoverConfig MANUAL_ONLY = FailoverConfig.of(Duration.ofHours(1), Duration.ofSeconds(5), 0, null, null);
    private static final String V2_BINARY = "application/vnd.kafka.binary.v2+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static DataCentrePair dataCentres;
    private static HttpClient http;

    @BeforeAll
    static void startBothDataCentres()
    {
        dataCentres = DataCentrePair.start();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stopBothDataCentres()
    {
        dataCentres.close();
    }

    @Test
    void recordsPublishedOverHttpAfterAFailoverShouldLandOnTheStandbyAndStreamsShouldFollow() throws Exception
    {
        // Given
        final String topic = "gateway-failover";
        dataCentres.createTopicOnBoth(topic, 1);
        try (KafkaProxy proxy = KafkaProxy.builder(gatewayConfig()).start())
        {
            final ClusterFailover cluster = proxy.clusterFailover(KafkaProxy.DEFAULT_CLUSTER_NAME);
            await().atMost(WAIT).until(() -> cluster.status().upstreams().stream().allMatch(upstream -> upstream.lastProbe() != null));
            final SseClient group = SseClient.open(http, uri(proxy, "/v1/stream/" + topic + "?group=gateway-failover-readers&from=earliest"),
                Map.of());
            final SseClient shared = SseClient.open(http, uri(proxy, "/v1/stream/" + topic), Map.of());
            final List<String> mqttReceived = new CopyOnWriteArrayList<>();
            final MqttClient mqtt = paho(proxy, mqttReceived);
            try
            {
                mqtt.subscribe(topic, 1);
                await().atMost(WAIT).until(() -> group.events("start").size() == 1 && shared.events("start").size() == 1 &&
                    proxy.gateway().services().feeds().subscriptions() == 3);
                assertThat(publish(proxy, topic, "before", 5)).allMatch(offset -> offset.path("error_code").isNull());
                assertThat(DataCentrePair.valuesIn(dataCentres.primary(), topic)).contains("before-0", "before-4");
                await().atMost(WAIT).until(() -> values(group).contains("before-4") && mqttReceived.contains("before-4"));
                assertThat(DataCentrePair.connectionsTo(dataCentres.primary())).isNotEmpty();

                // When
                final SwitchOutcome outcome = cluster.failover(SwitchTrigger.MANUAL, "test: gateway drill")
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
                final GatewayServices services = proxy.gateway().services();
                await().atMost(WAIT).until(() -> services.activeUpstream() == ActiveUpstream.STANDBY);
                final List<JsonNode> after = publish(proxy, topic, "after", 5);

                // Then
                assertThat(outcome.refusal()).isNull();
                assertThat(after).hasSize(5).allMatch(offset -> offset.path("error_code").isNull());
                assertThat(DataCentrePair.valuesIn(dataCentres.standby(), topic)).containsExactlyInAnyOrder(
                    "after-0", "after-1", "after-2", "after-3", "after-4");
                assertThat(DataCentrePair.valuesIn(dataCentres.primary(), topic)).containsExactlyInAnyOrder(
                    "before-0", "before-1", "before-2", "before-3", "before-4");
                await().atMost(WAIT).untilAsserted(() ->
                    assertThat(DataCentrePair.connectionsTo(dataCentres.primary())).isEmpty());
                // The group's stream stays open and reads on at the standby (no offsets of its group there: from earliest).
                await().atMost(WAIT).untilAsserted(() -> assertThat(values(group)).contains("after-0", "after-4"));
                assertThat(group.ended()).isFalse();
                // The shared stream's offsets were the primary's: it ends, and its last event clears the client's id.
                await().atMost(WAIT).untilAsserted(() -> assertThat(shared.events("switched")).hasSize(1));
                assertThat(shared.events("switched").get(0).id()).isEmpty();
                assertThat(proxy.meterRegistry().get(GatewayMetrics.UPSTREAM_SWITCHES).tag("cluster", KafkaProxy.DEFAULT_CLUSTER_NAME)
                    .tag("to", "standby").counter().count()).isEqualTo(1.0);
                // The MQTT subscription follows the topic again from the standby's latest records, without the client
                // doing anything: published until one arrives, as its new feed starts at the standby's end meanwhile.
                final AtomicInteger next = new AtomicInteger();
                await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() ->
                {
                    publish(proxy, topic, "mqtt-after-" + next.getAndIncrement(), 1);
                    return mqttReceived.stream().anyMatch(value -> value.startsWith("mqtt-after-"));
                });
                assertThat(mqtt.isConnected()).isTrue();
                assertThat(DataCentrePair.valuesIn(dataCentres.primary(), topic)).noneMatch(value -> value.startsWith("mqtt-after-"));
            }
            finally
            {
                group.close();
                shared.close();
                mqtt.disconnect();
                mqtt.close();
            }
        }
    }

    @Test
    void aFailbackShouldMoveTheGatewayBackToThePrimary() throws Exception
    {
        // Given
        final String topic = "gateway-failback";
        dataCentres.createTopicOnBoth(topic, 1);
        try (KafkaProxy proxy = KafkaProxy.builder(gatewayConfig()).start())
        {
            final ClusterFailover cluster = proxy.clusterFailover(KafkaProxy.DEFAULT_CLUSTER_NAME);
            await().atMost(WAIT).until(() -> cluster.status().upstreams().stream().allMatch(upstream -> upstream.lastProbe() != null));
            final GatewayServices services = proxy.gateway().services();
            assertThat(cluster.failover(SwitchTrigger.MANUAL, "test").toCompletableFuture().get(30, TimeUnit.SECONDS).refusal()).isNull();
            await().atMost(WAIT).until(() -> services.activeUpstream() == ActiveUpstream.STANDBY);
            assertThat(publish(proxy, topic, "standby", 3)).allMatch(offset -> offset.path("error_code").isNull());

            // When
            final SwitchOutcome outcome = cluster.failback(SwitchTrigger.MANUAL, "test: primary back")
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
            await().atMost(WAIT).until(() -> services.activeUpstream() == ActiveUpstream.PRIMARY);
            final List<JsonNode> back = publish(proxy, topic, "primary", 3);

            // Then
            assertThat(outcome.refusal()).isNull();
            assertThat(back).allMatch(offset -> offset.path("error_code").isNull());
            assertThat(DataCentrePair.valuesIn(dataCentres.primary(), topic)).containsExactlyInAnyOrder("primary-0", "primary-1", "primary-2");
            assertThat(DataCentrePair.valuesIn(dataCentres.standby(), topic)).containsExactlyInAnyOrder("standby-0", "standby-1", "standby-2");
            assertThat(proxy.meterRegistry().get(GatewayMetrics.UPSTREAM_SWITCHES).tag("to", "primary").counter().count()).isEqualTo(1.0);
        }
    }

    private static ProxyConfig gatewayConfig()
    {
        return dataCentres.proxyConfig(MANUAL_ONLY).toBuilder()
            .http(HttpConfig.of(new HostPort(ProxiedKafka.ADVERTISED_HOST, 0), "1MiB", null, null, null))
            .mqtt(MqttConfig.listeningOn(new HostPort(ProxiedKafka.ADVERTISED_HOST, 0)))
            .gateway(GatewayConfig.of(GatewayConfig.Producer.of(null, null, null, "8MiB", null, null),
                GatewayConfig.Subscriptions.of(100, "64KiB", Duration.ofMillis(300), null)))
            .build();
    }

    /**
     * Publishes values {@code prefix-0..count-1} in one REST Proxy v2 request.
     *
     * @return the answer's offsets, one per record.
     */
    private static List<JsonNode> publish(final KafkaProxy proxy, final String topic, final String prefix, final int count) throws Exception
    {
        final StringBuilder body = new StringBuilder("{\"records\":[");
        for (int i = 0; i < count; i++)
        {
            final String value = prefix + "-" + i;
            body.append(i == 0 ? "" : ",").append("{\"value\":\"")
                .append(Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8))).append("\"}");
        }
        body.append("]}");
        final HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri(proxy, "/topics/" + topic))
            .header("Content-Type", V2_BINARY).POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        final List<JsonNode> offsets = new ArrayList<>();
        JSON.readTree(response.body()).path("offsets").forEach(offsets::add);
        return offsets;
    }

    private static MqttClient paho(final KafkaProxy proxy, final List<String> received) throws MqttException
    {
        final MqttClient client = new MqttClient("tcp://" + ProxiedKafka.ADVERTISED_HOST + ":" + proxy.gateway().mqttAddress().getPort(),
            "gateway-failover", new MemoryPersistence());
        client.setCallback(new MqttCallback()
        {
            @Override
            public void connectionLost(final Throwable cause)
            {
            }

            @Override
            public void messageArrived(final String topic, final MqttMessage message)
            {
                received.add(new String(message.getPayload(), StandardCharsets.UTF_8));
            }

            @Override
            public void deliveryComplete(final IMqttDeliveryToken token)
            {
            }
        });
        final MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(true);
        client.connect(options);
        return client;
    }

    private static Set<String> values(final SseClient client)
    {
        final Set<String> values = new HashSet<>();
        for (final SseClient.Event event : client.events("record"))
        {
            try
            {
                values.add(JSON.readTree(event.data()).path("value").asText());
            }
            catch (final Exception e)
            {
                throw new IllegalStateException("not a record event: " + event, e);
            }
        }
        return values;
    }

    private static URI uri(final KafkaProxy proxy, final String path)
    {
        return URI.create("http://" + ProxiedKafka.ADVERTISED_HOST + ":" + proxy.gateway().httpAddress().getPort() + path);
    }
}

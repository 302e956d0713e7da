package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.config.BrokerClusterConfig;
import io.kafkaproxy.proxy.routing.BrokerNodeRegistry.BrokerNode;
import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.kafkaproxy.proxy.testing.PolicyConfigs;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.kafkaproxy.proxy.testing.RawKafkaConnection;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A broker back from a restart is used again on the probe schedule, not after the open duration: with a circuit that
 * would stay open for a minute between probes, a client reconnecting once the broker is back is let through long
 * before that minute is up.
 */
class CircuitBreakerProbeIT
{
    private static final Duration OPEN_DURATION = Duration.ofSeconds(60);
    private static final String BREAKER = """
        circuitBreaker:
          failureThreshold: 2
          openDuration: 60s
          probeInterval: 500ms
          requestTimeout: 20s
        """;

    private static ProxiedKafka kafka;

    @BeforeAll
    static void start()
    {
        kafka = ProxiedKafka.inFrontOf(InJvmKafka.start(List.of(1), Map.of()),
            config -> PolicyConfigs.withPolicy(BREAKER).apply(config.toBuilder().upstream(
                new BrokerClusterConfig(config.upstream().bootstrapServers(), Duration.ofSeconds(2))).build()),
            pipeline -> { });
        kafka.createTopic("probe", 1, 1);
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
    void clientShouldBeLetThroughSoonAfterTheBrokerReturnsNotAfterTheOpenDuration() throws Exception
    {
        // Given: the node's circuit opened by a stopped broker
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(kafka.producerConfig()))
        {
            producer.send(new ProducerRecord<>("probe", "before")).get(60, TimeUnit.SECONDS);
        }
        final BrokerNode node = kafka.proxy().nodes().nodes().get(0);
        final InetSocketAddress nodeListener = new InetSocketAddress(ProxiedKafka.ADVERTISED_HOST, node.proxyPort());
        kafka.cluster().stopNode(1);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        {
            assertThat(refused(nodeListener)).isTrue();
            assertThat(circuitState(node)).isEqualTo(2.0);
        });

        // When
        kafka.cluster().startNode(1);

        // Then: a reconnecting client is answered, and the circuit closes, well inside the open duration (a client
        // refused while no probe is due sees its connection closed, and tries again)
        await().atMost(OPEN_DURATION.dividedBy(2)).ignoreExceptionsInstanceOf(IOException.class).untilAsserted(() ->
        {
            try (RawKafkaConnection again = RawKafkaConnection.open(nodeListener))
            {
                again.sendApiVersionsV0(2);
                assertThat(again.readFrame().getInt()).isEqualTo(2);
            }
        });
        assertThat(circuitState(node)).isEqualTo(0.0);
    }

    private static boolean refused(final InetSocketAddress nodeListener) throws Exception
    {
        try (RawKafkaConnection connection = RawKafkaConnection.open(nodeListener))
        {
            connection.sendApiVersionsV0(1);
            return connection.closedByPeer();
        }
    }

    private static double circuitState(final BrokerNode node)
    {
        return kafka.proxy().meterRegistry().find("kafka.proxy.circuit.state")
            .tag("broker", node.brokerHost() + ":" + node.brokerPort()).gauge().value();
    }
}

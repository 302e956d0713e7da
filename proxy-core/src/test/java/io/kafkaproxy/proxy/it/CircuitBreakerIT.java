package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.config.BrokerClusterConfig;
import io.kafkaproxy.proxy.routing.BrokerNodeRegistry.BrokerNode;
import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.kafkaproxy.proxy.testing.PolicyConfigs;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A broker that goes away: client connections to its node fail fast instead of hanging (the circuit opens after
 * consecutive connect failures), and when it comes back a probe closes the circuit and clients carry on without a
 * restart.
 */
class CircuitBreakerIT
{
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final String BREAKER = """
        circuitBreaker:
          failureThreshold: 2
          openDuration: 1s
          requestTimeout: 20s
        """;

    private static final byte[] API_VERSIONS_V0 =
        ByteBuffer.allocate(14).putInt(10).putShort((short)18).putShort((short)0).putInt(1).putShort((short)-1).array();

    private static ProxiedKafka kafka;

    @BeforeAll
    static void start()
    {
        kafka = ProxiedKafka.inFrontOf(InJvmKafka.start(List.of(1), Map.of()),
            config -> PolicyConfigs.withPolicy(BREAKER).apply(config.toBuilder().upstream(
                new BrokerClusterConfig(config.upstream().bootstrapServers(), CONNECT_TIMEOUT)).build()),
            pipeline -> { });
        kafka.createTopic("breaker", 1, 1);
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
    void connectionsToAStoppedBrokerShouldFailFastAndRecoverWhenItReturns() throws Exception
    {
        // Given
        final Map<String, Object> config = kafka.producerConfig();
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config))
        {
            producer.send(new ProducerRecord<>("breaker", "before")).get(60, TimeUnit.SECONDS);
            final BrokerNode node = kafka.proxy().nodes().nodes().get(0);

            // When
            kafka.cluster().stopNode(1);

            // Then: every new connection to the node's listener is closed by the proxy within the connect timeout.
            for (int i = 0; i < 4; i++)
            {
                final long started = System.nanoTime();
                assertThat(closedByProxy(node.proxyPort())).isTrue();
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(CONNECT_TIMEOUT.plusSeconds(1));
            }
            assertThat(circuitState(node)).isEqualTo(2.0);

            // When
            kafka.cluster().startNode(1);

            // Then
            producer.send(new ProducerRecord<>("breaker", "after")).get(120, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(circuitState(node)).isEqualTo(0.0));
        }
    }

    private static boolean closedByProxy(final int port) throws Exception
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress(ProxiedKafka.ADVERTISED_HOST, port), 5_000);
            socket.setSoTimeout((int)CONNECT_TIMEOUT.plusSeconds(1).toMillis());
            // A client speaks first; the proxy connects to the broker once its first request is whole.
            socket.getOutputStream().write(API_VERSIONS_V0);
            final InputStream in = socket.getInputStream();
            return in.read() == -1;
        }
    }

    private static double circuitState(final BrokerNode node)
    {
        return kafka.proxy().meterRegistry().find("kafka.proxy.circuit.state")
            .tag("broker", node.brokerHost() + ":" + node.brokerPort()).gauge().value();
    }
}

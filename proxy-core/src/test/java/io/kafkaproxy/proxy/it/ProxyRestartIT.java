package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.config.AdminConfig;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.ListenerConfig;
import io.kafkaproxy.proxy.config.MemoryConfig;
import io.kafkaproxy.proxy.config.NetworkConfig;
import io.kafkaproxy.proxy.config.NodePortsConfig;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.config.BrokerClusterConfig;
import io.kafkaproxy.proxy.net.KafkaProxy;
import io.kafkaproxy.proxy.routing.BrokerNodeRegistry.BrokerNode;
import io.kafkaproxy.proxy.routing.BrokerNodeRegistry.ListenerState;
import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.kafkaproxy.proxy.testing.RawKafkaConnection;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A proxy learns the cluster's nodes at startup, so node listeners exist before any client, and a restarted
 * proxy gives every node the port it had: clients that never re-bootstrap carry on.
 */
class ProxyRestartIT
{
    private static InJvmKafka kafka;

    @BeforeAll
    static void startKafka()
    {
        kafka = InJvmKafka.start(List.of(1), Map.of());
    }

    @AfterAll
    static void stopKafka()
    {
        kafka.close();
    }

    @Test
    void nodeListenersShouldBeBoundBeforeAnyClientConnects() throws Exception
    {
        // When
        try (KafkaProxy proxy = KafkaProxy.builder(ProxiedKafka.proxyConfig(kafka.bootstrapServers())).start())
        {
            // Then
            await().atMost(Duration.ofSeconds(30)).until(() -> proxy.nodes().nodes().stream()
                .anyMatch(node -> node.nodeId() == 1 && node.state() == ListenerState.LISTENING));
            final BrokerNode node = proxy.nodes().nodes().get(0);
            try (RawKafkaConnection connection = RawKafkaConnection.open(new InetSocketAddress(ProxiedKafka.ADVERTISED_HOST, node.proxyPort())))
            {
                connection.sendApiVersionsV0(1);
                assertThat(connection.readFrame().getInt()).isEqualTo(1);
            }
        }
    }

    @Test
    void clientThatNeverRebootstrapsShouldSurviveAProxyRestart() throws Exception
    {
        // Given: a proxy with a fixed port range, and a producer that will not go back to its bootstrap servers
        final int bootstrapPort = freePortPair();
        final ProxyConfig config = ProxyConfig.builder(BrokerClusterConfig.of(List.of(HostPort.parse(kafka.bootstrapServers())), null))
            .listener(new ListenerConfig(new HostPort(ProxiedKafka.ADVERTISED_HOST, bootstrapPort), ProxiedKafka.ADVERTISED_HOST,
                new NodePortsConfig(bootstrapPort + 1, 1)))
            .network(NetworkConfig.of(1, null, null, null))
            .memory(MemoryConfig.defaults())
            .admin(AdminConfig.of(false, null))
            .build();
        final Map<String, Object> producerConfig = new HashMap<>();
        producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, ProxiedKafka.ADVERTISED_HOST + ":" + bootstrapPort);
        producerConfig.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        producerConfig.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        producerConfig.put(CommonClientConfigs.METADATA_RECOVERY_STRATEGY_CONFIG, "none");
        producerConfig.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
        producerConfig.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig))
        {
            try (KafkaProxy first = KafkaProxy.builder(config).start())
            {
                producer.send(new ProducerRecord<>("restart", "before")).get(30, TimeUnit.SECONDS);
                assertThat(first.nodes().nodes()).singleElement().extracting(BrokerNode::proxyPort).isEqualTo(bootstrapPort + 1);
            }

            // When: a new proxy takes over the same address; no other client bootstraps through it
            try (KafkaProxy second = KafkaProxy.builder(config).start())
            {
                // Then: the producer's cached node address leads to the same node again
                assertThat(producer.send(new ProducerRecord<>("restart", "after")).get(60, TimeUnit.SECONDS).offset()).isEqualTo(1);
                assertThat(second.nodes().nodes()).singleElement().extracting(BrokerNode::proxyPort).isEqualTo(bootstrapPort + 1);
            }
        }
    }

    private static int freePortPair() throws IOException
    {
        for (int attempt = 0; attempt < 50; attempt++)
        {
            try (ServerSocket first = new ServerSocket(0))
            {
                final int port = first.getLocalPort();
                if (port < 65535)
                {
                    try (ServerSocket next = new ServerSocket(port + 1))
                    {
                        if (next.isBound())
                        {
                            return port;
                        }
                    }
                    catch (final IOException taken)
                    {
                        // Try another pair.
                    }
                }
            }
        }
        throw new IOException("no two consecutive free ports");
    }
}

package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.config.ClusterConfig;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.ListenerConfig;
import io.kafkaproxy.proxy.config.NodePortsConfig;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.config.RoutingConfig;
import io.kafkaproxy.proxy.config.RoutingRuleConfig;
import io.kafkaproxy.proxy.config.TlsServerConfig;
import io.kafkaproxy.proxy.metrics.PolicyMetrics;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.net.KafkaProxy;
import io.kafkaproxy.proxy.testing.ClientWorkloads;
import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.kafkaproxy.proxy.testing.TestCertificates;
import io.kafkaproxy.proxy.testing.TlsClients;
import io.micrometer.core.instrument.Counter;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * One routing address in front of two clusters, each with its own broker: a connection goes to the cluster its
 * certificate principal or client id chooses, and from then on only ever talks to that cluster (its node addresses);
 * a connection no rule routes is refused, counted, and leaves its neighbours working.
 */
class RoutingByIdentityIT
{
    private static final String EAST = "east";
    private static final String WEST = "west";
    private static final String TOPIC = "routed";

    @TempDir
    static Path dir;

    private static InJvmKafka eastBroker;
    private static InJvmKafka westBroker;
    private static KafkaProxy proxy;
    private static TestCertificates.Issued authority;
    private static Path caPem;

    @BeforeAll
    static void startBrokersAndProxy() throws Exception
    {
        eastBroker = InJvmKafka.start(List.of(1), Map.of());
        westBroker = InJvmKafka.start(List.of(1), Map.of());
        authority = TestCertificates.authority("routing-it");
        final TestCertificates.Issued server = TestCertificates.server(authority, "CN=kafka-proxy", ProxiedKafka.ADVERTISED_HOST,
            "localhost");
        caPem = TestCertificates.writeTrustPem(dir.resolve("ca.pem"), authority.certificate());
        final TlsServerConfig tls = TlsServerConfig.of(server.writeCertificatePem(dir.resolve("server.crt")),
            server.writeKeyPem(dir.resolve("server.key")), null, null, null, "required", caPem, null, null, null, null,
            "RULE:^CN=([^,]+)$/$1/,DEFAULT", null, null);
        final RoutingConfig routing = new RoutingConfig(
            new ListenerConfig("shared", new HostPort(ProxiedKafka.ADVERTISED_HOST, 0), ProxiedKafka.ADVERTISED_HOST,
                new NodePortsConfig(0, 1), tls),
            List.of(RoutingRuleConfig.of(EAST, "User:alice", null, null),
                RoutingRuleConfig.of(WEST, "bob", null, "127.0.0.0/8"),
                RoutingRuleConfig.of(WEST, null, "west-*", null)),
            null);
        final ProxyConfig config = ProxiedKafka.proxyConfig(eastBroker.bootstrapServers()).toBuilder()
            .clusters(List.of(cluster(EAST, eastBroker, tls), cluster(WEST, westBroker, tls)))
            .routing(routing)
            .build();
        proxy = KafkaProxy.builder(config).start();
        ClientWorkloads.createTopic(eastBroker.bootstrapServers(), TOPIC, 1);
        ClientWorkloads.createTopic(westBroker.bootstrapServers(), TOPIC, 1);
    }

    @AfterAll
    static void stopProxyAndBrokers()
    {
        if (proxy != null)
        {
            proxy.close();
        }
        westBroker.close();
        eastBroker.close();
    }

    private static ClusterConfig cluster(final String name, final InJvmKafka broker, final TlsServerConfig tls)
    {
        return new ClusterConfig(name, null, ProxiedKafka.proxyConfig(broker.bootstrapServers()).upstream(),
            new ListenerConfig(name, new HostPort(ProxiedKafka.ADVERTISED_HOST, 0), ProxiedKafka.ADVERTISED_HOST,
                new NodePortsConfig(0, 1), tls), null, null, null, null);
    }

    @Test
    void twoPrincipalsOnOneAddressShouldReachTwoClusters() throws Exception
    {
        // When
        ClientWorkloads.sendAll(routedProducer("alice", "any-client"), List.of(new ProducerRecord<>(TOPIC, "a", "from alice")));
        ClientWorkloads.sendAll(routedProducer("bob", "any-client"), List.of(new ProducerRecord<>(TOPIC, "b", "from bob")));

        // Then: each broker, read directly, holds its principal's record only
        assertThat(valuesOn(eastBroker)).contains("from alice").doesNotContain("from bob");
        assertThat(valuesOn(westBroker)).contains("from bob").doesNotContain("from alice");
    }

    @Test
    void aClientIdRuleShouldRouteAPrincipalNoRuleNames() throws Exception
    {
        // When
        ClientWorkloads.sendAll(routedProducer("carol", "west-billing"), List.of(new ProducerRecord<>(TOPIC, "c", "from carol")));

        // Then
        assertThat(valuesOn(westBroker)).contains("from carol");
        assertThat(valuesOn(eastBroker)).doesNotContain("from carol");
    }

    @Test
    void aConnectionNoRuleRoutesShouldBeRefusedAndItsNeighboursServed() throws Exception
    {
        // Given: a neighbour with an open connection, and the count of refusals so far
        final double refusedBefore = refusedNoRoute();
        final Map<String, Object> stranger = routedProducer("carol", "nobody");
        stranger.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 3_000);
        try (KafkaProducer<String, String> neighbour = new KafkaProducer<>(routedProducer("alice", "neighbour")))
        {
            neighbour.send(new ProducerRecord<>(TOPIC, "n", "neighbour before")).get(60, TimeUnit.SECONDS);

            // When
            try (KafkaProducer<String, String> refused = new KafkaProducer<>(stranger))
            {
                assertThatThrownBy(() -> refused.send(new ProducerRecord<>(TOPIC, "s", "stranger")).get(60, TimeUnit.SECONDS))
                    .isInstanceOf(Exception.class);
            }

            // Then: counted, and the neighbour's connection still serves
            assertThat(refusedNoRoute()).isGreaterThan(refusedBefore);
            neighbour.send(new ProducerRecord<>(TOPIC, "n", "neighbour after")).get(60, TimeUnit.SECONDS);
        }
        assertThat(valuesOn(eastBroker)).contains("neighbour before", "neighbour after").doesNotContain("stranger");
        assertThat(valuesOn(westBroker)).doesNotContain("stranger");
    }

    private static Map<String, Object> routedProducer(final String principal, final String clientId)
    {
        final Map<String, Object> config = ClientWorkloads.stringProducerConfig(proxy.advertisedBootstrapServers("shared"));
        config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        final TestCertificates.Issued certificate = TestCertificates.client(authority, "CN=" + principal);
        return TlsClients.mutualSsl(config, caPem,
            certificate.writeKeyStore(dir.resolve(principal + "-" + System.nanoTime() + ".p12"), "PKCS12"));
    }

    /** Every record the broker holds in the topic now, read up to its end offset. */
    private static List<String> valuesOn(final InJvmKafka broker)
    {
        final List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
            new KafkaConsumer<>(ClientWorkloads.stringConsumerConfig(broker.bootstrapServers())))
        {
            final TopicPartition partition = new TopicPartition(TOPIC, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            final long end = consumer.endOffsets(List.of(partition)).get(partition);
            await().atMost(Duration.ofSeconds(60)).until(() ->
            {
                consumer.poll(ProxiedKafka.pollTimeout()).forEach(record -> values.add(record.value()));
                return consumer.position(partition) >= end;
            });
        }
        return values;
    }

    private static double refusedNoRoute()
    {
        return proxy.meterRegistry().find(PolicyMetrics.CONNECTIONS_REJECTED).tag(ProxyMetrics.REASON, "no_route")
            .counters().stream().mapToDouble(Counter::count).sum();
    }
}

package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.config.BrokerSaslConfig;
import io.kafkaproxy.proxy.config.ClusterConfig;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.ListenerConfig;
import io.kafkaproxy.proxy.config.NodePortsConfig;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.config.RoutingConfig;
import io.kafkaproxy.proxy.config.RoutingRuleConfig;
import io.kafkaproxy.proxy.config.SaslMechanism;
import io.kafkaproxy.proxy.config.SaslTerminationConfig;
import io.kafkaproxy.proxy.metrics.PolicyMetrics;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.net.KafkaProxy;
import io.kafkaproxy.proxy.testing.ClientWorkloads;
import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.kafkaproxy.proxy.testing.KcatProcess;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.kafkaproxy.proxy.testing.SaslClients;
import io.kafkaproxy.proxy.testing.SaslCredentialFixtures;
import io.kafkaproxy.proxy.testing.SaslPlainUsers;
import io.micrometer.core.instrument.Counter;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SaslAuthenticationException;
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
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * One routing address that terminates SASL PLAIN in front of two clusters, each with its own broker: alice logs in and
 * is routed to east, bob to west, each producing and consuming through the routing bootstrap with real clients (their
 * next connections log in at the cluster's own listener with the same credentials); a wrong password and a principal
 * no rule routes are refused with SASL errors the client reports, counted. West's broker takes SASL/PLAIN only: the
 * proxy learns its api versions before any login, and a routed connection's broker connection logs in with west's
 * {@code upstream.sasl}.
 */
class SaslPrincipalRoutingIT
{
    private static final String EAST = "east";
    private static final String WEST = "west";
    private static final Map<String, String> PASSWORDS = Map.of("alice", "alice-secret", "bob", "bob-secret", "carol", "carol-secret");

    @TempDir
    static Path dir;

    private static InJvmKafka eastBroker;
    private static InJvmKafka westBroker;
    private static KafkaProxy proxy;

    @BeforeAll
    static void startBrokersAndProxy() throws Exception
    {
        eastBroker = InJvmKafka.start(List.of(1), Map.of());
        westBroker = InJvmKafka.start(List.of(1), SaslPlainUsers.brokerOverrides());
        final Path users = SaslCredentialFixtures.writePlainUsers(dir.resolve("plain.yaml"), PASSWORDS);
        final SaslTerminationConfig sasl = SaslTerminationConfig.of(List.of(SaslMechanism.PLAIN), users.toString(), null, null, null, null);
        final RoutingConfig routing = new RoutingConfig(
            new ListenerConfig("shared", new HostPort(ProxiedKafka.ADVERTISED_HOST, 0), ProxiedKafka.ADVERTISED_HOST,
                new NodePortsConfig(0, 1), null, sasl),
            List.of(RoutingRuleConfig.of(EAST, "User:alice", null, null), RoutingRuleConfig.of(WEST, "bob", null, null)),
            null);
        final ProxyConfig config = ProxiedKafka.proxyConfig(eastBroker.bootstrapServers()).toBuilder()
            .clusters(List.of(cluster(EAST, eastBroker, sasl, null),
                cluster(WEST, westBroker, sasl, BrokerSaslConfig.of("PLAIN", SaslPlainUsers.ADMIN, SaslPlainUsers.ADMIN + "-secret", null))))
            .routing(routing)
            .build();
        proxy = KafkaProxy.builder(config).start();
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

    private static ClusterConfig cluster(
        final String name, final InJvmKafka broker, final SaslTerminationConfig sasl, final BrokerSaslConfig upstreamSasl)
    {
        return new ClusterConfig(name, null, ProxiedKafka.proxyConfig(broker.bootstrapServers()).upstream().withSasl(upstreamSasl),
            new ListenerConfig(name, new HostPort(ProxiedKafka.ADVERTISED_HOST, 0), ProxiedKafka.ADVERTISED_HOST,
                new NodePortsConfig(0, 1), null, sasl), null, null, null, null);
    }

    @Test
    void twoPrincipalsShouldProduceAndConsumeOnTheirOwnClusters() throws Exception
    {
        // Given: the topic on both clusters
        final String topic = "principal-routed";
        ClientWorkloads.createTopic(eastBroker.bootstrapServers(), topic, 1);
        try (Admin admin = Admin.create(SaslPlainUsers.adminDirect(westBroker.bootstrapServers())))
        {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short)1))).all().get(60, TimeUnit.SECONDS);
        }

        // When
        ClientWorkloads.sendAll(producer("alice", "alice-secret"), List.of(new ProducerRecord<>(topic, "a", "from alice")));
        ClientWorkloads.sendAll(producer("bob", "bob-secret"), List.of(new ProducerRecord<>(topic, "b", "from bob")));

        // Then: each principal reads back its own record through the routing address, and each broker, read
        // directly, holds its principal's record only
        assertThat(ClientWorkloads.consume(topic, consumer("alice", "alice-secret"), 1)).extracting(ConsumerRecord::value)
            .containsExactly("from alice");
        assertThat(ClientWorkloads.consume(topic, consumer("bob", "bob-secret"), 1)).extracting(ConsumerRecord::value)
            .containsExactly("from bob");
        assertThat(valuesOn(ClientWorkloads.stringConsumerConfig(eastBroker.bootstrapServers()), topic)).containsExactly("from alice");
        assertThat(valuesOn(SaslPlainUsers.loginAs(ClientWorkloads.stringConsumerConfig(westBroker.bootstrapServers()),
            SaslPlainUsers.ADMIN), topic)).containsExactly("from bob");
    }

    @Test
    void aWrongPasswordShouldFailTheLoginAndReachNoCluster() throws Exception
    {
        // Given
        final String topic = "wrong-password";
        ClientWorkloads.createTopic(eastBroker.bootstrapServers(), topic, 1);
        final Map<String, Object> config = producer("alice", "not-the-secret");
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);

        // When / Then
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config))
        {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topic, "w", "wrong")).get(60, TimeUnit.SECONDS))
                .hasRootCauseInstanceOf(SaslAuthenticationException.class);
        }
        assertThat(valuesOn(ClientWorkloads.stringConsumerConfig(eastBroker.bootstrapServers()), topic)).isEmpty();
        assertThat(saslFailures()).isGreaterThan(0);
    }

    @Test
    void aPrincipalNoRuleRoutesShouldBeToldAndCounted() throws Exception
    {
        // Given
        final double refusedBefore = refusedNoRoute();
        final Map<String, Object> config = producer("carol", "carol-secret");
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);

        // When / Then
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config))
        {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("anything", "c", "carol")).get(60, TimeUnit.SECONDS))
                .hasRootCauseInstanceOf(SaslAuthenticationException.class)
                .rootCause().hasMessageContaining("no cluster for principal User:carol");
        }
        assertThat(refusedNoRoute()).isGreaterThan(refusedBefore);
    }

    @Test
    void kcatShouldLogInAndReachItsPrincipalsCluster() throws Exception
    {
        // Given: librdkafka, which asks ApiVersions v3 (flexible) before its login
        assumeTrue(KcatProcess.installed(), "kcat is not installed (apt-get install kcat)");
        final String topic = "kcat-routed";
        ClientWorkloads.createTopic(eastBroker.bootstrapServers(), topic, 1);
        final List<String> alice = List.of("-b", proxy.advertisedBootstrapServers("shared"), "-X", "security.protocol=sasl_plaintext",
            "-X", "sasl.mechanisms=PLAIN", "-X", "sasl.username=alice", "-X", "sasl.password=alice-secret", "-t", topic);

        // When
        final List<String> produce = new ArrayList<>(alice);
        produce.addAll(List.of("-P", "-X", "acks=all"));
        final KcatProcess.Result produced = KcatProcess.run(produce, "kcat-1\nkcat-2\n");
        final List<String> consume = new ArrayList<>(alice);
        consume.addAll(List.of("-C", "-o", "beginning", "-e", "-q"));
        final KcatProcess.Result consumed = KcatProcess.run(consume, "");

        // Then
        assertThat(produced.exitCode()).as(produced.output()).isZero();
        assertThat(consumed.exitCode()).as(consumed.output()).isZero();
        assertThat(consumed.output().lines()).containsExactly("kcat-1", "kcat-2");
        assertThat(valuesOn(ClientWorkloads.stringConsumerConfig(eastBroker.bootstrapServers()), topic)).containsExactly("kcat-1", "kcat-2");
    }

    private static Map<String, Object> producer(final String user, final String password)
    {
        final Map<String, Object> config = ClientWorkloads.stringProducerConfig(proxy.advertisedBootstrapServers("shared"));
        return SaslClients.login(config, "SASL_PLAINTEXT", "PLAIN", user, password);
    }

    private static Map<String, Object> consumer(final String user, final String password)
    {
        final Map<String, Object> config = ClientWorkloads.stringConsumerConfig(proxy.advertisedBootstrapServers("shared"));
        return SaslClients.login(config, "SASL_PLAINTEXT", "PLAIN", user, password);
    }

    /** Every record a broker holds in the topic now, read directly up to its end offset. */
    private static List<String> valuesOn(final Map<String, Object> brokerConsumerConfig, final String topic)
    {
        final List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(brokerConsumerConfig))
        {
            final TopicPartition partition = new TopicPartition(topic, 0);
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

    private static double saslFailures()
    {
        return proxy.meterRegistry().find(ProxyMetrics.SASL_AUTHENTICATIONS).tag(ProxyMetrics.LISTENER, "shared")
            .counters().stream().filter(counter -> "failure".equals(counter.getId().getTag(ProxyMetrics.OUTCOME)))
            .mapToDouble(Counter::count).sum();
    }
}

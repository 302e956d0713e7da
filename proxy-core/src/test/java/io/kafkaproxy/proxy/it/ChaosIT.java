package io.kafkaproxy.proxy.it;

import io.kafkaproxy.mempool.MemoryPoolStats;
import io.kafkaproxy.proxy.config.AdminConfig;
import io.kafkaproxy.proxy.config.ConfigWriter;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.ListenerConfig;
import io.kafkaproxy.proxy.config.NodePortsConfig;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.metrics.ProxyMetrics.Side;
import io.kafkaproxy.proxy.net.KafkaProxy;
import io.kafkaproxy.proxy.reload.ConfigReloader;
import io.kafkaproxy.proxy.reload.LogLevels;
import io.kafkaproxy.proxy.testing.ClientWorkloads;
import io.kafkaproxy.proxy.testing.KillableKafkaBroker;
import io.kafkaproxy.proxy.testing.PolicyConfigs;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.kafkaproxy.proxy.testing.RawKafkaConnection;
import io.kafkaproxy.proxy.testing.SteadyConsumer;
import io.kafkaproxy.proxy.testing.SteadyProducer;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Chaos under load, each well under a minute: a broker killed with SIGKILL under an idempotent acks=all producer, a
 * flood of connections, a storm of reloads, a proxy restart. Asserts what a user needs: no acknowledged record lost,
 * none duplicated, clients carrying on, and connections, pool regions and file descriptors back at their baseline.
 *
 * <p>Complements, without repeating, {@link CircuitBreakerIT} (fail-fast while a broker is stopped),
 * {@link ProxyRestartIT} (node ports kept across a restart), {@link OperatingIT} (50 file reloads beside a producer)
 * and {@link MemoryBudgetIT} (a budget held under a slow broker).
 */
class ChaosIT
{
    private static final String FAST_PROBING_BREAKER = """
        circuitBreaker:
          failureThreshold: 3
          openDuration: 1s
        """;
    private static final int FD_SLACK = 64;
    private static final int FLOOD_ROUNDS = 6;
    private static final int FLOOD_CONNECTIONS_AT_ONCE = 500;

    private static ProxiedKafka kafka;

    @TempDir
    Path directory;

    @BeforeAll
    static void startKafkaAndProxy()
    {
        kafka = ProxiedKafka.singleNode();
    }

    @AfterAll
    static void stopKafkaAndProxy()
    {
        kafka.close();
    }

    @Test
    void everyAcknowledgedRecordShouldBeConsumedOnceAfterTheBrokerIsKilledWithSigkill() throws Exception
    {
        // Given: a broker in a child JVM behind a proxy, an idempotent acks=all producer sending through it
        try (ProxiedKafka killable = ProxiedKafka.inFrontOf(KillableKafkaBroker.start(Map.of()),
            PolicyConfigs.withPolicy(FAST_PROBING_BREAKER), pipeline -> { }))
        {
            killable.createTopic("chaos-kill", 1, 1);
            final Map<String, Object> producerConfig = patientProducer(killable.producerConfig());
            final List<String> acknowledged;
            final List<Exception> failures;
            try (SteadyProducer producer = SteadyProducer.start("chaos-kill", producerConfig))
            {
                producer.awaitMoreAcknowledged(500, Duration.ofSeconds(30));

                // When: kill -9, then the broker comes back on the same storage and ports
                final KillableKafkaBroker broker = (KillableKafkaBroker)killable.upstream();
                broker.kill();
                broker.restart();

                // Then: the producer carries on through the proxy
                producer.awaitMoreAcknowledged(500, Duration.ofSeconds(60));
                producer.close();
                acknowledged = producer.acknowledged();
                failures = producer.failures();
            }

            // Then: every acknowledged record is there exactly once
            // A send that failed may still have been written: read at least that many more, to reach every acknowledged one.
            final List<String> consumed = values(ClientWorkloads.consume("chaos-kill", killable.consumerConfig(null),
                acknowledged.size() + failures.size()));
            System.out.printf("CHAOS broker-sigkill acknowledged=%d failedSends=%d consumed=%d distinct=%d%n",
                acknowledged.size(), failures.size(), consumed.size(), consumed.stream().distinct().count());
            assertThat(consumed).as("consumed").doesNotHaveDuplicates().containsAll(acknowledged);
        }
    }

    @Test
    void aConnectionFloodShouldLeaveConnectionsRegionsAndFileDescriptorsAtTheirBaseline() throws Exception
    {
        // Given: a quiet proxy, no frame held between reads (the clients of earlier tests may still be finishing one)
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
            assertThat(kafka.proxy().memoryStats().outstandingRegions()).as("outstanding regions before").isZero());
        final long clientsBefore = kafka.proxy().metrics().activeConnections(Side.CLIENT);
        final long brokersBefore = kafka.proxy().metrics().activeConnections(Side.BROKER);
        final MemoryPoolStats poolBefore = kafka.proxy().memoryStats();
        final long fdsBefore = openFileDescriptors();

        // When
        final int answered = flood();

        // Then
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        {
            assertThat(kafka.proxy().metrics().activeConnections(Side.CLIENT)).as("client connections").isEqualTo(clientsBefore);
            assertThat(kafka.proxy().metrics().activeConnections(Side.BROKER)).as("broker connections").isLessThanOrEqualTo(brokersBefore);
            assertThat(kafka.proxy().memoryStats().outstandingRegions()).as("outstanding regions").isEqualTo(poolBefore.outstandingRegions());
            assertThat(openFileDescriptors()).as("open file descriptors").isLessThanOrEqualTo(fdsBefore + FD_SLACK);
        });
        final MemoryPoolStats poolAfter = kafka.proxy().memoryStats();
        System.out.printf("CHAOS connection-flood connections=%d answered=%d clientConnections=%d->%d brokerConnections=%d->%d "
                + "poolUsedBytes=%d->%d poolReservedBytes=%d->%d regions=%d->%d fds=%d->%d%n",
            FLOOD_ROUNDS * FLOOD_CONNECTIONS_AT_ONCE, answered, clientsBefore, kafka.proxy().metrics().activeConnections(Side.CLIENT),
            brokersBefore, kafka.proxy().metrics().activeConnections(Side.BROKER), poolBefore.inUseBytes(), poolAfter.inUseBytes(),
            poolBefore.reservedBytes(), poolAfter.reservedBytes(), poolBefore.outstandingRegions(), poolAfter.outstandingRegions(),
            fdsBefore, openFileDescriptors());
        kafka.createTopic("chaos-after-flood", 1, 1);
        ClientWorkloads.sendAll(kafka.producerConfig(), List.of(new ProducerRecord<>("chaos-after-flood", "still-fine")));
        assertThat(values(ClientWorkloads.consume("chaos-after-flood", kafka.consumerConfig(null), 1))).containsExactly("still-fine");
    }

    @Test
    void poolMemoryShouldReturnToItsBaselineAfterAConnectionFlood() throws Exception
    {
        // Given
        final MemoryPoolStats poolBefore = kafka.proxy().memoryStats();

        // When
        flood();

        // Then
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
            assertThat(kafka.proxy().memoryStats().inUseBytes()).as("pool memory in use").isLessThanOrEqualTo(poolBefore.inUseBytes()));
    }

    @Test
    void aStormOfReloadsUnderProduceAndGroupConsumeShouldCostNoClientAnError() throws Exception
    {
        // Given: a proxy reloading from a file, alternating two policies that both allow the load
        final ProxyConfig base = ProxiedKafka.proxyConfig(kafka.upstream().bootstrapServers());
        final List<String> files = List.of(
            ConfigWriter.toYaml(PolicyConfigs.withPolicyOf(base, PolicyConfigs.parse("""
                acl:
                  defaultPolicy: allow
                  rules:
                    - effect: allow
                      principal: "*"
                      resourceType: topic
                      resourceName: chaos-
                      patternType: prefixed
                      operations: [read, write, describe]
                """))),
            ConfigWriter.toYaml(PolicyConfigs.withPolicyOf(base, PolicyConfigs.parse("""
                quotas:
                  - principal: "*"
                    requestsPerSecond: 1000000
                    produceBytesPerSecond: 1GiB
                """))));
        final Path file = directory.resolve("reload.yaml");
        Files.writeString(file, files.get(0));
        try (KafkaProxy proxy = KafkaProxy.builder(base).start();
             ConfigReloader reloader = new ConfigReloader(file, config -> config, proxy, new LogLevels()))
        {
            final String bootstrap = proxy.advertisedBootstrapServers();
            ClientWorkloads.createTopic(bootstrap, "chaos-reload", 2);
            final double errorsBefore = proxy.metrics().connectionErrors(Side.CLIENT);
            final List<ConfigReloader.Result> results = new ArrayList<>();
            final List<String> acknowledged;
            final List<Exception> sendFailures;
            try (SteadyProducer producer = SteadyProducer.start("chaos-reload", ClientWorkloads.stringProducerConfig(bootstrap));
                 SteadyConsumer consumer = SteadyConsumer.start("chaos-reload", groupConsumer(bootstrap, "chaos-reload")))
            {
                producer.awaitMoreAcknowledged(200, Duration.ofSeconds(30));

                // When: 200 reloads back to back
                for (int i = 0; i < 200; i++)
                {
                    Files.writeString(file, files.get(i % 2));
                    results.add(reloader.reload());
                }
                producer.awaitMoreAcknowledged(200, Duration.ofSeconds(30));
                producer.close();
                acknowledged = producer.acknowledged();
                sendFailures = producer.failures();

                // Then
                consumer.awaitReceived(acknowledged, Duration.ofSeconds(60));
                System.out.printf("CHAOS reload-storm reloads=%d applied=%d acknowledged=%d failedSends=%d consumed=%d clientErrors=%.0f%n",
                    results.size(), results.stream().filter(ConfigReloader.Result::applied).count(), acknowledged.size(),
                    sendFailures.size(), consumer.received().size(), proxy.metrics().connectionErrors(Side.CLIENT) - errorsBefore);
                assertThat(consumer.received()).doesNotHaveDuplicates();
                assertThat(consumer.failures()).isEmpty();
            }
            assertThat(results).extracting(ConfigReloader.Result::error).containsOnlyNulls();
            assertThat(results).extracting(ConfigReloader.Result::applied).containsOnly(true);
            assertThat(sendFailures).isEmpty();
            assertThat(proxy.metrics().connectionErrors(Side.CLIENT)).isEqualTo(errorsBefore);
        }
    }

    @Test
    void clientsShouldRecoverWithNothingLostOrDuplicatedWhenTheProxyRestartsUnderLoad() throws Exception
    {
        // Given: a proxy on fixed ports, an idempotent producer and a group consumer running through it
        final int bootstrapPort = freePortPair();
        final ProxyConfig config = ProxiedKafka.proxyConfig(kafka.upstream().bootstrapServers()).toBuilder()
            .listener(new ListenerConfig(new HostPort(ProxiedKafka.ADVERTISED_HOST, bootstrapPort), ProxiedKafka.ADVERTISED_HOST,
                new NodePortsConfig(bootstrapPort + 1, 1)))
            .admin(AdminConfig.of(false, null))
            .build();
        final String bootstrap = ProxiedKafka.ADVERTISED_HOST + ":" + bootstrapPort;
        KafkaProxy proxy = KafkaProxy.builder(config).start();
        try
        {
            ClientWorkloads.createTopic(bootstrap, "chaos-restart", 2);
            final Map<String, Object> producerConfig = patientProducer(ClientWorkloads.stringProducerConfig(bootstrap));
            producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
            producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            final List<String> acknowledged;
            final List<Exception> sendFailures;
            try (SteadyProducer producer = SteadyProducer.start("chaos-restart", producerConfig);
                 SteadyConsumer consumer = SteadyConsumer.start("chaos-restart", groupConsumer(bootstrap, "chaos-restart")))
            {
                producer.awaitMoreAcknowledged(300, Duration.ofSeconds(30));

                // When: the proxy stops without draining, and a new one takes its ports
                proxy.close(Duration.ZERO);
                proxy = KafkaProxy.builder(config).start();

                // Then
                producer.awaitMoreAcknowledged(300, Duration.ofSeconds(60));
                producer.close();
                acknowledged = producer.acknowledged();
                sendFailures = producer.failures();
                consumer.awaitReceived(acknowledged, Duration.ofSeconds(60));
                System.out.printf("CHAOS proxy-restart acknowledged=%d failedSends=%d consumed=%d distinct=%d%n",
                    acknowledged.size(), sendFailures.size(), consumer.received().size(),
                    consumer.received().stream().distinct().count());
                assertThat(consumer.failures()).isEmpty();
            }
            assertThat(sendFailures).isEmpty();
            final List<String> stored = values(ClientWorkloads.consume("chaos-restart",
                ClientWorkloads.stringConsumerConfig(bootstrap), acknowledged.size() + sendFailures.size()));
            assertThat(stored).as("records in the topic").doesNotHaveDuplicates().containsAll(acknowledged);
        }
        finally
        {
            proxy.close();
        }
    }

    private static int flood() throws IOException
    {
        // 3,000 connections, 500 open at a time; one in five asks ApiVersions before it goes.
        int answered = 0;
        for (int round = 0; round < FLOOD_ROUNDS; round++)
        {
            final List<RawKafkaConnection> open = new ArrayList<>();
            try
            {
                for (int i = 0; i < FLOOD_CONNECTIONS_AT_ONCE; i++)
                {
                    open.add(RawKafkaConnection.open(kafka.proxy().bootstrapAddress()));
                }
                for (int i = 0; i < open.size(); i += 5)
                {
                    open.get(i).sendApiVersionsV0(i);
                    final ByteBuffer response = open.get(i).readFrame();
                    assertThat(response.getInt()).isEqualTo(i);
                    answered++;
                }
            }
            finally
            {
                for (final RawKafkaConnection connection : open)
                {
                    connection.close();
                }
            }
        }
        return answered;
    }

    private static Map<String, Object> patientProducer(final Map<String, Object> config)
    {
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        config.put(CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
        return config;
    }

    private static Map<String, Object> groupConsumer(final String bootstrap, final String group)
    {
        final Map<String, Object> config = ClientWorkloads.stringConsumerConfig(bootstrap);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
        return config;
    }

    private static List<String> values(final List<ConsumerRecord<String, String>> records)
    {
        return records.stream().map(ConsumerRecord::value).toList();
    }

    private static long openFileDescriptors() throws IOException
    {
        try (var fds = Files.list(Path.of("/proc/self/fd")))
        {
            return fds.count();
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
                        return port;
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

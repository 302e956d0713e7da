package io.kafkaproxy.proxy.testing;

import io.kafkaproxy.proxy.config.FailoverConfig;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.config.StandbyUpstreamConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;

/**
 * Two single-node in-JVM Kafka clusters, a primary and a standby (two data centres, without the replication between
 * them), with what the failover tests ask of them: topics on both, every value of a topic read straight from one
 * broker, the proxy's configuration with the standby, and the connections open to a broker's port.
 */
public final class DataCentrePair implements AutoCloseable
{
    private final InJvmKafka primary;
    private final InJvmKafka standby;

    private DataCentrePair(final InJvmKafka primary, final InJvmKafka standby)
    {
        this.primary = primary;
        this.standby = standby;
    }

    /**
     * Starts both clusters, one node each (node id 1 in both, as two data centres' clusters built alike).
     *
     * @return the running pair.
     */
    public static DataCentrePair start()
    {
        final InJvmKafka primary = InJvmKafka.start(List.of(1), Map.of());
        try
        {
            return new DataCentrePair(primary, InJvmKafka.start(List.of(1), Map.of()));
        }
        catch (final RuntimeException e)
        {
            primary.close();
            throw e;
        }
    }

    public InJvmKafka primary()
    {
        return primary;
    }

    public InJvmKafka standby()
    {
        return standby;
    }

    /**
     * The tests' proxy configuration with the primary as {@code upstream} and the standby as {@code upstream.standby}.
     *
     * @param failover the failover section.
     * @return the configuration.
     */
    public ProxyConfig proxyConfig(final FailoverConfig failover)
    {
        final ProxyConfig config = ProxiedKafka.proxyConfig(primary.bootstrapServers());
        return config.toBuilder()
            .upstream(config.upstream().withStandby(StandbyUpstreamConfig.of(servers(standby), null, null, null), failover))
            .build();
    }

    private static List<HostPort> servers(final BrokerCluster cluster)
    {
        return Arrays.stream(cluster.bootstrapServers().split(",")).map(HostPort::parse).toList();
    }

    /**
     * Creates a topic on both clusters, as MirrorMaker 2 would have, and waits until each broker describes it.
     *
     * @param topic      the topic.
     * @param partitions its partition count.
     */
    public void createTopicOnBoth(final String topic, final int partitions)
    {
        for (final BrokerCluster cluster : List.of(primary, standby))
        {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers())))
            {
                admin.createTopics(List.of(new NewTopic(topic, partitions, (short)1))).all().get(60, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> admin.describeTopics(List.of(topic)).allTopicNames().get().containsKey(topic));
            }
            catch (final Exception e)
            {
                throw new IllegalStateException("topic creation failed: topic=" + topic + ", cluster=" + cluster.bootstrapServers(), e);
            }
        }
    }

    /**
     * Every value of a topic, read straight from one cluster (not through the proxy) up to its end offsets now.
     *
     * @param cluster the cluster.
     * @param topic   the topic.
     * @return the values.
     */
    public static Set<String> valuesIn(final BrokerCluster cluster, final String topic)
    {
        final Map<String, Object> config = Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        final Set<String> values = new HashSet<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config))
        {
            final List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            final Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            await().atMost(Duration.ofSeconds(60)).until(() ->
            {
                for (final ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200)))
                {
                    values.add(record.value());
                }
                return partitions.stream().allMatch(partition -> consumer.position(partition) >= ends.get(partition));
            });
        }
        return values;
    }

    /**
     * The established TCP connections of this machine to a broker's port, as {@code ss} lists them.
     *
     * @param cluster the cluster, single node.
     * @return the connections' lines; empty when none.
     * @throws IOException if {@code ss} cannot run.
     * @throws InterruptedException if interrupted while it runs.
     */
    public static List<String> connectionsTo(final BrokerCluster cluster) throws IOException, InterruptedException
    {
        final int port = HostPort.parse(cluster.bootstrapServers().split(",")[0]).port();
        final ExternalCommand.Result result = ExternalCommand.run(
            List.of("ss", "-Htn", "state", "established", "( dport = :" + port + " )"), "");
        if (result.exitCode() != 0)
        {
            throw new IOException("ss failed: " + result.output());
        }
        return result.output().lines().filter(line -> !line.isBlank()).collect(Collectors.toList());
    }

    @Override
    public void close()
    {
        try
        {
            primary.close();
        }
        finally
        {
            standby.close();
        }
    }
}

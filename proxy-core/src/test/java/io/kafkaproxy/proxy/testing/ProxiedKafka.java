package io.kafkaproxy.proxy.testing;

import io.kafkaproxy.proxy.config.AdminConfig;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.ListenerConfig;
import io.kafkaproxy.proxy.config.MemoryConfig;
import io.kafkaproxy.proxy.config.NetworkConfig;
import io.kafkaproxy.proxy.config.NodePortsConfig;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.config.BrokerClusterConfig;
import io.kafkaproxy.demo.EmbeddedKafkaCluster;
import io.kafkaproxy.proxy.net.KafkaProxy;
import io.netty.channel.ChannelPipeline;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * A real in-JVM KRaft cluster with the proxy in front of it, on loopback, plus client settings that reach the
 * cluster only through the proxy.
 *
 * <p>The brokers advertise {@code localhost}; the proxy advertises {@code 127.0.0.1}, so that a real broker
 * address reaching a client shows in host as well as port.
 */
public final class ProxiedKafka implements AutoCloseable
{
    /** The host the proxy advertises. */
    public static final String ADVERTISED_HOST = "127.0.0.1";

    private final BrokerCluster upstream;
    private final KafkaProxy proxy;

    private ProxiedKafka(final BrokerCluster upstream, final KafkaProxy proxy)
    {
        this.upstream = upstream;
        this.proxy = proxy;
    }

    /**
     * Starts a single-node in-JVM cluster and a proxy.
     *
     * @return the running pair.
     */
    public static ProxiedKafka singleNode()
    {
        return start(List.of(1), Map.of(), pipeline -> { });
    }

    /**
     * Starts an in-JVM cluster and a proxy.
     *
     * @param nodeIds            the cluster's node ids.
     * @param brokerOverrides    broker settings for every node.
     * @param pipelineCustomizer a hook on each client pipeline.
     * @return the running pair.
     */
    public static ProxiedKafka start(
        final List<Integer> nodeIds, final Map<String, String> brokerOverrides, final Consumer<ChannelPipeline> pipelineCustomizer)
    {
        return inFrontOf(InJvmKafka.start(nodeIds, brokerOverrides), pipelineCustomizer);
    }

    /**
     * Starts a proxy in front of a running cluster, which it then owns.
     *
     * @param upstream           the cluster.
     * @param pipelineCustomizer a hook on each client pipeline.
     * @return the running pair.
     */
    public static ProxiedKafka inFrontOf(final BrokerCluster upstream, final Consumer<ChannelPipeline> pipelineCustomizer)
    {
        return inFrontOf(upstream, UnaryOperator.identity(), pipelineCustomizer);
    }

    /**
     * Starts a proxy with adjusted settings in front of a running cluster, which it then owns.
     *
     * @param upstream           the cluster.
     * @param configuration      adjusts the tests' usual {@link #proxyConfig}.
     * @param pipelineCustomizer a hook on each client pipeline.
     * @return the running pair.
     */
    public static ProxiedKafka inFrontOf(
        final BrokerCluster upstream, final UnaryOperator<ProxyConfig> configuration, final Consumer<ChannelPipeline> pipelineCustomizer)
    {
        try
        {
            final KafkaProxy proxy = KafkaProxy.builder(configuration.apply(proxyConfig(upstream.bootstrapServers())))
                .clientPipelineCustomizer(pipelineCustomizer)
                .start();
            return new ProxiedKafka(upstream, proxy);
        }
        catch (final RuntimeException e)
        {
            upstream.close();
            throw e;
        }
    }

    /**
     * The configuration the tests' proxies run with: loopback, ephemeral ports, two I/O threads, a 64 MiB pool of
     * 256 KiB chunks (small enough that large records take dedicated blocks), the admin listener on an ephemeral port.
     *
     * @param bootstrapServers the upstream cluster.
     * @return the configuration.
     */
    public static ProxyConfig proxyConfig(final String bootstrapServers)
    {
        return ProxyConfig.builder(BrokerClusterConfig.of(Arrays.stream(bootstrapServers.split(",")).map(HostPort::parse).toList(), null))
            .listener(new ListenerConfig(new HostPort(ADVERTISED_HOST, 0), ADVERTISED_HOST, new NodePortsConfig(0, 1)))
            .network(NetworkConfig.of(2, "16MiB", "32MiB", null))
            .memory(MemoryConfig.of("64MiB", "256KiB", null, null))
            .admin(AdminConfig.of(true, new HostPort(ADVERTISED_HOST, 0)))
            .build();
    }

    /**
     * The cluster behind the proxy.
     *
     * @return the upstream cluster.
     */
    public BrokerCluster upstream()
    {
        return upstream;
    }

    /**
     * The in-JVM cluster behind the proxy, to stop and start its nodes.
     *
     * @return the embedded cluster.
     * @throws ClassCastException if the cluster runs elsewhere.
     */
    public EmbeddedKafkaCluster cluster()
    {
        return ((InJvmKafka)upstream).cluster();
    }

    public KafkaProxy proxy()
    {
        return proxy;
    }

    /**
     * What clients put in {@code bootstrap.servers}.
     *
     * @return the proxy's advertised bootstrap address.
     */
    public String bootstrapServers()
    {
        return proxy.advertisedBootstrapServers();
    }

    /**
     * Admin client settings through the proxy.
     *
     * @return the settings.
     */
    public Map<String, Object> adminConfig()
    {
        final Map<String, Object> config = new HashMap<>();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000);
        return config;
    }

    /**
     * String producer settings through the proxy: idempotent, acks=all.
     *
     * @return the settings, to adjust per test.
     */
    public Map<String, Object> producerConfig()
    {
        final Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return config;
    }

    /**
     * String consumer settings through the proxy, reading from the beginning.
     *
     * @param groupId the consumer group, or null for none.
     * @return the settings, to adjust per test.
     */
    public Map<String, Object> consumerConfig(final String groupId)
    {
        final Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        if (groupId != null)
        {
            config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        }
        return config;
    }

    /**
     * Creates a topic through the proxy and waits for it.
     *
     * @param name              the topic.
     * @param partitions        partition count.
     * @param replicationFactor replicas per partition.
     */
    public void createTopic(final String name, final int partitions, final int replicationFactor)
    {
        try (Admin admin = Admin.create(adminConfig()))
        {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short)replicationFactor))).all().get();
            // The controller answers once the topic is in its log; a broker knows it once it has applied that log. A
            // caller's next request must not race the broker's catch-up.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> admin.describeTopics(List.of(name)).allTopicNames().get().containsKey(name));
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        catch (final ExecutionException e)
        {
            throw new IllegalStateException("topic creation failed: topic=" + name, e.getCause());
        }
    }

    /**
     * A poll timeout long enough for a loaded 2-core CI machine.
     *
     * @return the duration.
     */
    public static Duration pollTimeout()
    {
        return Duration.ofMillis(500);
    }

    @Override
    public void close()
    {
        try
        {
            proxy.close();
        }
        finally
        {
            upstream.close();
        }
    }
}

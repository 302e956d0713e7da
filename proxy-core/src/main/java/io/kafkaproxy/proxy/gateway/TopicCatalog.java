package io.kafkaproxy.proxy.gateway;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What the gateway knows of an upstream cluster's topics, through one Kafka {@link Admin} client: whether a topic
 * exists and its partitions (REST Proxy's 40401 and 40402, the topic and partition listings), its configs, the
 * cluster's id. Descriptions are remembered for a few seconds (a missing topic for one), so a stream of produce
 * requests costs the brokers one lookup, not one per request. Thread-safe; futures complete on the admin client's
 * thread.
 */
public final class TopicCatalog implements AutoCloseable
{
    private static final long FOUND_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long MISSING_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Duration timeout;
    // Replaced when the cluster switches upstream (switchUpstream); read by every call.
    private volatile Admin admin;
    private final Map<String, Entry> descriptions = new ConcurrentHashMap<>();
    private volatile CompletableFuture<String> clusterId;

    /**
     * A catalog.
     *
     * @param clientProperties the upstream connection settings ({@link UpstreamClientProperties}).
     * @param timeout          how long one admin call may take.
     */
    public TopicCatalog(final Map<String, Object> clientProperties, final Duration timeout)
    {
        this.timeout = timeout;
        this.admin = newAdmin(clientProperties);
    }

    private Admin newAdmin(final Map<String, Object> clientProperties)
    {
        final Map<String, Object> properties = new HashMap<>(clientProperties);
        properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int)Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int)Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        return Admin.create(properties);
    }

    /**
     * Moves the catalog to another upstream cluster (the cluster failed over or back): a new admin client for it,
     * what was remembered of the cluster left forgotten (its topics, partitions and id may differ), and the admin
     * client of the cluster left closed at once, its calls in flight failing. Called by one thread at a time.
     *
     * @param clientProperties the now-active upstream's connection settings ({@link UpstreamClientProperties}).
     */
    public void switchUpstream(final Map<String, Object> clientProperties)
    {
        final Admin left = admin;
        admin = newAdmin(clientProperties);
        descriptions.clear();
        clusterId = null;
        left.close(Duration.ZERO);
    }

    /**
     * A topic's description.
     *
     * @param topic the topic.
     * @return completes with the description, or fails with Kafka's exception
     *         ({@code UnknownTopicOrPartitionException} for a missing topic).
     */
    public CompletableFuture<TopicDescription> describe(final String topic)
    {
        final long now = System.nanoTime();
        final Admin current = admin;
        final Entry cached = descriptions.get(topic);
        // An entry of the admin client a switch replaced is stale even if young: it may hold that client's failure.
        if (cached != null && cached.admin == current &&
            now - cached.atNanos < (cached.future.isCompletedExceptionally() ? MISSING_NANOS : FOUND_NANOS))
        {
            return cached.future;
        }
        final CompletableFuture<TopicDescription> future = current.describeTopics(List.of(topic)).topicNameValues().get(topic)
            .toCompletionStage().toCompletableFuture();
        descriptions.put(topic, new Entry(future, now, current));
        return future;
    }

    /**
     * The topics a client may be told of: every topic but the internal ones.
     *
     * @return completes with the names.
     */
    public CompletableFuture<Set<String>> listTopics()
    {
        return admin.listTopics().names().toCompletionStage().toCompletableFuture();
    }

    /**
     * A topic's configuration, as {@code kafka-configs --describe} shows it.
     *
     * @param topic the topic.
     * @return completes with name to value, sorted by name.
     */
    public CompletableFuture<Map<String, String>> topicConfigs(final String topic)
    {
        final ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource)).values().get(resource).toCompletionStage().toCompletableFuture()
            .thenApply(TopicCatalog::toMap);
    }

    /**
     * The upstream cluster's id, asked once.
     *
     * @return completes with the id.
     */
    public CompletableFuture<String> clusterId()
    {
        CompletableFuture<String> id = clusterId;
        if (id == null || id.isCompletedExceptionally())
        {
            id = admin.describeCluster().clusterId().toCompletionStage().toCompletableFuture();
            clusterId = id;
        }
        return id;
    }

    /**
     * The admin client, for what the catalog does not wrap (group offsets for subscriptions, say).
     *
     * @return the client; closed with the catalog.
     */
    public Admin admin()
    {
        return admin;
    }

    /**
     * The admin client's connections to the brokers, as Kafka counts them.
     *
     * @return the count.
     */
    public double upstreamConnections()
    {
        return KafkaClientMetrics.connectionCount(admin.metrics(), "admin-client-metrics");
    }

    private static Map<String, String> toMap(final Config config)
    {
        final Map<String, String> values = new TreeMap<>();
        for (final ConfigEntry entry : config.entries())
        {
            if (entry.value() != null && !entry.isSensitive())
            {
                values.put(entry.name(), entry.value());
            }
        }
        return values;
    }

    @Override
    public void close()
    {
        admin.close(Duration.ofSeconds(5));
    }

    private record Entry(CompletableFuture<TopicDescription> future, long atNanos, Admin admin)
    {
    }
}

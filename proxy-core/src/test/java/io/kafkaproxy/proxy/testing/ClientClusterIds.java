package io.kafkaproxy.proxy.testing;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.ClusterResource;
import org.apache.kafka.common.ClusterResourceListener;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.MetricsReporter;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cluster id each Kafka client last took from a metadata response, as the client itself holds it: a metrics
 * reporter is one of the plugins a producer, consumer or admin client tells of every metadata update
 * ({@link ClusterResourceListener}). A test observes the client's state instead of waiting for one of its log lines.
 *
 * <p>Add {@link #recordInto(Map, String)} to a client's config; read {@link #of(String)}.
 */
public final class ClientClusterIds implements MetricsReporter, ClusterResourceListener
{
    private static final String KEY_CONFIG = "kafka-proxy.test.cluster-id-key";
    private static final Map<String, String> LATEST = new ConcurrentHashMap<>();

    private String key;

    /**
     * Makes the client built from this config record its cluster id under a key.
     *
     * @param clientConfig the client's config, changed in place.
     * @param key          the name to read it back with, unique per client.
     */
    public static void recordInto(final Map<String, Object> clientConfig, final String key)
    {
        clientConfig.put(CommonClientConfigs.METRIC_REPORTER_CLASSES_CONFIG, ClientClusterIds.class.getName());
        clientConfig.put(KEY_CONFIG, key);
    }

    /**
     * The cluster id the client recorded under a key last took.
     *
     * @param key the key given to {@link #recordInto(Map, String)}.
     * @return the id, or null before the client's first metadata response.
     */
    public static String of(final String key)
    {
        return LATEST.get(key);
    }

    @Override
    public void configure(final Map<String, ?> configs)
    {
        key = String.valueOf(configs.get(KEY_CONFIG));
    }

    @Override
    public void onUpdate(final ClusterResource clusterResource)
    {
        if (clusterResource.clusterId() != null)
        {
            LATEST.put(key, clusterResource.clusterId());
        }
    }

    @Override
    public void init(final List<KafkaMetric> metrics)
    {
    }

    @Override
    public void metricChange(final KafkaMetric metric)
    {
    }

    @Override
    public void metricRemoval(final KafkaMetric metric)
    {
    }

    @Override
    public void close()
    {
    }
}

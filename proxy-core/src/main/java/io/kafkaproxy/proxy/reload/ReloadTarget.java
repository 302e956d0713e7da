package io.kafkaproxy.proxy.reload;

import io.kafkaproxy.proxy.cluster.ClusterSnapshot;
import io.kafkaproxy.proxy.config.ProxyConfig;

/**
 * What a reload applies to: a running proxy, seen through the two calls the apply step needs.
 */
interface ReloadTarget
{
    /**
     * The configuration running now.
     *
     * @return the configuration.
     */
    ProxyConfig config();

    /**
     * Publishes a compiled snapshot to every cluster and makes the configuration the running one.
     *
     * @param config   the configuration the snapshot was compiled from.
     * @param snapshot the snapshot.
     */
    void publish(ProxyConfig config, ClusterSnapshot snapshot);
}

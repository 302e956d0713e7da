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
     * Publishes each cluster's snapshot to it and makes the configuration the running one.
     *
     * @param config   the configuration the snapshot was compiled from.
     * @param snapshot the first cluster's snapshot; the target compiles the others' before it publishes any.
     * @throws IllegalArgumentException if another cluster's snapshot does not compile; nothing is published then.
     */
    void publish(ProxyConfig config, ClusterSnapshot snapshot);
}

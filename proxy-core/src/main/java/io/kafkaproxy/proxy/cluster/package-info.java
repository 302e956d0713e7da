/**
 * What one upstream cluster runs with: the immutable {@link io.kafkaproxy.proxy.cluster.ClusterSnapshot} of its
 * live settings (bootstrap servers, timeouts, frame limits, compiled ACL rules and quotas, breaker and audit
 * settings) and the {@link io.kafkaproxy.proxy.cluster.ClusterSnapshotReference} a reload publishes it through.
 * The per-cluster objects built around it (node registry, connector, policy, breakers) are composed in
 * {@code net.ClusterContext}.
 */
package io.kafkaproxy.proxy.cluster;

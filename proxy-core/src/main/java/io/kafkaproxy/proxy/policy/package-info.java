/**
 * The policy applied to Kafka requests and responses: each connection's {@link
 * io.kafkaproxy.proxy.policy.ConnectionPolicy} takes the principal from SASL or the client.id, decides requests
 * against the ACL rules (flyweight topic walks on the hot path; Kafka's generated classes on the rare paths that
 * split a request and amend its response, or answer a denial with the broker's own error), charges quotas and
 * carries their throttle in {@code throttle_time_ms}. {@link io.kafkaproxy.proxy.policy.PolicyServices} holds what
 * all connections of one cluster share: the rules and quotas (read from the cluster's published
 * {@link io.kafkaproxy.proxy.cluster.ClusterSnapshot}), the connection limiter, the audit log and the topic names
 * learnt by id.
 */
package io.kafkaproxy.proxy.policy;

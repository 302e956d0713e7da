/**
 * The policy applied to Kafka requests and responses, as stages: each connection's {@link
 * io.kafkaproxy.proxy.policy.ConnectionPolicy} runs a request through identity ({@link
 * io.kafkaproxy.proxy.policy.IdentityStage} over {@link io.kafkaproxy.proxy.policy.PrincipalSource}s: passthrough SASL,
 * else the client.id; a TLS certificate, a terminated SASL login or an HTTP credential would be another source),
 * quota ({@link io.kafkaproxy.proxy.policy.QuotaStage}: connection limits, charging, the throttle carried in {@code
 * throttle_time_ms}) and authorization ({@link io.kafkaproxy.proxy.policy.AuthorizationStage}: ACL rules, with
 * flyweight topic walks on the hot path and Kafka's generated classes on the rare paths that split a request and
 * amend its response, or answer a denial with the broker's own error), and returns one reused {@link
 * io.kafkaproxy.proxy.request.RequestDecision}; responses also feed topic-id learning ({@link
 * io.kafkaproxy.proxy.policy.TopicIdLearningStage}). {@link io.kafkaproxy.proxy.policy.PolicyServices} holds what all
 * connections of one cluster share: the rules and quotas (read from the cluster's published {@link
 * io.kafkaproxy.proxy.cluster.ClusterSnapshot}), the connection limiter, the audit log and the topic names learnt by
 * id. Depends on {@code proxy.request}, never on {@code proxy.connection}.
 */
package io.kafkaproxy.proxy.policy;

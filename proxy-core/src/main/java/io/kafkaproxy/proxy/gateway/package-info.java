/**
 * The HTTP and MQTT gateway's shared services: one {@link io.kafkaproxy.proxy.gateway.GatewayProducer} (Kafka's own
 * producer) and one {@link io.kafkaproxy.proxy.gateway.TopicCatalog} per upstream cluster, the access rules and
 * authenticators that apply the proxy's ACLs, quotas and credentials to gateway clients, the meters, and the
 * {@link io.kafkaproxy.proxy.gateway.Gateway} lifecycle that binds the listeners (subpackages {@code http},
 * {@code stream}, {@code mqtt}). Design and configuration: {@code docs/gateway.md}.
 */
package io.kafkaproxy.proxy.gateway;

/**
 * The admin HTTP listener: Prometheus metrics, liveness and readiness, apart from the Kafka listeners. The
 * upstream half of readiness, {@link io.kafkaproxy.proxy.admin.BrokerReadinessProbe}, connects to a cluster's
 * bootstrap servers; {@link io.kafkaproxy.proxy.admin.MemoryReadiness} reports a memory pool that has kept clients
 * waiting; the proxy adds its own half (stopping, bootstrap listener bound).
 */
package io.kafkaproxy.proxy.admin;

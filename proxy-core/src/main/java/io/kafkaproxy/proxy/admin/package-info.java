/**
 * The admin HTTP listener: Prometheus metrics, liveness and readiness, apart from the Kafka listeners.
 */
package io.kafkaproxy.proxy.admin;

/**
 * An in-process Apache Kafka cluster (KRaft) for {@code kafka-proxy demo}, the integration tests and the benchmarks.
 *
 * <p>A module of its own so that the production artifact cannot load it: the proxy's jar and its {@code lib/} hold
 * no broker class; the distribution ships this module and the Kafka broker in {@code lib/demo}, which only the demo
 * command puts on the classpath.
 */
package io.kafkaproxy.demo;

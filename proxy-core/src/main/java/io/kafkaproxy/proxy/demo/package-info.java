/**
 * An in-process Apache Kafka cluster (KRaft) for {@code kafka-proxy demo} and the integration tests.
 *
 * <p>Compiled against the Kafka broker artifacts in provided scope: they are on the classpath of the tests and of
 * the demo command (the distribution's {@code lib/demo}), never of a production run, and nothing outside this
 * package refers to them.
 */
package io.kafkaproxy.proxy.demo;

/**
 * JMH benchmarks, one class per question, each saying what it measures and why its setup is what it is.
 *
 * <p>Build and run: {@code ./mvnw -q -pl bench -am package -DskipTests && java -jar bench/target/benchmarks.jar -prof gc}.
 * Figures and the commands that produced them are in {@code bench/RESULTS.md}. Benchmarks gate nothing.
 */
package io.kafkaproxy.bench;

/**
 * Benchmarks, one class per question, each saying what it measures and why its setup is what it is.
 *
 * <ul>
 *   <li>JMH: {@code ./mvnw -q -pl bench -am package -DskipTests && java -jar bench/target/benchmarks.jar -prof gc}
 *       (request header, Metadata/FindCoordinator/ApiVersions/Fetch response walks, frame memory, ACL decisions, and
 *       {@link io.kafkaproxy.bench.ForwardBenchmark}, a request through an in-process proxy to a stand-in
 *       broker and back);</li>
 *   <li>end to end against a real broker with Kafka's own tools, direct and through the proxy:
 *       {@code bench/e2e.sh} ({@link io.kafkaproxy.bench.EndToEndBenchmark}), ending with one {@code E2E ...} line of
 *       the figures issue 15 tracks, and able to run two variants of the proxy against each other
 *       ({@code E2E_PROXY_ARGS}, {@code E2E_PROXY_ARGS_B});</li>
 *   <li>launch to listening, measured from outside: {@code bench/startup.sh}
 *       ({@link io.kafkaproxy.bench.StartupBenchmark});</li>
 *   <li>memory per idle connection: {@code bench/connections.sh}
 *       ({@link io.kafkaproxy.bench.ConnectionScaleBenchmark}).</li>
 * </ul>
 *
 * <p>Figures and the commands that produced them are in {@code bench/RESULTS.md}. Benchmarks gate nothing.
 */
package io.kafkaproxy.bench;

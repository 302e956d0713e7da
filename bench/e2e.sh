#!/usr/bin/env bash
# End-to-end benchmark: Kafka's own performance tools against a real broker, directly and through the proxy,
# alternating for several rounds; prints medians and ratios (see bench/RESULTS.md).
#
#   bench/e2e.sh [ROUNDS [RECORDS [RECORD_SIZE [LATENCY_RECORDS [LATENCY_RATE [E2E_RECORDS]]]]]]
#   defaults:      3       1000000   1024          50000             5000           5000
#
# Needs only a JDK 17+: builds the proxy's distribution, the benchmarks and kafka-tools' classpath first.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -DskipTests package
# The broker runs from the distribution's own classpath (lib/demo holds the Kafka broker) plus BenchBroker.
distribution=proxy-core/target/kafka-proxy
echo "bench/target/classes:$distribution/lib/*:$distribution/lib/demo/*" > bench/target/broker-classpath.txt
exec java -Xmx512m -cp bench/target/benchmarks.jar io.kafkaproxy.bench.EndToEndBenchmark \
  "$distribution/bin/kafka-proxy" \
  bench/target/broker-classpath.txt \
  testing/kafka-tools/target/tools-classpath.txt \
  "$@"

#!/usr/bin/env bash
# Policy cost end to end: the proxy with a 100-rule ACL set and quotas against the same proxy without them, each
# driven by Kafka's own performance tools against a real broker, alternating for several rounds; prints medians
# and ratios policy / plain (see bench/RESULTS.md). The figures that matter are produce MB/s and the proxy's CPU
# seconds per GB produced; consume and latency figures are printed as well.
#
#   bench/policy-cost.sh [ROUNDS [RECORDS [RECORD_SIZE [LATENCY_RECORDS [LATENCY_RATE [E2E_RECORDS]]]]]]
#   defaults:             5       1000000   1024          50000             5000           5000
#
#   POLICY_CONFIG=FILE    the policy proxy's configuration (default bench/policy-100-rules.yaml); its upstream,
#                         listener, admin and logging keys are overridden by the same flags the plain proxy gets.
#
# Five rounds rather than e2e.sh's three: a single round swings by far more than the 5% looked for here.
# Needs only a JDK 17+: builds the proxy's distribution, the benchmarks and kafka-tools' classpath first.
set -euo pipefail
policy=$(realpath -- "${POLICY_CONFIG:-$(dirname "$0")/policy-100-rules.yaml}")
cd "$(dirname "$0")/.."
./mvnw -q -B -DskipTests package
# The broker runs from the distribution's own classpath (lib/demo holds the Kafka broker) plus BenchBroker.
distribution=proxy-core/target/kafka-proxy
echo "bench/target/classes:$distribution/lib/*:$distribution/lib/demo/*" > bench/target/broker-classpath.txt
# Every error in the file at once, before a broker is started for nothing; the effective configuration is not needed.
"$distribution/bin/kafka-proxy" check-config "$policy" > /dev/null
exec java -Xmx512m -De2e.policyConfig="$policy" -cp bench/target/benchmarks.jar io.kafkaproxy.bench.EndToEndBenchmark \
  "$distribution/bin/kafka-proxy" \
  bench/target/broker-classpath.txt \
  testing/kafka-tools/target/tools-classpath.txt \
  "${1:-5}" "${@:2}"

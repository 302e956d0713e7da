#!/usr/bin/env bash
# Before/after benchmark: an earlier commit's proxy against this checkout's, end to end, with Kafka's own tools
# against one real broker, alternating for several rounds; prints medians and ratios (after / before).
#
#   bench/before-after.sh REF [ROUNDS [RECORDS [RECORD_SIZE [LATENCY_RECORDS [LATENCY_RATE [E2E_RECORDS]]]]]]
#   defaults:                 3       1000000   1024          50000             5000           5000
#
# REF is any git revision (a commit, a tag, HEAD~3); it is built once in a worktree under bench/target/baseline-REV.
# Needs only a JDK 17+.
set -euo pipefail
ref=${1:?usage: bench/before-after.sh REF [ROUNDS ...]}
shift
cd "$(dirname "$0")/.."
revision=$(git rev-parse --short "$ref^{commit}")
baseline=bench/target/baseline-$revision
./mvnw -q -B -DskipTests package
if [ ! -x "$baseline/proxy-core/target/kafka-proxy/bin/kafka-proxy" ]; then
  rm -rf "$baseline"
  git worktree prune
  git worktree add --detach "$baseline" "$revision"
  # The baseline's own reactor, built offline from what this build just fetched; nothing is installed.
  (cd "$baseline" && ./mvnw -q -B -o -DskipTests package -pl proxy-core -am)
fi
distribution=proxy-core/target/kafka-proxy
echo "bench/target/classes:$distribution/lib/*:$distribution/lib/demo/*" > bench/target/broker-classpath.txt
exec java -Xmx512m -De2e.warmUpRecords="${E2E_WARMUP_RECORDS:-2000000}" -De2e.baselineLauncher="$baseline/proxy-core/target/kafka-proxy/bin/kafka-proxy" \
  -cp bench/target/benchmarks.jar io.kafkaproxy.bench.EndToEndBenchmark \
  "$distribution/bin/kafka-proxy" \
  bench/target/broker-classpath.txt \
  testing/kafka-tools/target/tools-classpath.txt \
  "$@"

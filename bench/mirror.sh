#!/usr/bin/env bash
# Produce mirroring's cost (issue 14): produce MB/s, fixed-rate p99 and proxy CPU seconds per GB, for a proxy
# without a mirror, with a mirror to a healthy shadow broker, and with the shadow paused (SIGSTOP), the phases
# alternating round by round; prints medians, the extra CPU per mirrored GB and the throughput ratios (see
# bench/RESULTS.md, "issue 14").
#
#   bench/mirror.sh [ROUNDS [RECORDS [RECORD_SIZE [LATENCY_RECORDS [LATENCY_RATE]]]]]
#   defaults:        3       1000000   1024          50000             5000
#
# Needs only a JDK 17+: builds the proxy's distribution, the benchmarks and kafka-tools' classpath first.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -DskipTests package
distribution=proxy-core/target/kafka-proxy
echo "bench/target/classes:$distribution/lib/*:$distribution/lib/demo/*" > bench/target/broker-classpath.txt
exec java -Xmx512m -cp bench/target/benchmarks.jar io.kafkaproxy.bench.MirrorBenchmark \
  "$distribution/bin/kafka-proxy" \
  bench/target/broker-classpath.txt \
  testing/kafka-tools/target/tools-classpath.txt \
  "$@"

#!/usr/bin/env bash
# TLS on every hop, end to end: Kafka's performance tools over SSL straight to an SSL broker, against the same tools
# through the proxy terminating the clients' TLS and opening its own to the broker; once with the OpenSSL provider
# (netty-tcnative BoringSSL) and once with the JDK's. Prints, per provider, medians and ratios of produce and
# consume MB/s, latency, proxy CPU seconds per GB and full TLS handshakes per second (see bench/RESULTS.md).
#
#   bench/tls.sh [ROUNDS [RECORDS [RECORD_SIZE [LATENCY_RECORDS [LATENCY_RATE [E2E_RECORDS]]]]]]
#   defaults:     3       1000000   1024          50000             5000           5000
#   E2E_WARMUP_RECORDS records each way before the measured rounds (default 2,000,000, as bench/e2e.sh: the TLS
#                      paths need it, a proxy round right after a short warm-up ran at half speed).
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -DskipTests package
distribution=proxy-core/target/kafka-proxy
echo "bench/target/classes:$distribution/lib/*:$distribution/lib/demo/*" > bench/target/broker-classpath.txt
for provider in openssl jdk; do
  echo "=== TLS provider: $provider"
  java -Xmx512m -De2e.tls="$provider" -De2e.warmUpRecords="${E2E_WARMUP_RECORDS:-2000000}" -cp bench/target/benchmarks.jar io.kafkaproxy.bench.EndToEndBenchmark \
    "$distribution/bin/kafka-proxy" \
    bench/target/broker-classpath.txt \
    testing/kafka-tools/target/tools-classpath.txt \
    "$@"
done

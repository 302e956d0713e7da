#!/usr/bin/env bash
# Failover between data centres, timed: from the primary's failure (SIGKILL of its broker) to the first record the
# standby acknowledges, with the proxy switching by itself (3 failed probes of 1s) and on the operator's command
# (POST /clusters/default/failover right after the kill). Each round starts a fresh primary broker and proxy.
#
#   bench/failover.sh [ROUNDS]
#   default:           3        (rounds per trigger)
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -DskipTests package
distribution=proxy-core/target/kafka-proxy
echo "bench/target/classes:$distribution/lib/*:$distribution/lib/demo/*" > bench/target/broker-classpath.txt
exec java -Xmx1g -cp bench/target/benchmarks.jar io.kafkaproxy.bench.FailoverBenchmark \
  "$distribution/bin/kafka-proxy" bench/target/broker-classpath.txt "$@"

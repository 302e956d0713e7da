#!/usr/bin/env bash
# Connection scale: N idle client connections through the proxy (default 9000: each costs the proxy two file
# descriptors, and this sandbox caps a process at 20,000); prints the proxy's memory per connection.
#
#   bench/connections.sh [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -DskipTests package
exec java -cp bench/target/benchmarks.jar io.kafkaproxy.bench.ConnectionScaleBenchmark \
  proxy-core/target/kafka-proxy/bin/kafka-proxy "${1:-9000}"

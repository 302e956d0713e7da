#!/usr/bin/env bash
# The HTTP and MQTT gateway from outside: HTTP publish with wrk, h2load and hey (fixed rate, p99), broker connections
# under 1,000 HTTP clients, MQTT QoS 1 with mosquitto_pub, memory per idle SSE/WebSocket/MQTT session, and N SSE
# subscribers of one topic fed from one fetch stream. Needs wrk, h2load (nghttp2-client), hey, mosquitto-clients, ss.
#
#   bench/gateway.sh [SECONDS [IDLE_SESSIONS [SUBSCRIBERS]]]
#   defaults:         20       1000           5000
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -DskipTests package
distribution=proxy-core/target/kafka-proxy
echo "bench/target/classes:$distribution/lib/*:$distribution/lib/demo/*" > bench/target/broker-classpath.txt
exec java -Xmx1g -cp bench/target/benchmarks.jar io.kafkaproxy.bench.GatewayBenchmark \
  "$distribution/bin/kafka-proxy" bench/target/broker-classpath.txt "$@"

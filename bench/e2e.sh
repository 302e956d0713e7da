#!/usr/bin/env bash
# End-to-end benchmark: Kafka's own performance tools against a real broker, directly and through the proxy,
# alternating for several rounds; prints medians and ratios (see bench/RESULTS.md).
#
#   bench/e2e.sh [ROUNDS [RECORDS [RECORD_SIZE [LATENCY_RECORDS [LATENCY_RATE [E2E_RECORDS]]]]]]
#   defaults:      3       1000000   1024          50000             5000           5000
#
# Ends with one greppable line of the figures issue 15 tracks (medians; start-up measured from outside as
# bench/startup.sh does):
#   E2E produce=0.99x consume=0.80x cpuProduce=1.28s/GB cpuConsume=0.74s/GB e2eAdded=+0.120ms rss=137MiB start=0.550s
#
#   E2E_PROXY_ARGS         extra flags for the proxy, e.g. "--transport io_uring" or "--config FILE".
#   E2E_PROXY_ARGS_B       set (even empty) to run proxy A (E2E_PROXY_ARGS) against proxy B (these flags) instead of
#                          direct against proxy, alternating; prints "E2E-AB b/a ..." with B / A ratios, then one
#                          "E2E-a ..." and one "E2E-b ..." line of absolute figures.
#   E2E_PROXY_JAVA_OPTS_B  KAFKA_PROXY_JAVA_OPTS for proxy B only (also turns on A/B), e.g. "-XX:+UseSerialGC".
#   E2E_START_RUNS         measured start-ups per proxy before the warm-up (default 5).
#   E2E_WARMUP_RECORDS     records produced and consumed each way before the measured rounds (default 2,000,000,
#                          as issue 15's table was measured: a shorter warm-up leaves C2 compiling in the first rounds).
#   E2E_TLS                openssl or jdk: TLS on every hop (direct: clients to an SSL broker; proxy: both sides),
#                          as bench/tls.sh runs it; also for A/B runs (then without --config in E2E_PROXY_ARGS*).
#   E2E_PROXY_CPUS         CPU list for the proxies (taskset -c), e.g. 1; with E2E_OTHER_CPUS (e.g. 0) for the
#                          harness, the broker and the tools: the proxy on cores of its own, as on hosts of its own.
#   MAVEN_ARGS=-o          build offline.
#
# Needs only a JDK 17+: builds the proxy's distribution, the benchmarks and kafka-tools' classpath first.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -DskipTests package
properties=(-Dproxy.args="${E2E_PROXY_ARGS:-}" -De2e.startRuns="${E2E_START_RUNS:-5}" -De2e.warmUpRecords="${E2E_WARMUP_RECORDS:-2000000}")
if [ -n "${E2E_PROXY_ARGS_B+set}" ]; then properties+=(-Dproxy.argsB="$E2E_PROXY_ARGS_B"); fi
if [ -n "${E2E_PROXY_JAVA_OPTS_B+set}" ]; then properties+=(-Dproxy.javaOptsB="$E2E_PROXY_JAVA_OPTS_B"); fi
if [ -n "${E2E_TLS:-}" ]; then properties+=(-De2e.tls="$E2E_TLS"); fi
if [ -n "${E2E_PROXY_CPUS:-}" ]; then properties+=(-De2e.proxyCpus="$E2E_PROXY_CPUS"); fi
pin=()
if [ -n "${E2E_OTHER_CPUS:-}" ]; then
  if [ -z "${E2E_PROXY_CPUS:-}" ]; then
    echo "E2E_OTHER_CPUS without E2E_PROXY_CPUS would put the proxies on the broker's cores; set both" >&2
    exit 2
  fi
  pin=(taskset -c "$E2E_OTHER_CPUS")
fi
# The broker runs from the distribution's own classpath (lib/demo holds the Kafka broker) plus BenchBroker.
distribution=proxy-core/target/kafka-proxy
echo "bench/target/classes:$distribution/lib/*:$distribution/lib/demo/*" > bench/target/broker-classpath.txt
exec ${pin[@]+"${pin[@]}"} java -Xmx512m "${properties[@]}" -cp bench/target/benchmarks.jar io.kafkaproxy.bench.EndToEndBenchmark \
  "$distribution/bin/kafka-proxy" \
  bench/target/broker-classpath.txt \
  testing/kafka-tools/target/tools-classpath.txt \
  "$@"

#!/usr/bin/env bash
# Start-up to listening, measured from outside: launch of bin/kafka-proxy to the first TCP connection its bootstrap
# port accepts (a connect attempt every 5 ms), over several runs; prints each run and one line
#   STARTUP a=0.412s [b=0.290s b/a=0.70x] aCpu=0.61s [bCpu=0.45s] aRuns=[...] [bRuns=[...]]
# with medians; aCpu is the CPU time the proxy had used when it first accepted, steadier than wall time on a
# loaded machine (see bench/RESULTS.md, "issue 15: start-up").
#
#   bench/startup.sh [RUNS [OTHER_LAUNCHER]]      defaults: 7 runs, one variant
#
#   OTHER_LAUNCHER         another distribution's bin/kafka-proxy (e.g. a copy of an earlier build's
#                          proxy-core/target/kafka-proxy): runs alternate between it (b) and this build (a).
#   E2E_PROXY_ARGS         extra flags for the proxy (a), e.g. "--transport io_uring" or "--config FILE".
#   E2E_PROXY_ARGS_B       set (even empty) to alternate a second variant (b) with these flags instead.
#   E2E_PROXY_JAVA_OPTS_B  KAFKA_PROXY_JAVA_OPTS for (b), e.g. "-XX:+UseSerialGC".
#
# No broker is needed: the proxy does not connect to one before its first client. Builds proxy-core and bench
# (MAVEN_ARGS=-o for an offline build).
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -DskipTests -Djacoco.skip=true package -pl proxy-core,bench -am
properties=(-Dproxy.args="${E2E_PROXY_ARGS:-}")
if [ -n "${E2E_PROXY_ARGS_B+set}" ]; then properties+=(-Dproxy.argsB="$E2E_PROXY_ARGS_B"); fi
if [ -n "${E2E_PROXY_JAVA_OPTS_B+set}" ]; then properties+=(-Dproxy.javaOptsB="$E2E_PROXY_JAVA_OPTS_B"); fi
exec java -Xmx256m "${properties[@]}" -cp bench/target/benchmarks.jar io.kafkaproxy.bench.StartupBenchmark \
  proxy-core/target/kafka-proxy/bin/kafka-proxy "${1:-7}" ${2:+"$(realpath -- "$2")"}

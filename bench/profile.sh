#!/usr/bin/env bash
# Profiles the proxy with async-profiler during an end-to-end run (bench/e2e.sh's, or bench/tls.sh's with E2E_TLS) and
# cuts the profile into the proxy's produce and consume phases, as collapsed stacks (one line per stack, samples last;
# flame-graph tools read them, and so do grep and awk).
#
#   bench/profile.sh OUTDIR [ROUNDS [RECORDS]]          defaults: 1 1000000 (1 KiB records)
#   ASYNC_PROFILER       required: async-profiler's libasyncProfiler.so (Maven Central:
#                        tools.profiler:async-profiler:4.2:jar:linux-x64 holds it under linux-x64/)
#   JFR_CONVERTER        async-profiler's jfr-converter jar (tools.profiler:jfr-converter:4.2); without it only
#                        OUTDIR/proxy.jfr is written
#   E2E_TLS              openssl | jdk: TLS on every hop; unset: plaintext
#   EVENT, INTERVAL      async-profiler event and interval (default cpu, 1ms; e.g. EVENT=alloc INTERVAL=16384)
#   E2E_WARMUP_RECORDS   warm-up records each way (default 1,000,000)
#   E2E_PROXY_CPUS       CPU list for the proxy (taskset -c); run this script under taskset -c OTHER to keep the
#                        broker and the tools off it, as bench/e2e.sh's E2E_OTHER_CPUS does
#
# Builds first, as bench/tls.sh does (MAVEN_ARGS=-o for an offline build). The class-data archive is off for the profiled proxy (the JVM cannot dump one with an agent loaded), so its start-up
# figure is not comparable with bench/startup.sh's. Writes OUTDIR/run.log (the run's output, each line timed),
# OUTDIR/proxy.jfr and OUTDIR/round-N-{produce,consume}.collapsed.
set -euo pipefail
out=${1:?OUTDIR}; rounds=${2:-1}; records=${3:-1000000}
: "${ASYNC_PROFILER:?set ASYNC_PROFILER to libasyncProfiler.so}"
cd "$(dirname "$0")/.."
./mvnw -q -B -DskipTests package
mkdir -p "$out"; out=$(cd "$out" && pwd)
distribution=proxy-core/target/kafka-proxy
echo "bench/target/classes:$distribution/lib/*:$distribution/lib/demo/*" > bench/target/broker-classpath.txt
export KAFKA_PROXY_CDS=off
export KAFKA_PROXY_JAVA_OPTS="-agentpath:$ASYNC_PROFILER=start,event=${EVENT:-cpu},interval=${INTERVAL:-1ms},file=$out/proxy.jfr"
java -Xmx512m ${E2E_TLS:+-De2e.tls=$E2E_TLS} ${E2E_PROXY_CPUS:+-De2e.proxyCpus=$E2E_PROXY_CPUS} -De2e.warmUpRecords="${E2E_WARMUP_RECORDS:-1000000}" -De2e.startRuns=1 \
  -cp bench/target/benchmarks.jar io.kafkaproxy.bench.EndToEndBenchmark \
  "$distribution/bin/kafka-proxy" bench/target/broker-classpath.txt testing/kafka-tools/target/tools-classpath.txt \
  "$rounds" "$records" 1024 25000 5000 3000 2>&1 | while IFS= read -r line; do echo "$(date +%s%3N) $line"; done > "$out/run.log"
grep E2E "$out/run.log" | cut -d' ' -f2-
[ -n "${JFR_CONVERTER:-}" ] || exit 0
case "${EVENT:-cpu}" in alloc) kind="--alloc --total" ;; wall) kind=--wall ;; *) kind=--cpu ;; esac
# A phase runs from its "round N proxy: <phase>" line to the next line; a second is dropped at each end (start-up of
# the tool, its summary).
awk '/ round [0-9]+ proxy: (produce|consume|latency)$/ { print $1, $3, $5 }' "$out/run.log" |
  while read -r start round phase; do
    [ "$phase" = latency ] && continue
    end=$(awk -v s="$start" '$1 > s { print $1; exit }' "$out/run.log")
    java -jar "$JFR_CONVERTER" $kind --simple --from $((start + 1000)) --to $((end - 1000)) -o collapsed \
      "$out/proxy.jfr" "$out/round-$round-$phase.collapsed" > /dev/null
    echo "$out/round-$round-$phase.collapsed: $(awk '{ n += $NF } END { print n }' "$out/round-$round-$phase.collapsed") samples"
  done

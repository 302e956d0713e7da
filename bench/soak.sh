#!/usr/bin/env bash
# Soak: the proxy, from its distribution, in front of one real broker, at half load (an acks=all producer at SOAK_RATE
# records/s of SOAK_RECORD_SIZE bytes, about half of the produce throughput in RESULTS.md, and a consumer reading it
# back) for DURATION. Every INTERVAL seconds it records the proxy's RSS, open file descriptors, threads, client
# connections and memory pool figures (admin /metrics) in a CSV, then fails if any of them grew: after a warm-up
# (SOAK_WARMUP seconds, default a tenth of the run, at least 30 s), the mean of the last quarter of the samples must stay
# within SOAK_TOLERANCE (default 10%) plus a small absolute slack of the mean of the first quarter. The slope of a
# linear fit over the same samples is printed per hour.
#
#   bench/soak.sh [DURATION [INTERVAL]]      DURATION: seconds or 30s, 5m, 1h (default 1h); INTERVAL default 10
#
# The proxy's heap is fixed and touched up front (SOAK_HEAP_OPTS, default -Xms1g -Xmx1g -XX:+AlwaysPreTouch): with the
# launcher's default -Xms256m the JVM touches committed heap pages lazily for minutes, and RSS climbs at a steady rate
# that looks like a leak and is not one. RSS then grows only with off-heap memory (pool, direct buffers, metaspace,
# threads), and the old generation's use (after young collections) stands for the heap's live data.
#
# env: SOAK_RATE (default 25000), SOAK_RECORD_SIZE (1024), SOAK_TOLERANCE (0.10), SOAK_WARMUP, SOAK_HEAP_OPTS,
# SOAK_SKIP_BUILD=1 to use the distribution already built. Needs only a JDK 17+, curl and awk.
# Output: bench/target/soak-TIME/ (samples.csv, the logs).
set -euo pipefail
to_seconds() {
  case "$1" in
    *h) echo $(( ${1%h} * 3600 )) ;;
    *m) echo $(( ${1%m} * 60 )) ;;
    *s) echo "${1%s}" ;;
    *) echo "$1" ;;
  esac
}
duration=$(to_seconds "${1:-1h}")
interval=${2:-10}
rate=${SOAK_RATE:-25000}
record_size=${SOAK_RECORD_SIZE:-1024}
tolerance=${SOAK_TOLERANCE:-0.10}
warmup=${SOAK_WARMUP:-$(( duration / 10 > 30 ? duration / 10 : 30 ))}
cd "$(dirname "$0")/.."

if [ -z "${SOAK_SKIP_BUILD:-}" ]; then
  ./mvnw -q -B -DskipTests package
fi
distribution=proxy-core/target/kafka-proxy
echo "bench/target/classes:$distribution/lib/*:$distribution/lib/demo/*" > bench/target/broker-classpath.txt
tools_classpath=$(cat testing/kafka-tools/target/tools-classpath.txt)
work=bench/target/soak-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$work"
csv=$work/samples.csv
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

java -Xmx1g -cp "$(cat bench/target/broker-classpath.txt)" io.kafkaproxy.bench.BenchBroker >"$work/broker.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 240); do
  grep -q 'BROKER READY' "$work/broker.log" 2>/dev/null && break
  sleep 0.5
done
broker=$(sed -n 's/^BROKER READY \(.*\)$/\1/p' "$work/broker.log")
[ -n "$broker" ] || { echo "broker did not start, see $work/broker.log" >&2; exit 1; }

proxy_port=$(free_port)
admin_port=$(free_port)
KAFKA_PROXY_HEAP_OPTS=${SOAK_HEAP_OPTS:--Xms1g -Xmx1g -XX:+AlwaysPreTouch} \
  "$distribution/bin/kafka-proxy" --bootstrap "$broker" --listen "127.0.0.1:$proxy_port" --advertised-host 127.0.0.1 \
  --admin-listen "127.0.0.1:$admin_port" --log-level WARN >"$work/proxy.log" 2>&1 &
proxy_pid=$!
pids+=("$proxy_pid")
for _ in $(seq 1 240); do
  curl -sf "http://127.0.0.1:$admin_port/readyz" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -sf "http://127.0.0.1:$admin_port/readyz" >/dev/null || { echo "proxy not ready, see $work/proxy.log" >&2; exit 1; }
echo "broker $broker, proxy 127.0.0.1:$proxy_port (pid $proxy_pid), admin 127.0.0.1:$admin_port; samples in $csv"

records=$(( rate * duration ))
java -Xmx512m -cp "$tools_classpath" org.apache.kafka.tools.ProducerPerformance --topic soak \
  --num-records "$records" --record-size "$record_size" --throughput "$rate" \
  --producer-props "bootstrap.servers=127.0.0.1:$proxy_port" acks=all >"$work/producer.log" 2>&1 &
pids+=($!)
java -Xmx512m -cp "$tools_classpath" org.apache.kafka.tools.ConsumerPerformance --bootstrap-server "127.0.0.1:$proxy_port" \
  --topic soak --num-records "$records" --group soak-consumer --timeout 600000 >"$work/consumer.log" 2>&1 &
pids+=($!)

metric() {
  # Sums the series of a metric in the Prometheus exposition whose labels contain $2 (every series if empty); -1 if none.
  # Label values may hold spaces (id="G1 Old Gen"): match on the whole line, take the last field as the value.
  awk -v name="$1" -v labels="$2" '($1 == name || index($0, name "{") == 1) && (labels == "" || index($0, labels) > 0) { sum += $NF; found = 1 }
    END { printf "%.0f", found ? sum : -1 }' "$3"
}

echo "seconds,rss_kb,fds,threads,client_connections,pool_reserved_bytes,pool_used_bytes,pool_outstanding_regions,pool_high_water_mark_bytes,old_gen_used_bytes,direct_buffer_bytes,metaspace_used_bytes" >"$csv"
started=$(date +%s)
while true; do
  now=$(( $(date +%s) - started ))
  [ "$now" -le "$duration" ] || break
  kill -0 "$proxy_pid" 2>/dev/null || { echo "the proxy exited, see $work/proxy.log" >&2; exit 1; }
  scrape=$work/metrics.txt
  curl -sf "http://127.0.0.1:$admin_port/metrics" >"$scrape" || : >"$scrape"
  rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$proxy_pid/status")
  fds=$(ls "/proc/$proxy_pid/fd" | wc -l)
  threads=$(awk '/^Threads:/ { print $2 }' "/proc/$proxy_pid/status")
  printf '%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n' "$now" "$rss" "$fds" "$threads" \
    "$(metric kafka_proxy_connections_active 'side="client"' "$scrape")" \
    "$(metric kafka_proxy_memory_reserved_bytes '' "$scrape")" "$(metric kafka_proxy_memory_used_bytes '' "$scrape")" \
    "$(metric kafka_proxy_memory_outstanding_regions '' "$scrape")" "$(metric kafka_proxy_memory_high_water_mark_bytes '' "$scrape")" \
    "$(metric jvm_memory_used_bytes 'Old Gen' "$scrape")" "$(metric jvm_buffer_memory_used_bytes 'id="direct"' "$scrape")" \
    "$(metric jvm_memory_used_bytes 'id="Metaspace"' "$scrape")" >>"$csv"
  sleep "$interval"
done
tail -n 3 "$work/producer.log" | sed 's/^/producer: /'

# Growth check: first quarter against last quarter after the warm-up, per column, with a relative tolerance and an
# absolute slack (the size of ordinary jitter: a few MiB of RSS, a few fds, one pool chunk, a young collection's worth of
# promotions); the slope of a least-squares line per hour for the record. Columns: 2 rss_kb, 3 fds, 4 threads,
# 6 reserved, 7 used, 8 regions, 10 old gen used, 11 direct buffers, 12 metaspace.
awk -F, -v warmup="$warmup" -v tolerance="$tolerance" '
  NR == 1 { for (i = 1; i <= NF; i++) name[i] = $i; next }
  $1 >= warmup { n++; for (i = 1; i <= NF; i++) v[n, i] = $i }
  END {
    if (n < 8) { print "too few samples after the warm-up: " n; exit 2 }
    slack[2] = 16384; slack[3] = 16; slack[4] = 8; slack[6] = 4194304; slack[7] = 4194304; slack[8] = 64
    slack[10] = 33554432; slack[11] = 4194304; slack[12] = 4194304
    q = int(n / 4); failed = 0
    split("2 3 4 6 7 8 10 11 12", columns, " ")
    for (c = 1; c <= 9; c++) {
      i = columns[c]; first = 0; last = 0; sx = 0; sy = 0; sxy = 0; sxx = 0
      for (k = 1; k <= q; k++) { first += v[k, i]; last += v[n - q + k, i] }
      first /= q; last /= q
      for (k = 1; k <= n; k++) { x = v[k, 1]; y = v[k, i]; sx += x; sy += y; sxy += x * y; sxx += x * x }
      slope = (n * sxx - sx * sx) == 0 ? 0 : (n * sxy - sx * sy) / (n * sxx - sx * sx) * 3600
      limit = first * (1 + tolerance) + slack[i]
      verdict = last <= limit ? "ok" : "GREW"
      if (verdict == "GREW") failed = 1
      printf "%-26s first quarter %14.0f  last quarter %14.0f  limit %14.0f  slope/h %14.0f  %s\n", name[i], first, last, limit, slope, verdict
    }
    printf "samples=%d after warm-up of %ds\n", n, warmup
    exit failed
  }' "$csv"

#!/usr/bin/env bash
# Decoder fuzzing: every protocol flyweight and rewriter (request frame and header, Produce, Fetch, SaslHandshake,
# SaslAuthenticate and the SASL user names, Metadata, FindCoordinator, DescribeCluster, ApiVersions and node-endpoint
# responses, the throttle-time locator, whole response frames) fed N mutated frames in all, split evenly between the
# decoders, from SEED. The only outcomes allowed are success and FrameRejectedException; a failure prints the seed and
# frame index that replay it. CI runs the same test with a few thousand frames per decoder and a fixed seed.
#
#   bench/fuzz.sh [N [SEED]]      defaults: 1000000, a random seed (printed)
#
# Extra Maven flags go in MAVEN_ARGS (Maven 3.9 reads it), for example MAVEN_ARGS=-o for an offline build.
set -euo pipefail
frames=${1:-1000000}
seed=${2:-$(od -An -N6 -tu8 /dev/urandom | tr -d ' ')}
cd "$(dirname "$0")/.."
mkdir -p bench/target
log=bench/target/fuzz-$seed.log
echo "fuzzing the protocol decoders: frames=$frames seed=$seed (log: $log)"
started=$(date +%s)
status=0
./mvnw -B -pl protocol test -Dtest=DecoderFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dfuzz.totalFrames="$frames" -Dfuzz.seed="$seed" >"$log" 2>&1 || status=$?
elapsed=$(( $(date +%s) - started ))
grep '^FUZZ ' "$log" || true
grep -E 'Tests run:|FAIL|AssertionError' "$log" | sed -n '1,20p' || true
grep '^FUZZ ' "$log" | awk -v seed="$seed" -v elapsed="$elapsed" '
  { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    frames += v["frames"]; accepted += v["accepted"]; rejected += v["rejected"]; decoders++ }
  END { printf "TOTAL decoders=%d frames=%d accepted=%d rejected=%d seed=%s seconds=%d (each frame decoded at two offsets)\n",
        decoders, frames, accepted, rejected, seed, elapsed }'
exit "$status"

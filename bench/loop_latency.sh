#!/usr/bin/env bash
# Event-loop delay while garbage collection compacts a large pack during a fetch.
#
#   bench/loop_latency.sh [PACK_MIB=1024]
#
# Runs node/runtime's LoopLatencyTest with a PACK_MIB pack: a node whose store holds one pack of
# PACK_MIB random chunks (a third of them garbage) fetches a 48 MiB snapshot from a seeder
# (upload-limited to 16 MiB/s so the fetch outlasts the compaction) and, once chunks arrive,
# collects garbage, which rewrites the pack while every new store batch waits. Prints the p99 of
# shoal_event_loop_delay_seconds over the compaction and the fetch, per loop (the upper bound of
# its histogram bucket), and how long the compaction took; the test itself fails if a p99 passes
# 100 ms or gossip suspected anyone. Target (issue 11): p99 < 100 ms, no suspicion.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PACK_MIB=${1:-1024}
cd "$ROOT"
log "LoopLatencyTest with a ${PACK_MIB} MiB pack"
out="${SCRATCH}/loop_latency.log"
mkdir -p "$SCRATCH"
status=0
mvn -B verify -pl node/runtime -am -Dtest=LoopLatencyTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dshoal.loopLatency.packMiB="$PACK_MIB" >"$out" 2>&1 || status=$?
report=node/runtime/target/surefire-reports/io.shoal.node.LoopLatencyTest-output.txt
lines=$(grep -h "loop delay p99" "$report" 2>/dev/null || true)
printf '%s\n' "$lines" | sed 's/^/  /' >&2
printf '%s\n' "$lines" | awk -v pack="$PACK_MIB" '
  { p = $5 + 0; if (p > max) max = p; for (i = 1; i <= NF; i++) if ($i == "in") c = $(i + 1) }
  END { printf "pack_mib=%d loop_delay_p99_s=%.4f compaction_s=%s\n", pack, max, c }'
if [[ $status -ne 0 ]]; then
  grep -E "Tests run|FAIL|expected|Expecting" "$out" | head -20 >&2
  die "LoopLatencyTest failed (log: $out)"
fi

#!/usr/bin/env bash
# Restore through a node: a running node that lacks a snapshot restores it from N seeders with
# 'shoal get big -o OUT --data DIR' (through the node, as the Java API's restore is): fetched from
# every seeder, each chunk verified, the files written and forced to disk before OUT appears.
# Whole-command time, CLI JVM start included.
#
#   bench/restore.sh [SIZE_MIB=1024] [SEEDERS=2] [ROUNDS=3]
#
# Each round publishes a new random version, so the node lacks all of it; the node follows
# nothing (its follow would fetch the version before the get). The issue-14 target for a 1 GiB
# replica of the RocksDB example is under 3 s from 2 peers; examples/rocksdb-kv/run.sh measures
# that with RocksDB beside it, this without.
#
# SECURE=1 gives every node credentials of one CA, so peers talk TLS with certificates, as the
# example's replicas do; by default the nodes run insecure on loopback. KEEP_LOGS=DIR copies the
# nodes' logs there after each round. Each round also logs the CPU the nodes used during the get
# (utime + stime from /proc, in milliseconds; figures before 2026-12-05 20:00 UTC were in the
# clock ticks of this machine, 10 ms each), then waits until the restoring node's store holds the
# version (a restore leaves the data to its files and the store keeps it from them afterwards,
# docs/architecture.md) and logs how long after the get that was and the CPU until then.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/swarm_lib.sh"
SIZE=${1:-1024}
SEEDERS=${2:-2}
ROUNDS=${3:-3}
need curl openssl python3
workdir restore
"$SHOAL" --version >/dev/null
BYTES=$((SIZE * 1048576))

# secured NODE: the options that give NODE credentials when SECURE=1
secured() {
  if [ "${SECURE:-0}" = 1 ]; then
    credentials "$1"
    echo "--credentials $D/cred-$1"
  fi
}

# shellcheck disable=SC2046 # secured prints options, split on purpose
start_node s1 --keep 1 $(secured s1)
SEED="127.0.0.1:$NODE_PEER"
for ((i = 2; i <= SEEDERS; i++)); do
  # shellcheck disable=SC2046
  start_node "s$i" --join "$SEED" --follow '*' --keep 1 $(secured "s$i")
done
# shellcheck disable=SC2046
start_node fresh --join "$SEED" --keep 1 $(secured fresh)

# holds NODE VERSION: the node on $D/NODE holds big@VERSION complete
holds() {
  "$SHOAL" ls --data "$D/$1" --json 2>/dev/null | python3 -c '
import json, sys
v = int(sys.argv[1])
sys.exit(0 if any(e["name"] == "big" and e["version"] == v and e["complete"] for e in json.load(sys.stdin)) else 1)' "$2"
}

TICK_MS=$(awk -v hz="$(getconf CLK_TCK)" 'BEGIN { print 1000 / hz }')
# cpu_ms: utime + stime of every node so far, in milliseconds, space-separated
cpu_ms() {
  local pid
  for pid in "${NODE_PIDS[@]}"; do awk -v t="$TICK_MS" '{printf "%d ", ($14 + $15) * t}' "/proc/$pid/stat"; done
}

# used BEFORE AFTER: each node's milliseconds between the two cpu_ms, joined by +
used() {
  awk -v a="$1" -v b="$2" 'BEGIN { n = split(a, x, " "); split(b, y, " "); for (i = 1; i <= n; i++) printf "%s%d", (i > 1 ? "+" : ""), y[i] - x[i] }'
}

times=()
for ((r = 1; r <= ROUNDS; r++)); do
  random_file "$D/big.bin" "$SIZE"
  "$SHOAL" publish big "$D/big.bin" --data "$D/s1" >/dev/null
  for ((i = 2; i <= SEEDERS; i++)); do
    for _ in $(seq 600); do holds "s$i" "$r" && break; sleep 0.1; done
    holds "s$i" "$r" || die "seeder s$i never held big@$r"
  done
  rm -rf "$D/out.bin"; sync
  cpu0=$(cpu_ms)
  t0=$(date +%s.%N)
  "$SHOAL" get "big@$r" -o "$D/out.bin" --data "$D/fresh" >"$D/get.out" 2>&1 || die "get failed: $(tail -3 "$D/get.out")"
  t1=$(date +%s.%N)
  cpu1=$(cpu_ms)
  # The node's store holds the version once it has kept the data the restore left to its files.
  for _ in $(seq 600); do holds fresh "$r" && break; sleep 0.1; done
  holds fresh "$r" || die "the restoring node never held big@$r complete"
  t2=$(date +%s.%N)
  cpu2=$(cpu_ms)
  cmp -s "$D/big.bin" "$D/out.bin" || die "the restored copy differs"
  times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}')")
  if [ -n "${KEEP_LOGS:-}" ]; then mkdir -p "$KEEP_LOGS" && cp "$D"/*.log "$KEEP_LOGS"/; fi
  log "round $r: restored $SIZE MiB from $SEEDERS seeders in ${times[-1]} s; CPU of the nodes (ms, seeders then the restoring node): $(used "$cpu0" "$cpu1"); held in the store $(awk -v a="$t1" -v b="$t2" 'BEGIN{printf "%.2f", b-a}') s after the get, CPU until then $(used "$cpu0" "$cpu2")"
done
s=$(printf '%s\n' "${times[@]}" | median)
log "median ${s} s ($(mibps $BYTES "$s") MiB/s)"
echo "restore: size_mib=$SIZE seeders=$SEEDERS secure=${SECURE:-0} get_s=$s MBps=$(mibps $BYTES "$s")"

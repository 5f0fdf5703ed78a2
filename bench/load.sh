#!/usr/bin/env bash
# Load: one seeding node and N fresh nodes that follow every name, all joined; the seeder
# publishes a random snapshot and the N fetch it at once, from the seeder and from each other, on
# loopback. Every node runs with a bounded heap and direct memory (SHOAL_JAVA_OPTS). Reports the
# time from the publish until all hold it, the p99 of the fetchers' chunk request latency
# (shoal_transfer_request_seconds, summed over all fetchers' histograms, and the worst single
# node's), and the peak RSS (VmHWM) of the seeder and the largest of the fetchers.
#
#   bench/load.sh [SIZE_MIB=256] [FETCHERS=32]
#   SEED_HEAP=256m SEED_DIRECT=256m FETCH_HEAP=160m FETCH_DIRECT=96m bench/load.sh
#
# Target (issue 11): all complete; the seeder's RSS within its heap + direct memory + the JVM's
# own (NATIVE_MIB: metaspace, code, thread stacks) and no OutOfMemoryError; p99 reported.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/swarm_lib.sh"
SIZE=${1:-256}
FETCHERS=${2:-32}
SEED_HEAP=${SEED_HEAP:-256m}
SEED_DIRECT=${SEED_DIRECT:-256m}
FETCH_HEAP=${FETCH_HEAP:-160m}
FETCH_DIRECT=${FETCH_DIRECT:-96m}
# What a JVM needs beyond heap and direct buffers (metaspace, code cache, GC, thread stacks).
NATIVE_MIB=${NATIVE_MIB:-192}
need curl openssl python3
workdir load
"$SHOAL" --version >/dev/null

mib() { awk -v s="$1" 'BEGIN{n=s+0; u=substr(s,length(s)); if(u=="g"||u=="G")n*=1024; if(u=="k"||u=="K")n/=1024; printf "%d", n}'; }
vmhwm_mib() { awk '/^VmHWM/{printf "%d", $2/1024}' "/proc/$1/status"; }

mem_total=$(awk '/^MemAvailable/{printf "%d", $2/1024}' /proc/meminfo)
need_mib=$(( $(mib "$SEED_HEAP") + $(mib "$SEED_DIRECT") + NATIVE_MIB + FETCHERS * ($(mib "$FETCH_HEAP") + $(mib "$FETCH_DIRECT") + NATIVE_MIB) ))
log "memory: at most $need_mib MiB for all nodes' bounds, $mem_total MiB available"
((need_mib < mem_total)) || die "not enough memory for $FETCHERS fetchers at these bounds"
need_disk=$(( SIZE * (FETCHERS + 2) ))
disk=$(df -m --output=avail "$SCRATCH" | tail -1)
((need_disk < disk)) || die "needs $need_disk MiB of disk under $SCRATCH, has $disk"

SHOAL_JAVA_OPTS="-Xmx$SEED_HEAP -XX:MaxDirectMemorySize=$SEED_DIRECT" start_node seed
SEED="127.0.0.1:$NODE_PEER"
SEED_HTTP=$NODE_HTTP
SEED_PID=${NODE_PIDS[0]}
HTTPS=()
for ((i = 1; i <= FETCHERS; i++)); do
  SHOAL_JAVA_OPTS="-Xmx$FETCH_HEAP -XX:MaxDirectMemorySize=$FETCH_DIRECT" \
    start_node "f$i" --join "$SEED" --follow '*' --keep 1
  HTTPS+=("$NODE_HTTP")
done
SEED_TOKEN=$(node_token seed)
for _ in $(seq 600); do
  n=$(curl -sf -H "Authorization: Bearer $SEED_TOKEN" "http://127.0.0.1:$SEED_HTTP/status" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["members"]))')
  [[ $n -eq $((FETCHERS + 1)) ]] && break
  sleep 0.2
done
[[ $n -eq $((FETCHERS + 1)) ]] || die "only $n of $((FETCHERS + 1)) members joined"
log "1 seeder and $FETCHERS fetchers joined"

random_file "$D/big.bin" "$SIZE"
"$SHOAL" publish big "$D/big.bin" --data "$D/seed" --keep 1 >/dev/null
t0=$(date +%s.%N)
last=0
for ((i = 1; i <= FETCHERS; i++)); do
  for _ in $(seq 6000); do
    [[ -n $(fetched_at "$D/f$i.log" "big@1") ]] && break
    kill -0 "${NODE_PIDS[$i]}" 2>/dev/null || die "fetcher $i died: $(tail -3 "$D/f$i.log")"
    sleep 0.1
  done
  t=$(fetched_at "$D/f$i.log" "big@1")
  [[ -n $t ]] || die "fetcher $i never fetched big@1: $(tail -3 "$D/f$i.log")"
  last=$(awk -v a="$last" -v b="$t" 'BEGIN{print (b>a)?b:a}')
done
all=$(awk -v a="$t0" -v b="$last" 'BEGIN{printf "%.3f", b-a}')
log "all $FETCHERS fetchers complete ${all} s after the publish"

# p99 from the classic buckets of every fetcher's histogram, by linear interpolation in the
# bucket that holds it; also the worst p99 of a single fetcher.
for p in "${HTTPS[@]}"; do curl -sf "http://127.0.0.1:$p/metrics" | grep '^shoal_transfer_request_seconds_bucket' || true; echo "--"; done >"$D/buckets.txt"
read -r p99 worst count < <(python3 - "$D/buckets.txt" <<'PY'
import re, sys
def p99(b):
    total = b.get(float("inf"), 0)
    if total == 0: return float("nan")
    rank, prev_le, prev_n = 0.99 * total, 0.0, 0
    for le in sorted(b):
        n = b[le]
        if n >= rank:
            if le == float("inf"): return prev_le
            return prev_le + (le - prev_le) * (rank - prev_n) / max(n - prev_n, 1)
        prev_le, prev_n = le, n
nodes, cur, allb = [], {}, {}
for line in open(sys.argv[1]):
    if line.startswith("--"):
        if cur: nodes.append(cur)
        cur = {}
        continue
    m = re.match(r'.*le="([^"]+)"\} (\S+)', line)
    if m:
        le = float(m.group(1)); n = float(m.group(2))
        cur[le] = n; allb[le] = allb.get(le, 0) + n
worst = max((p99(n) for n in nodes), default=float("nan"))
print(f"{p99(allb):.4f} {worst:.4f} {int(allb.get(float('inf'), 0))}")
PY
)
seed_rss=$(vmhwm_mib "$SEED_PID")
max_rss=0
for ((i = 1; i <= FETCHERS; i++)); do
  r=$(vmhwm_mib "${NODE_PIDS[$i]}")
  ((r > max_rss)) && max_rss=$r
done
seed_bound=$(( $(mib "$SEED_HEAP") + $(mib "$SEED_DIRECT") + NATIVE_MIB ))
oom=$(cat "$D"/*.log | grep -c OutOfMemoryError || true)
within=yes
((seed_rss <= seed_bound && oom == 0)) || within=no
log "request latency over $count chunk replies: p99 ${p99} s (worst single fetcher ${worst} s)"
log "peak RSS: seeder $seed_rss MiB (bound $seed_bound MiB: heap $SEED_HEAP + direct $SEED_DIRECT + $NATIVE_MIB native), fetchers at most $max_rss MiB; OutOfMemoryErrors: $oom"
echo "load: size_mib=$SIZE fetchers=$FETCHERS all_done_s=$all p99_request_s=$p99 worst_node_p99_s=$worst seeder_rss_MiB=$seed_rss seeder_bound_MiB=$seed_bound max_fetcher_rss_MiB=$max_rss within_bounds=$within"

#!/usr/bin/env bash
# The simulator at scale (issue 5): each run is one `shoal simulate` process, with its wall time
# and peak heap from the command's own --json output.
#
#   bench/simulate.sh [WHICH=all] [HEAP=16g]
#
# WHICH: swarm10k | partition1k | kraken | membership | views | all
#   swarm10k     swarm-join, 10,000 nodes, 256 MiB, heterogeneous links, converged directory
#                (SWARM10K_TIMEOUT=SECONDS changes its 3,600 s limit)
#                (targets: < 120 s wall, transfer within 1.25x of the Kumar and Ross bound)
#   partition1k  partition-heal, 1,000 nodes, two halves cut for 10 virtual minutes
#                (target: converged within 30 virtual s of the heal)
#   kraken       bench/scenarios/kraken.json: 2,600 nodes pull 3 GB at 300 MB/s from 5 seeders
#                (Kraken's published p50 10 s, p99 18 s, p99.9 22 s; target p99 < 12 s)
#   membership   membership-only gossip (real cores), growing node counts up to 100,000, each
#                with a time limit: wall time and heap for those that finish
#                (MEMBERSHIP_NODES="1000 2000" and MEMBERSHIP_TIMEOUT=SECONDS change the ladder)
#   views        membership-views: the partial-view core (HyParView + Plumtree) at 1,000, 10,000
#                and 100,000 nodes, min(N, 1000) broadcasts (VIEWS_BROADCASTS=100 changes it), 1%
#                crash; connectivity, reliability, latency, messages and bytes per node-second
#                (VIEWS_NODES and VIEWS_TIMEOUT=SECONDS change the ladder; target 100,000 < 10 min)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
WHICH=${1:-all}
HEAP=${2:-16g}
need python3
[[ -x /usr/bin/time ]] || die "missing /usr/bin/time (apt-get install time)"
workdir simulate
"$SHOAL" --version >/dev/null # build once, outside the timings

# run NAME TIMEOUT ARGS...: one simulation; prints its summary line and keeps the JSON.
run() {
  local name=$1 limit=$2
  shift 2
  log "$name: shoal simulate $*"
  local rc=0
  SHOAL_JAVA_OPTS="-Xmx$HEAP -XX:+UseParallelGC" /usr/bin/time -f %M -o "$D/$name.rss" \
    timeout "$limit" "$SHOAL" simulate "$@" --json --quiet >"$D/$name.json" 2>"$D/$name.err" || rc=$?
  local rss_mib=$(($(tail -1 "$D/$name.rss" 2>/dev/null || echo 0) / 1024))
  if [[ $rc -eq 124 ]]; then
    log "$name: did not finish within $limit s (peak RSS $rss_mib MiB)"
    echo "$name: timeout_s=$limit peak_rss_MiB=$rss_mib"
    return 0
  fi
  if [[ ! -s "$D/$name.json" ]]; then
    log "$name: failed (exit $rc): $(tail -2 "$D/$name.err")"
    echo "$name: failed exit=$rc"
    return 0
  fi
  python3 - "$D/$name.json" "$name" <<'PY'
import json, sys
j = json.load(open(sys.argv[1])); r = j["result"]; s = r["scenario"]; p = r["completion"]
out = [f"{sys.argv[2]}:", f"nodes={s['nodes']}", f"converged={str(r['converged']).lower()}",
       f"convergence_s={r['convergenceSeconds']:.2f}", f"wall_s={j['wallSeconds']:.1f}",
       f"heap_MiB={j['heapBytes'] >> 20}", f"events={r['events']}"]
if p["count"]:
    out += [f"p50_s={p['p50']:.2f}", f"p99_s={p['p99']:.2f}", f"p999_s={p['p999']:.2f}", f"max_s={p['max']:.2f}"]
if r["boundSeconds"]:
    out += [f"bound_s={r['boundSeconds']:.2f}", f"ratio_to_bound={r['boundRatio']:.2f}"]
if r["disseminationSeconds"] > 0:
    out += [f"dissemination_s={r['disseminationSeconds']:.2f}"]
t = r["traffic"]
out += [f"gossip_msgs_per_node_s={t['gossipMessagesPerNodeSecond']:.1f}",
        f"gossip_bytes_per_node_s={t['gossipBytesPerNodeSecond']:.0f}",
        f"transfer_msgs_per_node_s={t['transferMessagesPerNodeSecond']:.1f}",
        f"transfer_bytes_per_node_s={t['transferBytesPerNodeSecond']:.0f}"]
out += [f"wasted_pct={100.0 * r['bytesWasted'] / max(1, r['bytesMoved']):.1f}", f"hash={r['traceHash']}"]
print(" ".join(out))
PY
}

# run_views NAME TIMEOUT ARGS...: one membership-views run; prints its summary line.
run_views() {
  local name=$1 limit=$2
  shift 2
  log "$name: shoal simulate membership-views $*"
  local rc=0
  SHOAL_JAVA_OPTS="-Xmx$HEAP -XX:+UseParallelGC" /usr/bin/time -f %M -o "$D/$name.rss" \
    timeout "$limit" "$SHOAL" simulate membership-views "$@" --json --quiet >"$D/$name.json" 2>"$D/$name.err" || rc=$?
  local rss_mib=$(($(tail -1 "$D/$name.rss" 2>/dev/null || echo 0) / 1024))
  if [[ ! -s "$D/$name.json" ]]; then
    log "$name: failed or timed out (exit $rc, peak RSS $rss_mib MiB): $(tail -2 "$D/$name.err")"
    echo "$name: failed exit=$rc peak_rss_MiB=$rss_mib"
    return 0
  fi
  python3 - "$D/$name.json" "$name" <<'PY'
import json, sys
j = json.load(open(sys.argv[1])); r = j["result"]
print(f"{sys.argv[2]}: nodes={r['scenario']['nodes']} broadcasts={r['broadcasts']} connected={str(r['connected']).lower()}"
      f" reliability_mean={r['reliabilityMean']:.5f} reliability_min={r['reliabilityMin']:.5f}"
      f" latency_p50_s={r['latencyP50']:.2f} latency_p99_s={r['latencyP99']:.2f}"
      f" msgs_per_node_s={r['messagesPerNodeSecond']:.2f} bytes_per_node_s={r['bytesPerNodeSecond']:.0f}"
      f" membership_msgs_per_node_s={r['membershipMessagesPerNodeSecond']:.2f}"
      f" broadcast_msgs_per_delivery={r['broadcastMessagesPerDelivery']:.2f}"
      f" wall_s={j['wallSeconds']:.1f} heap_MiB={j['heapBytes'] >> 20} events={r['events']} hash={r['traceHash']}")
PY
}

case $WHICH in all | swarm10k)
  run swarm10k "${SWARM10K_TIMEOUT:-3600}" swarm-join --nodes 10000 --set directory=converged ;;
esac
case $WHICH in all | partition1k)
  run partition1k 3600 partition-heal --nodes 1000 \
    --set 'partitions=[{"atSeconds":60,"healSeconds":660,"groups":[0.5,0.5],"isolate":-1,"oneWay":false}]' ;;
esac
case $WHICH in all | kraken)
  run kraken 3600 "$BENCH_DIR/scenarios/kraken.json" ;;
esac
case $WHICH in all | membership)
  for n in ${MEMBERSHIP_NODES:-1000 2000 5000 10000 100000}; do
    run "membership$n" "${MEMBERSHIP_TIMEOUT:-1200}" swarm-join --nodes "$n" --set snapshotMib=0 --set follow=false \
      --set publishAtSeconds=30 --set limitSeconds=120
  done ;;
esac
case $WHICH in all | views)
  for n in ${VIEWS_NODES:-1000 10000 100000}; do
    extra=()
    [[ -n "${VIEWS_BROADCASTS:-}" ]] && extra=(--set "broadcasts=$VIEWS_BROADCASTS")
    run_views "views$n" "${VIEWS_TIMEOUT:-1800}" --nodes "$n" "${extra[@]}"
  done ;;
esac

# shellcheck shell=bash
# Helpers to run shoal nodes as separate processes on loopback. Sourced by the join, swarm and
# recovery benchmarks, after lib.sh.

NODE_PIDS=()

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_node NAME EXTRA_ARGS... : a node with data in $D/NAME on free ports; sets NODE_PEER and
# NODE_HTTP; its log is $D/NAME.log
start_node() {
  local name=$1; shift
  NODE_PEER=$(free_port); NODE_HTTP=$(free_port)
  "$SHOAL" node --data "$D/$name" --listen "127.0.0.1:$NODE_PEER" --http "127.0.0.1:$NODE_HTTP" "$@" >"$D/$name.log" 2>&1 &
  NODE_PIDS+=($!)
  for _ in $(seq 200); do
    curl -sf "http://127.0.0.1:$NODE_HTTP/health" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  die "node $name did not start: $(tail -3 "$D/$name.log")"
}

# wait_complete NAME SNAPSHOT : until the node on $D/NAME holds SNAPSHOT complete
wait_complete() {
  for _ in $(seq 6000); do
    "$SHOAL" ls --data "$D/$1" --json 2>/dev/null | python3 -c '
import json,sys; sys.exit(0 if any(e["name"]==sys.argv[1] and e["complete"] for e in json.load(sys.stdin)) else 1)' "$2" && return 0
    sleep 0.1
  done
  die "node $1 never completed $2"
}

# credentials NAME : issues NAME a credential of the run's CA (made at the first call) in $D/cred-NAME
credentials() {
  [ -d "$D/ca" ] || "$SHOAL" cluster init "$D/ca" >/dev/null
  "$SHOAL" cluster issue "$D/ca" --out "$D/cred-$1" >/dev/null
}

stop_nodes() {
  local pid
  for pid in "${NODE_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${NODE_PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  NODE_PIDS=()
}

# node_token NAME : the HTTP API token of the node on $D/NAME (state routes need it)
node_token() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$D/$1/node.json"; }

# metric PORT NAME : a counter's value from a node's /metrics (0 if absent)
metric() {
  curl -sf "http://127.0.0.1:$1/metrics" | awk -v n="$2" '$1==n{v=$2} END{printf "%.0f", v+0}'
}

# fetched_at LOG LABEL : epoch seconds of the node log line saying LABEL was fetched, or empty
fetched_at() {
  local t
  t=$(grep -m1 "fetched $2:" "$1" | cut -d' ' -f1) || true
  [[ -n $t ]] && date -d "$t" +%s.%N
}

median() { sort -n | awk '{a[NR]=$1} END{printf "%.3f", (NR%2)? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

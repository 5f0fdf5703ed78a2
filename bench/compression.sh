#!/usr/bin/env bash
# Adaptive compression on a slow link: a seeding node and a one-shot 'shoal fetch' in a network
# namespace whose loopback is rate-limited to 100 Mbit/s (tc tbf), fetching log-like text
# (LZ4 ~2.5x), with adaptive LZ4 (the default) and with --no-compression on the seeder,
# interleaved. Then random bytes with adaptive LZ4, to show it is not used where it cannot pay.
# Whole-process fetch times.
#
#   bench/compression.sh [SIZE_MIB=128] [ROUNDS=2] [RATE=100mbit]
#
# Needs root (ip netns, tc). Target (issue 4): adaptive at least 2x faster than off.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SIZE=${1:-128}
ROUNDS=${2:-2}
RATE=${3:-100mbit}
need ip tc curl python3 openssl
[[ $(id -u) -eq 0 ]] || die "needs root for ip netns and tc"
mkdir -p "$SCRATCH"
D="$SCRATCH/compression.$$"
NS="shoalbench$$"
mkdir -p "$D"
SEED_PID=
cleanup() {
  # Each step may fail (the node already gone, no namespace yet); under set -e that must not
  # end the clean-up before the rm.
  { [[ -n $SEED_PID ]] && kill -TERM "$SEED_PID" 2>/dev/null && wait "$SEED_PID" 2>/dev/null; } || true
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$D"
}
trap cleanup EXIT
log "machine: $(machine)"
"$SHOAL" --version >/dev/null
ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
ip netns exec "$NS" tc qdisc add dev lo root tbf rate "$RATE" burst 256kb latency 100ms
in_ns() { ip netns exec "$NS" "$@"; }
BYTES=$((SIZE * 1048576))

python3 "$BENCH_DIR/gen_text.py" "$D/text.bin" "$SIZE"
random_file "$D/random.bin" "$SIZE"
log "data: $SIZE MiB of log-like text (lz4 -1 would make it $(( $(lz4 -1 -c "$D/text.bin" 2>/dev/null | wc -c || echo 0) / 1048576 )) MiB) and $SIZE MiB of random bytes; link: $RATE"

# seeder MODE FILE: (re)starts the seeding node with MODE (adaptive|off) holding FILE as 'data'
seeder() {
  [[ -n $SEED_PID ]] && { kill -TERM "$SEED_PID"; wait "$SEED_PID" 2>/dev/null || true; }
  rm -rf "$D/seed"
  local extra=()
  [[ $1 == off ]] && extra=(--no-compression)
  # not through in_ns: $! must be the node itself (ip netns exec execs), not a subshell
  ip netns exec "$NS" "$SHOAL" node --data "$D/seed" --listen 127.0.0.1:7400 --http 127.0.0.1:7401 "${extra[@]}" >"$D/seed.log" 2>&1 &
  SEED_PID=$!
  for _ in $(seq 200); do in_ns curl -sf http://127.0.0.1:7401/health >/dev/null 2>&1 && break; sleep 0.05; done
  in_ns "$SHOAL" publish data "$2" --data "$D/seed" >/dev/null
}

# fetch_s: whole-process seconds of a one-shot fetch inside the namespace
fetch_s() {
  rm -f "$D/out"
  local t0 t1
  t0=$(date +%s.%N)
  in_ns "$SHOAL" fetch data -o "$D/out" --join 127.0.0.1:7400 --no-sync >"$D/fetch.log" 2>&1 || die "fetch failed: $(tail -3 "$D/fetch.log")"
  t1=$(date +%s.%N)
  cmp -s "$1" "$D/out" || die "the fetched copy differs"
  awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}'
}

compressed() { in_ns curl -sf http://127.0.0.1:7401/metrics | awk '$1=="shoal_transfer_chunks_compressed_total"{printf "%.0f", $2}'; }
sent() { in_ns curl -sf http://127.0.0.1:7401/metrics | awk '$1=="shoal_transfer_sent_bytes_total"{printf "%.0f", $2}'; }

on=(); off=()
for ((r = 1; r <= ROUNDS; r++)); do
  for mode in off adaptive; do
    seeder "$mode" "$D/text.bin"
    s=$(fetch_s "$D/text.bin")
    log "round $r, text, compression $mode: ${s} s ($(mibps $BYTES "$s") MiB/s), $(sent) bytes sent, $(compressed) chunks compressed"
    if [[ $mode == off ]]; then off+=("$s"); else on+=("$s"); fi
  done
done
seeder adaptive "$D/random.bin"
rs=$(fetch_s "$D/random.bin")
log "random bytes, adaptive: ${rs} s ($(mibps $BYTES "$rs") MiB/s), $(sent) bytes sent, $(compressed) chunks compressed (probes only)"
a=$(printf '%s\n' "${on[@]}" | sort -n | head -1); o=$(printf '%s\n' "${off[@]}" | sort -n | head -1)
log "best of $ROUNDS on text: adaptive ${a} s, off ${o} s: adaptive is $(ratio "$o" "$a")x faster (target >= 2x)"
echo "compression: size_mib=$SIZE link=$RATE text_adaptive_s=$a text_off_s=$o speedup=$(ratio "$o" "$a") random_adaptive_s=$rs"

#!/usr/bin/env bash
# Recovery: a node that was down while a new version was published (1% of a 1 GiB snapshot
# changed, in 10 places) restarts one version behind and catches up from the swarm. Reports the
# whole-process time from its start until it holds the new version (read from its own log), and
# the bytes it moved against the bytes of the chunks that changed.
#
#   bench/recovery.sh [SIZE_MIB=1024] [ROUNDS=3]
#
# Target (issue 4): under 2 s; bytes within 1.5x of the changed chunks.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/swarm_lib.sh"
SIZE=${1:-1024}
ROUNDS=${2:-3}
need curl openssl python3 dd
workdir recovery
"$SHOAL" --version >/dev/null
BYTES=$((SIZE * 1048576))

# edit FILE: overwrite 1% of it with random bytes, in 10 scattered unaligned places
edit() {
  local region=$((BYTES / 100 / 10)) k off
  for ((k = 0; k < 10; k++)); do
    off=$((k * (BYTES / 10) + (k + 1) * 1234567 % (BYTES / 20) + 977 + RANDOM))
    head -c "$region" /dev/urandom | dd of="$1" bs=64K seek="$off" oflag=seek_bytes \
      conv=notrunc iflag=fullblock status=none
  done
}

random_file "$D/big.bin" "$SIZE"
start_node s1
SEED="127.0.0.1:$NODE_PEER"
start_node s2 --join "$SEED" --follow '*'
"$SHOAL" publish big "$D/big.bin" --data "$D/s1" >/dev/null
# the recovering node: x, whose node process is started and stopped by hand
x_start() {
  "$SHOAL" node --data "$D/x" --listen 127.0.0.1:0 --http 127.0.0.1:0 --join "$SEED" --follow '*' >>"$D/x.log" 2>&1 &
  X_PID=$!
}
x_start
wait_complete s2 big
wait_complete x big
kill -TERM "$X_PID"; wait "$X_PID" 2>/dev/null || true
log "2 seeders and x hold big@1 ($SIZE MiB); x is stopped"

secs=(); moved=(); changed=()
for ((r = 1; r <= ROUNDS; r++)); do
  v=$((r + 1))
  edit "$D/big.bin"
  "$SHOAL" publish big "$D/big.bin" --data "$D/s1" >/dev/null
  wait_complete s2 big
  shared=$("$SHOAL" ls --data "$D/s1" --json | python3 -c '
import json,sys; e=[e for e in json.load(sys.stdin) if e["name"]=="big" and e["version"]==int(sys.argv[1])][0]; print(e["sharedBytes"])' "$v")
  ch=$((BYTES - shared))
  : >"$D/x.log"
  t0=$(date +%s.%N)
  x_start
  for _ in $(seq 600); do
    [[ -n $(fetched_at "$D/x.log" "big@$v") ]] && break
    sleep 0.02
  done
  t1=$(fetched_at "$D/x.log" "big@$v")
  [[ -n $t1 ]] || die "x never caught up with big@$v: $(tail -3 "$D/x.log")"
  http=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["http"].rsplit(":",1)[1])' "$D/x/node.json")
  got=$(metric "$http" shoal_transfer_received_bytes_total)
  kill -TERM "$X_PID"; wait "$X_PID" 2>/dev/null || true
  s=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}')
  secs+=("$s"); moved+=("$got"); changed+=("$ch")
  log "round $r: x restarted one version behind caught up with big@$v in ${s} s (process start to holding it), moved $got bytes on the wire (chunk frames); the changed chunks are $ch bytes ($(ratio "$got" "$ch")x)"
done
s=$(printf '%s\n' "${secs[@]}" | median)
m=$(printf '%s\n' "${moved[@]}" | median | cut -d. -f1)
c=$(printf '%s\n' "${changed[@]}" | median | cut -d. -f1)
log "median: caught up in ${s} s (target < 2 s), moved $m bytes for $c bytes of changed chunks = $(ratio "$m" "$c")x (target <= 1.5x)"
echo "recovery: size_mib=$SIZE catch_up_s=$s moved_B=$m changed_chunks_B=$c moved_to_changed=$(ratio "$m" "$c")"

#!/usr/bin/env bash
# Delta between versions: the bytes on the wire to a follower that holds v1 when it fetches v2,
# and what a second version adds to the store, next to what rsync moves for the same edit, on
# the same files in the same run.
#
#   bench/delta.sh [SIZE_MIB=512]
#
# v1  = SIZE_MIB of random bytes
# v2a = v1 with 1% of its bytes overwritten in 10 scattered, unaligned places
# v2b = v1 with 4 KiB of random bytes inserted in the middle
# shoal wire: per edit, a seeder node and a follower node on loopback (plaintext, so frame bytes
#        are TCP payload bytes); the seeder publishes v1, the follower fetches it, then the seeder
#        publishes v2 and the follower fetches it. Counted at the follower over the v2 fetch, from
#        its /metrics: frame bytes received (chunk frames shoal_transfer_received_bytes_total and
#        control frames shoal_peer_received_bytes_total) plus frame bytes sent (requests, gossip),
#        both directions as rsync's total counts them. Gossip in that window is included.
# shoal store: publish v1, then v2 into the same store; the bytes v2 added (new data chunks,
#        index nodes and root: publish --json newBytes) and the growth of the pack files.
# rsync: over a local daemon on 127.0.0.1 with v1 as the receiver's basis file
#        (rsync -I --no-whole-file --stats); total = bytes sent + bytes received, which counts
#        literal data, matched-block tokens and the checksums, in both directions.
# Target (issue 13): shoal's wire bytes <= rsync's total, for both edits.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/swarm_lib.sh"
SIZE_MB=${1:-512}
need rsync openssl python3 dd curl
mkdir -p "$SCRATCH"
D="$SCRATCH/delta.$$"
mkdir -p "$D/src"
RSYNCD_PID=
cleanup() {
  { [[ -n $RSYNCD_PID ]] && kill "$RSYNCD_PID" 2>/dev/null; } || true
  stop_nodes || true
  rm -rf "$D"
}
trap cleanup EXIT
log "machine: $(machine)"
"$SHOAL" --version >/dev/null
SIZE=$((SIZE_MB * 1048576))

log "creating v1 (${SIZE_MB} MiB), v2a (1% overwritten in 10 places), v2b (4 KiB inserted)"
random_file "$D/src/v1.bin" "$SIZE_MB"
cp "$D/src/v1.bin" "$D/src/v2a.bin"
REGION=$((SIZE / 100 / 10))
for ((k = 0; k < 10; k++)); do
  off=$((k * (SIZE / 10) + (k + 1) * 1234567 % (SIZE / 20) + 977))
  head -c "$REGION" /dev/urandom | dd of="$D/src/v2a.bin" bs=64K seek="$off" oflag=seek_bytes \
    conv=notrunc iflag=fullblock status=none
done
MID=$((SIZE / 2))
{ head -c "$MID" "$D/src/v1.bin"; head -c 4096 /dev/urandom; tail -c +$((MID + 1)) "$D/src/v1.bin"; } >"$D/src/v2b.bin"

# wait_fetched NODE LABEL: until the node's log says it fetched LABEL
wait_fetched() {
  for _ in $(seq 3000); do
    [[ -n $(fetched_at "$D/$1.log" "$2") ]] && return 0
    sleep 0.1
  done
  die "node $1 never fetched $2: $(tail -3 "$D/$1.log")"
}
wire_in() { echo $(($(metric "$1" shoal_transfer_received_bytes_total) + $(metric "$1" shoal_peer_received_bytes_total))); }
wire_out() { echo $(($(metric "$1" shoal_transfer_sent_bytes_total) + $(metric "$1" shoal_peer_sent_bytes_total))); }

SUMMARY=("size_mib=$SIZE_MB")
for v in v2a v2b; do
  start_node "seed_$v"
  start_node "fol_$v" --join "127.0.0.1:$NODE_PEER" --follow '*' --keep 0
  FOL=$NODE_HTTP
  "$SHOAL" publish d "$D/src/v1.bin" --data "$D/seed_$v" --keep 0 >/dev/null
  wait_fetched "fol_$v" "d@1"
  in0=$(wire_in "$FOL"); out0=$(wire_out "$FOL"); chunk0=$(metric "$FOL" shoal_transfer_received_bytes_total)
  "$SHOAL" publish d "$D/src/$v.bin" --data "$D/seed_$v" --keep 0 >/dev/null
  wait_fetched "fol_$v" "d@2"
  in1=$(wire_in "$FOL"); out1=$(wire_out "$FOL"); chunk1=$(metric "$FOL" shoal_transfer_received_bytes_total)
  wire=$((in1 - in0 + out1 - out0))
  log "shoal $v: the follower received $((in1 - in0)) B (chunk frames $((chunk1 - chunk0)) B) and sent $((out1 - out0)) B fetching v2; total $wire B"
  SUMMARY+=("shoal_${v#v2}_wire_B=$wire" "shoal_${v#v2}_chunk_frames_B=$((chunk1 - chunk0))")
  stop_nodes || true # a node killed by TERM makes wait return 143
done

pack_bytes() { find "$1/packs" -name '*.pack' -printf '%s\n' | awk '{s+=$1} END{print s+0}'; }
new_bytes() { python3 -c 'import json,sys; print(json.load(sys.stdin)["newBytes"])'; }

for v in v2a v2b; do
  store="$D/store_$v"
  "$SHOAL" publish data "$D/src/v1.bin" --data "$store" --keep 0 --json >/dev/null
  before=$(pack_bytes "$store")
  added=$("$SHOAL" publish data "$D/src/$v.bin" --data "$store" --keep 0 --json | new_bytes)
  grown=$(($(pack_bytes "$store") - before))
  log "shoal $v: second version added $added bytes of chunks (packs grew $grown bytes with record headers)"
  SUMMARY+=("shoal_${v#v2}_added_B=$added" "shoal_${v#v2}_pack_growth_B=$grown")
done

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$D/rsyncd.conf" <<CONF
use chroot = no
max connections = 4
[src]
  path = $D/src
  read only = yes
CONF
rsync --daemon --no-detach --config="$D/rsyncd.conf" --address=127.0.0.1 --port="$PORT" &
RSYNCD_PID=$!
for _ in $(seq 50); do (echo >/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null && break; sleep 0.1; done
declare -A RSYNC_TOTAL
stat_val() { sed -n "s/^$2: \([0-9,]*\).*/\1/p" "$1" | head -1 | tr -d ,; }
for v in v2a v2b; do
  mkdir -p "$D/dst_$v"
  cp "$D/src/v1.bin" "$D/dst_$v/v.bin"
  rsync -I --no-whole-file --stats "rsync://127.0.0.1:$PORT/src/$v.bin" "$D/dst_$v/v.bin" >"$D/rsync_$v.txt"
  cmp -s "$D/src/$v.bin" "$D/dst_$v/v.bin" || die "rsync produced different bytes for $v"
  sent=$(stat_val "$D/rsync_$v.txt" "Total bytes sent")
  recv=$(stat_val "$D/rsync_$v.txt" "Total bytes received")
  lit=$(stat_val "$D/rsync_$v.txt" "Literal data")
  log "rsync $v: client sent $sent B, received $recv B (literal $lit B); total $((sent + recv)) B"
  SUMMARY+=("rsync_${v#v2}_total_B=$((sent + recv))" "rsync_${v#v2}_literal_B=$lit")
  RSYNC_TOTAL[$v]=$((sent + recv))
  rm -rf "$D/dst_$v"
done
for kv in "${SUMMARY[@]}"; do
  case $kv in shoal_a_wire_B=*) WA=${kv#*=} ;; shoal_b_wire_B=*) WB=${kv#*=} ;; esac
done
log "wire to a follower / rsync total: 1% overwritten $(ratio "$WA" "${RSYNC_TOTAL[v2a]}"), 4 KiB inserted $(ratio "$WB" "${RSYNC_TOTAL[v2b]}") (target <= 1)"
SUMMARY+=("wire_vs_rsync_a=$(ratio "$WA" "${RSYNC_TOTAL[v2a]}")" "wire_vs_rsync_b=$(ratio "$WB" "${RSYNC_TOTAL[v2b]}")")
echo "delta: ${SUMMARY[*]}"

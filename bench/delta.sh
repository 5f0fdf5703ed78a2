#!/usr/bin/env bash
# Delta between versions: what a second version adds to the store, next to what rsync moves
# for the same edit, on the same files in the same run.
#
#   bench/delta.sh [SIZE_MIB=512]
#
# v1  = SIZE_MIB of random bytes
# v2a = v1 with 1% of its bytes overwritten in 10 scattered, unaligned places
# v2b = v1 with 4 KiB of random bytes inserted in the middle
# shoal: publish v1, then v2 into the same store; report the bytes v2 added (new data chunks,
#        index nodes and root: publish --json newBytes) and the growth of the pack files.
# rsync: over a local daemon on 127.0.0.1 with v1 as the receiver's basis file
#        (rsync -I --no-whole-file --stats); total = bytes sent + bytes received, which counts
#        literal data, matched-block tokens and the checksums, in both directions.
# Target (issue 2): shoal's bytes <= rsync's total, for both edits.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SIZE_MB=${1:-512}
need rsync openssl python3 dd
mkdir -p "$SCRATCH"
D="$SCRATCH/delta.$$"
mkdir -p "$D/src"
RSYNCD_PID=
cleanup() { { [[ -n $RSYNCD_PID ]] && kill "$RSYNCD_PID" 2>/dev/null; } || true; rm -rf "$D"; }
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

pack_bytes() { find "$1/packs" -name '*.pack' -printf '%s\n' | awk '{s+=$1} END{print s+0}'; }
new_bytes() { python3 -c 'import json,sys; print(json.load(sys.stdin)["newBytes"])'; }

SUMMARY=("size_mib=$SIZE_MB")
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
  rm -rf "$D/dst_$v"
done
echo "delta: ${SUMMARY[*]}"

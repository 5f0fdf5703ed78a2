#!/usr/bin/env bash
# Publish and get against cp + sync, on the same file, interleaved in the same run.
#
#   bench/store.sh [SIZE_MIB=1024] [ROUNDS=7]
#
# Each round runs, in order, each preceded by removing its previous output and a sync:
#   baseline   cp FILE DEST && sync                            (FILE in the page cache)
#   publish    ./shoal publish big FILE --data STORE --keep 0  (fresh store; durable on return)
#   get        ./shoal get big -o OUT --data STORE             (fresh OUT; durable on return)
# Whole-process wall times (JVM start included: that is what a user waits for); the figure is
# the median over the rounds. Interleaving matters on a VM: how long a fresh page costs drifts
# with the host, and runs of one command back to back would all land in the same mood.
# Targets (issue 2): publish <= 1.5x baseline, get <= 1.3x baseline.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SIZE=${1:-1024}
ROUNDS=${2:-7}
need openssl python3
workdir store
"$SHOAL" --version >/dev/null # build once, outside the timings

log "creating ${SIZE} MiB of random bytes"
random_file "$D/big.bin" "$SIZE"
cat "$D/big.bin" >/dev/null
BYTES=$((SIZE * 1048576))

# timed LABEL COMMAND...: wall seconds of one run, appended to $D/LABEL.times
timed() {
  local label=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null 2>"$D/$label.err" || die "$label failed: $(tail -3 "$D/$label.err")"
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f\n", b-a}' >>"$D/$label.times"
}

for ((r = 1; r <= ROUNDS; r++)); do
  rm -f "$D/copy.bin"; sync
  timed baseline sh -c "cp '$D/big.bin' '$D/copy.bin' && sync"
  rm -rf "$D/store"; sync
  timed publish "$SHOAL" publish big "$D/big.bin" --data "$D/store" --keep 0
  rm -f "$D/out.bin"; sync
  timed get "$SHOAL" get big -o "$D/out.bin" --data "$D/store"
  cmp -s "$D/big.bin" "$D/out.bin" || die "get wrote different bytes"
  log "round $r: baseline $(tail -1 "$D/baseline.times")s publish $(tail -1 "$D/publish.times")s get $(tail -1 "$D/get.times")s"
done

median() { sort -n "$D/$1.times" | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
base=$(median baseline); pub=$(median publish); get=$(median get)
log "baseline cp+sync median ${base}s ($(mibps $BYTES "$base") MiB/s)"
log "publish  median ${pub}s ($(mibps $BYTES "$pub") MiB/s) = $(ratio "$pub" "$base")x baseline (target <= 1.5)"
log "get      median ${get}s ($(mibps $BYTES "$get") MiB/s) = $(ratio "$get" "$base")x baseline (target <= 1.3)"
echo "store: size_mib=$SIZE rounds=$ROUNDS cp_sync_s=$base publish_s=$pub get_s=$get publish_ratio=$(ratio "$pub" "$base") get_ratio=$(ratio "$get" "$base")"

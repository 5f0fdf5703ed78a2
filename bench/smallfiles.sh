#!/usr/bin/env bash
# Many small files against one big file of the same size: COUNT files of 1-8 KiB, and one random
# file of their total size, each published to a seeding node, fetched by a one-shot
# 'shoal fetch' (transfer and write-out in one), and written out from the seeder's store with
# 'shoal get'. Rates in bytes per second for each step; the ratio big/small is what the target
# bounds. Whole-process times; publish syncs (as always), fetch and get run with --no-sync.
#
#   bench/smallfiles.sh [COUNT=100000] [ROUNDS=2]
#
# Baseline, same run: 'cp -r' of the same tree and 'cp' of the big file, into fresh paths, which
# shows what the file system itself charges for creating the files. Every timed step starts after
# an 'rm -rf' of the previous output and a 'sync', so that no step pays for the deletes before it.
# Target (issue 4): every small-file rate within 3x of the big-file rate.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/swarm_lib.sh"
COUNT=${1:-100000}
ROUNDS=${2:-2}
need curl openssl python3
workdir smallfiles
"$SHOAL" --version >/dev/null

BYTES=$(python3 "$BENCH_DIR/gen_files.py" "$D/small" "$COUNT")
MIB=$(( (BYTES + 1048575) / 1048576 ))
head -c "$BYTES" <(head -c $((MIB * 1048576)) /dev/zero | openssl enc -aes-128-ctr -nosalt -pass pass:small -pbkdf2 2>/dev/null) >"$D/big.bin"
log "data: $COUNT files of 1-8 KiB, $BYTES bytes in all, and one file of the same size"

start_node seed
SEED="127.0.0.1:$NODE_PEER"
secs() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", b-a}'; }
declare -A T
for ((r = 1; r <= ROUNDS; r++)); do
  for kind in big small; do
    src="$D/big.bin"; [[ $kind == small ]] && src="$D/small"
    t0=$(date +%s.%N)
    "$SHOAL" publish "$kind$r" "$src" --data "$D/seed" --keep 0 >/dev/null
    t1=$(date +%s.%N)
    rm -rf "$D/out"
    sync
    t1b=$(date +%s.%N)
    "$SHOAL" fetch "$kind$r" -o "$D/out" --join "$SEED" --no-sync >"$D/fetch.log" 2>&1 || die "fetch failed: $(tail -3 "$D/fetch.log")"
    t2=$(date +%s.%N)
    rm -rf "$D/out"
    sync
    t2b=$(date +%s.%N)
    "$SHOAL" get "$kind$r" -o "$D/out" --data "$D/seed" --no-sync >/dev/null
    t3=$(date +%s.%N)
    if [[ $kind == big ]]; then cmp -s "$src" "$D/out"; else diff -rq "$src" "$D/out" >/dev/null; fi || die "$kind copy differs"
    rm -rf "$D/out"
    sync
    t4=$(date +%s.%N)
    cp -r "$src" "$D/out"
    t5=$(date +%s.%N)
    rm -rf "$D/out"
    sync
    T[$kind,publish]+="$(secs "$t0" "$t1") "; T[$kind,fetch]+="$(secs "$t1b" "$t2") "; T[$kind,get]+="$(secs "$t2b" "$t3") "; T[$kind,cp]+="$(secs "$t4" "$t5") "
    log "round $r, $kind: publish $(secs "$t0" "$t1") s, fetch $(secs "$t1b" "$t2") s, get $(secs "$t2b" "$t3") s; cp -r $(secs "$t4" "$t5") s"
  done
done
line="smallfiles: files=$COUNT bytes=$BYTES"
for step in publish fetch get cp; do
  b=$(printf '%s\n' ${T[big,$step]} | median); s=$(printf '%s\n' ${T[small,$step]} | median)
  tgt="target <= 3"; [[ $step == cp ]] && tgt="the file system's own cost, for comparison"
  log "$step: big file $(mibps "$BYTES" "$b") MiB/s, small files $(mibps "$BYTES" "$s") MiB/s: big/small = $(ratio "$s" "$b") ($tgt)"
  line+=" ${step}_big_MBps=$(mibps "$BYTES" "$b") ${step}_small_MBps=$(mibps "$BYTES" "$s") ${step}_ratio=$(ratio "$s" "$b")"
done
echo "$line"

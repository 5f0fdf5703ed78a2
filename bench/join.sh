#!/usr/bin/env bash
# Join: a fresh node fetches a random snapshot from N seeding nodes on loopback, against one TCP
# stream copying the same bytes into a file, in the same run.
#
#   bench/join.sh [SIZE_MIB=1024] [SEEDERS=4] [ROUNDS=3]
#
# seeders   N 'shoal node' processes on loopback, all holding the snapshot
# shoal     'shoal fetch big -o OUT --join SEED --no-sync' : a whole process (JVM start included)
#           that joins, fetches from every seeder, verifies every chunk, writes OUT and leaves
# baseline  socat -u -b 131072 from the file to a socat listener writing OUT (as in
#           ../shared/bench/peers/single_stream.sh): time from sender start to receiver exit
# Neither side fsyncs OUT. Target (issue 4): shoal >= 0.8 x the single stream.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/swarm_lib.sh"
SIZE=${1:-1024}
SEEDERS=${2:-4}
ROUNDS=${3:-3}
need socat curl openssl python3
workdir join
"$SHOAL" --version >/dev/null
random_file "$D/big.bin" "$SIZE"
BYTES=$((SIZE * 1048576))

start_node s1
SEED="127.0.0.1:$NODE_PEER"
"$SHOAL" publish big "$D/big.bin" --data "$D/s1" >/dev/null
for ((i = 2; i <= SEEDERS; i++)); do
  start_node "s$i" --join "$SEED" --follow '*'
done
for ((i = 2; i <= SEEDERS; i++)); do wait_complete "s$i" big; done
log "$SEEDERS seeders hold big ($SIZE MiB)"

base=(); shoal=()
for ((r = 1; r <= ROUNDS; r++)); do
  port=$(free_port); rm -f "$D/out.bin"; sync
  socat -u -b 131072 "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr" "OPEN:$D/out.bin,creat,trunc" &
  rpid=$!
  for _ in $(seq 100); do ss -Hltn "sport = :$port" | grep -q . && break; sleep 0.02; done
  t0=$(date +%s.%N)
  socat -u -b 131072 "OPEN:$D/big.bin" "TCP:127.0.0.1:$port"
  wait "$rpid"
  t1=$(date +%s.%N)
  cmp -s "$D/big.bin" "$D/out.bin" || die "socat copy differs"
  base+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}')")

  rm -f "$D/out.bin"; sync
  t0=$(date +%s.%N)
  "$SHOAL" fetch big -o "$D/out.bin" --join "$SEED" --no-sync >"$D/fetch.out" 2>&1 || die "fetch failed: $(tail -3 "$D/fetch.out")"
  t1=$(date +%s.%N)
  cmp -s "$D/big.bin" "$D/out.bin" || die "shoal copy differs"
  shoal+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}')")
  log "round $r: single stream ${base[-1]} s, shoal fetch ${shoal[-1]} s ($(tail -1 "$D/fetch.out"))"
done
b=$(printf '%s\n' "${base[@]}" | median); s=$(printf '%s\n' "${shoal[@]}" | median)
log "single stream median ${b} s ($(mibps $BYTES "$b") MiB/s); shoal median ${s} s ($(mibps $BYTES "$s") MiB/s) = $(ratio "$b" "$s") of the single stream (target >= 0.8)"
echo "join: size_mib=$SIZE seeders=$SEEDERS single_stream_s=$b shoal_s=$s shoal_MBps=$(mibps $BYTES "$s") ratio_to_single_stream=$(ratio "$b" "$s")"

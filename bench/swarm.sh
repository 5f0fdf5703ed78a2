#!/usr/bin/env bash
# Swarm: 1 seeding node and N fresh leecher nodes, all running and joined, that follow every
# name; the seeder publishes a random snapshot and the leechers fetch it at once, from the seeder
# and from each other. Time from the end of the publish until every leecher holds it complete
# (read from the leechers' own log lines), plus who uploaded how much.
#
#   bench/swarm.sh [SIZE_MIB=256] [LEECHERS=8] [ROUNDS=3]
#
# Compare with ../shared/bench/peers/bittorrent.sh swarm 256 8 (aria2c, run in the same session):
# its all_done_s starts when the leecher processes start, the torrent and seeders being ready.
# Target (issue 4): shoal at least 3x faster than aria2c.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/swarm_lib.sh"
SIZE=${1:-256}
LEECHERS=${2:-8}
ROUNDS=${3:-3}
need curl openssl python3
workdir swarm
"$SHOAL" --version >/dev/null
BYTES=$((SIZE * 1048576))

start_node seed
SEED="127.0.0.1:$NODE_PEER"
SEED_HTTP=$NODE_HTTP
HTTPS=()
for ((i = 1; i <= LEECHERS; i++)); do
  start_node "l$i" --join "$SEED" --follow '*' --keep 1
  HTTPS+=("$NODE_HTTP")
done
SEED_TOKEN=$(node_token seed)
for _ in $(seq 300); do
  n=$(curl -sf -H "Authorization: Bearer $SEED_TOKEN" "http://127.0.0.1:$SEED_HTTP/status" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["members"]))')
  [[ $n -eq $((LEECHERS + 1)) ]] && break
  sleep 0.1
done
log "1 seeder and $LEECHERS leechers joined"

alls=()
for ((r = 1; r <= ROUNDS; r++)); do
  random_file "$D/big$r.bin" "$SIZE"
  up0=$(metric "$SEED_HTTP" shoal_transfer_sent_bytes_total)
  "$SHOAL" publish big "$D/big$r.bin" --data "$D/seed" --keep 1 >/dev/null
  t0=$(date +%s.%N)
  for ((i = 1; i <= LEECHERS; i++)); do
    for _ in $(seq 1200); do
      [[ -n $(fetched_at "$D/l$i.log" "big@$r") ]] && break
      sleep 0.05
    done
    [[ -n $(fetched_at "$D/l$i.log" "big@$r") ]] || die "leecher $i never fetched big@$r: $(tail -3 "$D/l$i.log")"
  done
  last=0
  for ((i = 1; i <= LEECHERS; i++)); do
    t=$(fetched_at "$D/l$i.log" "big@$r")
    last=$(awk -v a="$last" -v b="$t" 'BEGIN{print (b>a)?b:a}')
  done
  all=$(awk -v a="$t0" -v b="$last" 'BEGIN{printf "%.3f", b-a}')
  alls+=("$all")
  seed_up=$(( $(metric "$SEED_HTTP" shoal_transfer_sent_bytes_total) - up0 ))
  log "round $r: all $LEECHERS leechers complete ${all} s after the publish; the seeder uploaded $((seed_up / 1048576)) MiB ($(ratio "$seed_up" "$BYTES") copies), the leechers the rest"
  rm -f "$D/big$r.bin"
done
leech_up=0
for p in "${HTTPS[@]}"; do leech_up=$((leech_up + $(metric "$p" shoal_transfer_sent_bytes_total))); done
a=$(printf '%s\n' "${alls[@]}" | median)
log "median: all complete in ${a} s ($(mibps $((BYTES * LEECHERS)) "$a") MiB/s aggregate); leechers uploaded $((leech_up / 1048576)) MiB in all rounds"
echo "swarm: size_mib=$SIZE leechers=$LEECHERS all_done_s=$a aggregate_MBps=$(mibps $((BYTES * LEECHERS)) "$a") leechers_upload_MiB=$((leech_up / 1048576))"

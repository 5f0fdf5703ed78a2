#!/usr/bin/env bash
# The cost of TLS on the peer port: the join of bench/join.sh (a fresh process fetches a random
# snapshot from N seeding nodes on loopback), from a secured swarm and from an insecure one, in
# the same run, rounds interleaved, with the single TCP stream as a third reference.
#
#   bench/join_tls.sh [SIZE_MIB=1024] [SEEDERS=4] [ROUNDS=5]
#
# secured   N nodes with credentials of one CA; 'shoal fetch ... --credentials DIR': TLS 1.3 with
#           mutual authentication, chunks read into pooled buffers and encrypted
# insecure  N nodes on loopback without credentials; 'shoal fetch' without: plaintext, chunks
#           served zero-copy (sendfile)
# baseline  socat -u -b 131072 from the file to a socat listener writing OUT
# Every copy is compared with the source. Target (issue 9): secured >= 0.7 x insecure.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/swarm_lib.sh"
SIZE=${1:-1024}
SEEDERS=${2:-4}
ROUNDS=${3:-5}
need socat curl openssl python3
workdir join_tls
"$SHOAL" --version >/dev/null
random_file "$D/big.bin" "$SIZE"
BYTES=$((SIZE * 1048576))

"$SHOAL" cluster init "$D/ca" >/dev/null
for ((i = 1; i <= SEEDERS; i++)); do "$SHOAL" cluster issue "$D/ca" --out "$D/cred-t$i" >/dev/null; done
"$SHOAL" cluster issue "$D/ca" --out "$D/cred-fetch" >/dev/null

# swarm PREFIX ARGS_FOR_NODE_I... : N seeders named PREFIX1..N holding "big"; sets SEED_<PREFIX>
swarm() {
  local p=$1 i seed
  start_node "${p}1" $(creds "$p" 1)
  seed="127.0.0.1:$NODE_PEER"
  "$SHOAL" publish big "$D/big.bin" --data "$D/${p}1" >/dev/null
  for ((i = 2; i <= SEEDERS; i++)); do
    start_node "$p$i" --join "$seed" --follow '*' $(creds "$p" "$i")
  done
  for ((i = 2; i <= SEEDERS; i++)); do wait_complete "$p$i" big; done
  printf -v "SEED_$p" '%s' "$seed"
}
creds() { [[ $1 == t ]] && echo "--credentials $D/cred-t$2"; return 0; }

swarm t
swarm p
log "$SEEDERS secured and $SEEDERS insecure seeders hold big ($SIZE MiB)"
grep -h -m1 'peers authenticate with TLS' "$D/t1.log" | sed 's/^.*INFO [^ ]* - /secured swarm: /' >&2 || true

# timed LABEL COMMAND... : runs COMMAND, checks the copy, prints the seconds
timed() {
  local label=$1; shift
  rm -f "$D/out.bin"; sync
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >"$D/$label.out" 2>&1 || die "$label failed: $(tail -3 "$D/$label.out")"
  t1=$(date +%s.%N)
  cmp -s "$D/big.bin" "$D/out.bin" || die "$label copy differs"
  awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}'
}

stream() {
  local port rpid
  port=$(free_port)
  socat -u -b 131072 "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr" "OPEN:$D/out.bin,creat,trunc" &
  rpid=$!
  for _ in $(seq 100); do ss -Hltn "sport = :$port" | grep -q . && break; sleep 0.02; done
  socat -u -b 131072 "OPEN:$D/big.bin" "TCP:127.0.0.1:$port"
  wait "$rpid"
}

base=(); tls=(); plain=()
for ((r = 1; r <= ROUNDS; r++)); do
  base+=("$(timed stream stream)")
  # Alternate which of the two goes first, so neither always meets a warmer page cache.
  if ((r % 2)); then
    tls+=("$(timed tls "$SHOAL" fetch big -o "$D/out.bin" --join "$SEED_t" --credentials "$D/cred-fetch" --no-sync)")
    plain+=("$(timed plain "$SHOAL" fetch big -o "$D/out.bin" --join "$SEED_p" --no-sync)")
  else
    plain+=("$(timed plain "$SHOAL" fetch big -o "$D/out.bin" --join "$SEED_p" --no-sync)")
    tls+=("$(timed tls "$SHOAL" fetch big -o "$D/out.bin" --join "$SEED_t" --credentials "$D/cred-fetch" --no-sync)")
  fi
  log "round $r: single stream ${base[-1]} s, insecure fetch ${plain[-1]} s, TLS fetch ${tls[-1]} s"
done
b=$(printf '%s\n' "${base[@]}" | median)
p=$(printf '%s\n' "${plain[@]}" | median)
t=$(printf '%s\n' "${tls[@]}" | median)
log "medians: single stream ${b} s ($(mibps $BYTES "$b") MiB/s), insecure ${p} s ($(mibps $BYTES "$p") MiB/s), TLS ${t} s ($(mibps $BYTES "$t") MiB/s)"
log "TLS join = $(ratio "$p" "$t") x the insecure join (target >= 0.7); $(ratio "$b" "$t") x the single stream"
echo "join_tls: size_mib=$SIZE seeders=$SEEDERS rounds=$ROUNDS single_stream_s=$b insecure_s=$p tls_s=$t tls_to_insecure=$(ratio "$p" "$t") tls_to_stream=$(ratio "$b" "$t") rounds_insecure=$(IFS=,; echo "${plain[*]}") rounds_tls=$(IFS=,; echo "${tls[*]}")"

#!/usr/bin/env bash
# The figures of the performance issue (issue 13), each beside its baseline from the same run, in
# one session: every row runs its shoal benchmark and, where the baseline is another program, the
# reference script of ../shared/bench/peers right after it. Prints each script's summary line as
# it ends and all of them again at the end, in the order of bench/README.md's figures table.
#
#   bench/table.sh [ROW...]
#
# ROW: join | swarm | sim1k | store | delta | smallfiles | kraken | swarm10k | membership
#      (default: join swarm sim1k store delta smallfiles; the last three take from minutes to
#      most of an hour on 2 cores, so they run only when named)
# Env: PEERS   the peers' reference scripts (default ../shared/bench/peers next to the checkout)
#      SMALL_COUNT  files of the smallfiles row (default 100000, the issue's figure)
#      SIM_NODES    nodes of the sim1k row (default 1000)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PEERS=${PEERS:-$ROOT/../shared/bench/peers}
SMALL_COUNT=${SMALL_COUNT:-100000}
rows=("$@")
[[ ${#rows[@]} -gt 0 ]] || rows=(join swarm sim1k store delta smallfiles)
B="$(dirname "${BASH_SOURCE[0]}")"
lines=()

# line LABEL COMMAND...: runs a benchmark, keeps its last stdout line.
line() {
  local label=$1
  shift
  log "table: $label: $*"
  local out
  out=$("$@" | tail -1) || out="$label: FAILED (exit $?)"
  log "table: $out"
  lines+=("$out")
}

peers() {
  if [[ -x $PEERS/bittorrent.sh ]]; then
    line "$@"
  else
    lines+=("$1: skipped (no $PEERS/bittorrent.sh)")
  fi
}

for row in "${rows[@]}"; do
  case $row in
    join)
      line join "$B/join.sh" 1024 4 3
      peers aria2c-join "$PEERS/bittorrent.sh" 1024 4 ;;
    swarm)
      line swarm "$B/swarm.sh" 256 8 3
      peers aria2c-swarm "$PEERS/bittorrent.sh" swarm 256 8 ;;
    sim1k)
      line sim1k bash -c "\"$SHOAL\" simulate swarm-join --nodes ${SIM_NODES:-1000} --seed 1 --json --quiet | python3 -c '
import json, sys
j = json.load(sys.stdin); r = j[\"result\"]
print(\"sim1k: bound_ratio=%.2f bound_s=%.2f converged_s=%.1f wall_s=%.0f heap_MiB=%d trace=%s\" % (r[\"boundRatio\"],
      r[\"boundSeconds\"], r[\"convergenceSeconds\"], j[\"wallSeconds\"], j[\"heapBytes\"] >> 20, r[\"traceHash\"]))'" ;;
    store) line store "$B/store.sh" 1024 5 ;;
    delta) line delta "$B/delta.sh" 512 ;;
    smallfiles) line smallfiles "$B/smallfiles.sh" "$SMALL_COUNT" 3 ;;
    kraken | swarm10k | membership) line "$row" "$B/simulate.sh" "$row" ;;
    *) die "unknown row $row (join swarm sim1k store delta smallfiles kraken swarm10k membership)" ;;
  esac
done
log "table: machine: $(machine)"
printf '%s\n' "${lines[@]}"

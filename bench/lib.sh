# shellcheck shell=bash
# Helpers for shoal's end-to-end benchmarks. Sourced, not executed.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
SHOAL="$ROOT/shoal"
SCRATCH="${SCRATCH:-/tmp/shoal-bench}"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
need() { for t in "$@"; do command -v "$t" >/dev/null || die "missing tool: $t (apt-get install ${t})"; done; }

# random_file FILE MIB: incompressible bytes, fast (AES-CTR keystream).
random_file() {
  head -c $(($2 * 1048576)) /dev/zero |
    openssl enc -aes-128-ctr -nosalt -pass "pass:shoal-bench-$RANDOM$RANDOM" -pbkdf2 2>/dev/null >"$1"
  [[ $(stat -c %s "$1") -eq $(($2 * 1048576)) ]] || die "random_file: wrong size for $1"
}

# median_s NAME RUNS PREPARE COMMAND: hyperfine median in seconds (stdout); log min/max.
median_s() {
  local name=$1 runs=$2 prepare=$3 cmd=$4 js
  js="$SCRATCH/hf_$name.json"
  hyperfine --style none --runs "$runs" --prepare "$prepare" --export-json "$js" "$cmd" >"$SCRATCH/hf_$name.txt" 2>&1 ||
    die "$name failed: $(tail -5 "$SCRATCH/hf_$name.txt")"
  python3 - "$js" "$name" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
sys.stderr.write(f"  {sys.argv[2]}: median {r['median']:.3f} s (min {r['min']:.3f}, max {r['max']:.3f}, {len(r['times'])} runs)\n")
print(f"{r['median']:.3f}")
PY
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }
mibps() { awk -v b="$1" -v s="$2" 'BEGIN{printf "%.0f", b/1048576/s}'; }

machine() {
  printf 'cpu="%s" nproc=%s kernel=%s fs=%s' "$(lscpu | awk -F: '/Model name/{gsub(/^ +/,"",$2); print $2; exit}')" \
    "$(nproc)" "$(uname -r)" "$(findmnt -no FSTYPE -T "$SCRATCH")"
}

# workdir NAME: a scratch directory $D for this run, removed on exit (after stopping any nodes
# swarm_lib.sh started); logs the machine first.
workdir() {
  mkdir -p "$SCRATCH"
  D="$SCRATCH/$1.$$"
  mkdir -p "$D"
  # "|| true": under set -e a node that already exited would make kill fail and end the trap
  # before the rm (which is how earlier runs left gigabytes behind).
  trap 'if declare -F stop_nodes >/dev/null; then stop_nodes || true; fi; rm -rf "$D"' EXIT
  log "machine: $(machine)"
}

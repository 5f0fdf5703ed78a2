#!/usr/bin/env bash
# Compare builds of shoal on one end-to-end benchmark, interleaved in one run: each round runs the
# benchmark once for every build in turn, starting one build later each round, so drift of this
# machine (other load, page cache, CPU boost) spreads over all builds instead of landing on one.
# "Within noise" is then a measurement: every round is printed, and the medians and their ratio to
# the first build.
#
#   bench/compare.sh [-n INNER] ROUNDS KEY SCRIPT "ARGS" REV...
#
#   INNER   the script's own round count in each run (default 1); its figure is then its median
#           of INNER rounds (swarm.sh: of INNER publishes into one running swarm, the first of
#           which meets cold JVMs)
#   ROUNDS  rounds (5 or more for a claim)
#   KEY     the figure to compare, a key of the script's last line (swarm.sh: all_done_s,
#           join.sh: shoal_s)
#   SCRIPT  a benchmark of bench/ that takes its own round count last (given INNER)
#   ARGS    its arguments before the round count
#   REV     git revisions; "." is the working tree as it is
#
# Example (the swarm of issue 10, the pre-simulator build against today's, each run the median of
# 5 publishes):
#   bench/compare.sh -n 5 3 all_done_s swarm.sh "256 8" 2eed860 .
#
# Each run's log (every inner round) stays in $SCRATCH/compare/run-ROUND-BUILD.log.
#
# Each revision is checked out in a worktree under $SCRATCH/compare and built there with its own
# launcher's dependencies (tests compiled but not run, so old revisions that resolved test-jars
# from the reactor build too); nothing is installed into ~/.m2.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
INNER=1
if [[ ${1:-} == -n ]]; then
  INNER=$2
  shift 2
fi
[[ $# -ge 5 ]] || die "usage: bench/compare.sh [-n INNER] ROUNDS KEY SCRIPT \"ARGS\" REV..."
ROUNDS=$1
KEY=$2
SCRIPT=$3
ARGS=$4
shift 4
need git mvn python3
mkdir -p "$SCRATCH/compare"

dirs=()
names=()
for rev in "$@"; do
  if [[ $rev == "." ]]; then
    dir=$ROOT
    name="working-tree"
  else
    sha=$(git -C "$ROOT" rev-parse --short=12 "$rev^{commit}") || die "unknown revision $rev"
    dir="$SCRATCH/compare/$sha"
    name=$sha
    if [[ ! -d $dir ]]; then
      git -C "$ROOT" worktree add -q --detach "$dir" "$sha" || die "cannot check out $rev"
    fi
  fi
  [[ -f $dir/bench/$SCRIPT ]] || die "$name has no bench/$SCRIPT"
  log "building $name in $dir"
  (cd "$dir" && mvn -q -B -DskipTests -Dspotless.check.skip=true package -pl cli -am) \
    >"$SCRATCH/compare/build-$name.log" 2>&1 || die "build of $name failed: see $SCRATCH/compare/build-$name.log"
  touch "$dir/cli/target/shoal.jar"
  dirs+=("$dir")
  names+=("$name")
done

results="$SCRATCH/compare/results.tsv"
: >"$results"
for ((r = 1; r <= ROUNDS; r++)); do
  # Each round starts one build later, so no build always runs first (or right after another).
  for ((k = 0; k < ${#dirs[@]}; k++)); do
    i=$(((k + r - 1) % ${#dirs[@]}))
    # shellcheck disable=SC2086 # ARGS is a list of words on purpose
    # An old revision's script may exit non-zero from its clean-up after printing its figure
    # (bench scripts before 353ab44): the figure decides, not the exit code.
    out=$(cd "${dirs[$i]}" && bash "bench/$SCRIPT" $ARGS "$INNER" 2>"$SCRATCH/compare/run-$r-${names[$i]}.log") || true
    v=$(tail -1 <<<"$out" | tr ' ' '\n' | awk -F= -v k="$KEY" '$1==k{print $2}')
    [[ -n $v ]] || die "${names[$i]} round $r: no $KEY; last lines: $(tail -3 "$SCRATCH/compare/run-$r-${names[$i]}.log")"
    log "round $r ${names[$i]}: $KEY=$v"
    printf '%s\t%s\t%s\n' "$r" "${names[$i]}" "$v" >>"$results"
  done
done

python3 - "$results" "$KEY" "${names[@]}" <<'PY'
import statistics, sys
path, key, names = sys.argv[1], sys.argv[2], sys.argv[3:]
rows = [l.rstrip("\n").split("\t") for l in open(path) if l.strip()]
by = {n: [float(v) for _, m, v in rows if m == n] for n in names}
base = statistics.median(by[names[0]])
for n in names:
    m = statistics.median(by[n])
    rounds = " ".join(f"{v:.3f}" for v in by[n])
    print(f"compare: build={n} {key}_median={m:.3f} ratio_to_{names[0]}={m / base:.2f} rounds=[{rounds}]")
PY

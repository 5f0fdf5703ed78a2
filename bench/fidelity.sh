#!/usr/bin/env bash
# Fidelity: does the simulator tell the truth about the real swarm? One scenario, 1 seeder and 8
# following leechers of a 64 MiB snapshot, every node's upload limited to 10 MB/s, played by the
# simulator (deterministic) and by real nodes on loopback ROUNDS times; the medians of the seeder's
# uploaded copies and of the time until all complete must agree with the simulator within 25% and
# 30% (cli/src/test/java/io/shoal/cli/FidelityTest.java, tagged out of the CI suite: ~20 s a round).
#
#   bench/fidelity.sh [ROUNDS=5]
#
# Prints every real round, the medians against the simulated figures, and exits 1 when they differ
# by more than the tolerance.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ROUNDS=${1:-5}
need mvn
cd "$ROOT"
mkdir -p "$SCRATCH"
log "simulator and $ROUNDS real rounds (about $((ROUNDS * 25 + 60)) s)"
set +e
mvn -B -q verify -pl cli -am -Dtest=FidelityTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dshoal.excludedGroups=none -Dshoal.fidelity.rounds="$ROUNDS" -Dspotless.check.skip=true \
  >"$SCRATCH/fidelity-mvn.log" 2>&1
rc=$?
set -e
out="$ROOT/cli/target/surefire-reports/io.shoal.cli.FidelityTest-output.txt"
[[ -f $out ]] || die "the fidelity test did not run: $(tail -5 "$SCRATCH/fidelity-mvn.log")"
grep '^fidelity' "$out" >&2
if [[ $rc -ne 0 ]]; then
  grep -m3 -E 'seeder copies:|completion:' "$SCRATCH/fidelity-mvn.log" >&2 || true
fi
line=$(grep '^fidelity: ' "$out")
echo "fidelity: rounds=$ROUNDS passed=$([[ $rc -eq 0 ]] && echo yes || echo no) ${line#fidelity: }"
exit $rc

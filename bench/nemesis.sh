#!/usr/bin/env bash
# Nemesis: NODES real nodes on loopback (TLS, each its own JVM) for SECONDS of random faults:
# partitions (random halves or one node, some one-way, cut through each node's /admin/faults),
# SIGKILLs followed by restarts, SIGSTOPs followed by SIGCONTs, and publishes. At the end every
# live node must agree on members and winners, hold every winner complete, and read each one back
# byte for byte as published (nothing lost). Prints the count of each fault injected and the time
# to converge after the last one; exits non-zero when an invariant fails.
#
#   bench/nemesis.sh [NODES=16] [SECONDS=300] [SEED=1]
#
# It drives 'shoal testbed --nemesis' (docs/simulation.md, "The testbed"); SHOAL_TESTBED_OPTS
# passes more options (--gossip-speedup N, --converge-timeout S, --keep).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
NODES=${1:-16}
SECONDS_=${2:-300}
SEED=${3:-1}
log "machine: $(machine)"
"$SHOAL" --version >/dev/null
log "nemesis: $NODES nodes, $SECONDS_ s of faults, seed $SEED"
# shellcheck disable=SC2086
# The testbed's own exit status decides (PIPESTATUS must be read before anything else runs).
set +e
"$SHOAL" testbed --nodes "$NODES" --nemesis "$SECONDS_" --seed "$SEED" ${SHOAL_TESTBED_OPTS:-} |
  tee -a /dev/stderr | grep -E '^(faults injected|converged|NOT converged|invariants)' >"${TMPDIR:-/tmp}/nemesis.$$"
status=${PIPESTATUS[0]}
set -e
log "summary:"
cat "${TMPDIR:-/tmp}/nemesis.$$" >&2
rm -f "${TMPDIR:-/tmp}/nemesis.$$"
exit "$status"

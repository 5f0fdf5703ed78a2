#!/usr/bin/env bash
# fuzz.sh [MUTANTS]: a long run of the decoder fuzz properties (every decoder of a peer's bytes:
# control messages, chunk frames, frames through the pipeline; and the chunkstore's index nodes,
# file tables and snapshot roots), with MUTANTS mutants per generated valid encoding (default
# 2000; CI runs 100). Prints frames per second per decoder and the total; any decode that throws
# anything but its one typed refusal, or allocates past its bound, fails the run.
source "$(dirname "$0")/lib.sh"
MUTANTS=${1:-2000}
need mvn
mkdir -p "$SCRATCH"
out="$SCRATCH/fuzz.$$.log"
trap 'rm -f "$out"' EXIT
log "machine: $(machine)"
log "fuzzing with $MUTANTS mutants per valid encoding (mvn test, node/runtime and chunkstore)"
cd "$ROOT"
mvn -B -q test -pl node/runtime -am -Dspotless.check.skip=true \
  -Dtest='PeerDecoderFuzzProperties,DecoderFuzzProperties' -Dsurefire.failIfNoSpecifiedTests=false \
  -Dshoal.fuzz.mutants="$MUTANTS" >"$out" 2>&1 || { tail -40 "$out" >&2; die "fuzz run failed"; }
grep -h '^fuzz decoder=' node/runtime/target/surefire-reports/*PeerDecoderFuzzProperties-output.txt >&2 || true
grep -h '^fuzz decoder=total' node/runtime/target/surefire-reports/*PeerDecoderFuzzProperties-output.txt |
  sed 's/^fuzz decoder=total /fuzz_total /'

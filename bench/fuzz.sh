#!/usr/bin/env bash
# fuzz.sh [MUTANTS]: a long run of the decoder fuzz properties (every decoder of a peer's bytes:
# control messages, chunk frames, chunk deltas, frames through the pipeline; and the chunkstore's index nodes,
# file tables, snapshot roots and catalog files), with MUTANTS mutants per generated valid encoding (default
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
  -Dtest='PeerDecoderFuzzProperties,DecoderFuzzProperties,CatalogFileFuzzProperties' -Dsurefire.failIfNoSpecifiedTests=false \
  -Dshoal.fuzz.mutants="$MUTANTS" >"$out" 2>&1 || { tail -40 "$out" >&2; die "fuzz run failed"; }
reports=(node/runtime/target/surefire-reports/*PeerDecoderFuzzProperties-output.txt
  chunkstore/target/surefire-reports/*DecoderFuzzProperties-output.txt
  chunkstore/target/surefire-reports/*CatalogFileFuzzProperties-output.txt)
# Each class prints its own decoders and a total; the run's total sums the classes' totals.
grep -ah '^fuzz decoder=' "${reports[@]}" | grep -v '^fuzz decoder=total ' >&2 || true
{ grep -ah '^fuzz decoder=total ' "${reports[@]}" || true; } |
  awk '{ for (i = 3; i <= 4; i++) { split($i, kv, "="); t[kv[1]] += kv[2] } }
       END { printf "fuzz_total frames=%d seconds=%.2f frames_per_s=%.0f\n", t["frames"], t["seconds"],
             (t["seconds"] > 0 ? t["frames"] / t["seconds"] : 0) }'

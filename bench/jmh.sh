#!/usr/bin/env bash
# JMH kernels: chunking + hashing throughput of one thread over 64 MiB of random bytes.
#   bench/jmh.sh [JMH args...]      (default: all of ChunkingBenchmark)
# Prints JMH's table, then one line per benchmark in GB/s (10^9 bytes/s) and MiB/s.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mvn -q -B -Pbench -Dmaven.test.skip=true -Dspotless.check.skip=true package -pl bench/jmh -am >/dev/null
out=$(mktemp)
trap 'rm -f "$out"' EXIT
java -jar bench/jmh/target/benchmarks.jar "${@:-ChunkingBenchmark}" -rf json -rff "$out"
python3 - "$out" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1])):
    ops = r["primaryMetric"]["score"]; err = r["primaryMetric"]["scoreError"]
    b = 64 * 1048576
    p = ",".join(f"{k}={v}" for k, v in r.get("params", {}).items())
    print(f"{r['benchmark'].split('.')[-1]:<16} {p:<16} {ops*b/1e9:6.2f} GB/s  ({ops*b/1048576:7.0f} MiB/s, +-{err*b/1e9:.2f})")
PY

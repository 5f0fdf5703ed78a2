#!/usr/bin/env bash
# TLS providers for the peer port: JDK (SunJSSE) against OpenSSL (netty-tcnative, BoringSSL),
# bulk transfer through Netty's SslHandler with shoal's P-256 credentials (JMH, TlsBenchmark).
#   bench/tls.sh [JMH args...]
# Prints the cipher suite each provider negotiated, then MB/s of one core carrying both the
# encrypting and the decrypting end (a node's core does one of the two per byte it moves).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mvn -q -B -Pbench -Dmaven.test.skip=true -Dspotless.check.skip=true package -pl bench/jmh -am >/dev/null
out=$(mktemp)
trap 'rm -f "$out"' EXIT
java -jar bench/jmh/target/benchmarks.jar TlsBenchmark "$@" -rf json -rff "$out" 2>&1 | grep -E "negotiated" | sort -u
python3 - "$out" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1])):
    ops = r["primaryMetric"]["score"]; err = r["primaryMetric"]["scoreError"]
    p = r["params"]["provider"]
    print(f"{p:<8} {ops*1.048576:7.0f} MB/s per core (encrypt + decrypt), +-{err*1.048576:.0f}")
PY

#!/usr/bin/env bash
# Gossip figures of a 16-node loopback swarm with default settings (issue 3):
#   - time for a catalog entry published on one node to reach all nodes (median of 5)
#   - gossip bytes per node per second in a quiet swarm (target < 2 KiB/s)
#   - time from the end of a partition (8/8, held until each half saw the other dead) until
#     all 16 agree on members and winners (target < 10 s)
# The nodes run in one JVM, each with its own event loops, transport and store; the partition
# drops traffic between the halves in the transport.
# Nodes are secured (TLS, signed gossip) as a real swarm runs; a third argument 'insecure' runs
# them without credentials.
# A fourth argument 'views' runs the nodes with partial views (--membership views) instead: the
# propagation and quiet figures, and view messages per node per second (no partition phase).
#   bench/gossip.sh [NODES=16] [QUIET_SECONDS=30] [secured|insecure] [full|views]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mvn -q -B -Pbench -Dmaven.test.skip=true -Dspotless.check.skip=true package -pl bench/jmh -am >/dev/null
exec java -Dorg.slf4j.simpleLogger.defaultLogLevel=error -cp bench/jmh/target/benchmarks.jar io.shoal.bench.GossipBench "${1:-16}" "${2:-30}" "${3:-secured}" "${4:-full}"

#!/usr/bin/env bash
# Change-log replication between two nodes on loopback, through their HTTP APIs.
#
#   bench/logs.sh [RECORDS=1000] [RATE_PER_S=100] [SEAL_MS=50] [CATCHUP_RECORDS=100000]
#
# Two secured nodes (credentials of one CA, as a cluster runs off loopback): only a signed log
# names its writer, and only the writer streams a log's newest records to its followers.
#
# Latency: a writer node appends RECORDS records, one request each at RATE_PER_S, each carrying
# its send time; a reader long-polls the follower (--follow bench) and notes when each record
# becomes readable there. The baseline in the same run is the same reader on the writer itself.
# Reports p50, p99 and max of append -> readable, on each. The follower first holds the log: one
# record is appended and read there before the timed ones (the first records of a new log reach a
# follower with the log's first segment, after it is sealed, announced and fetched).
#
# Catch-up: the follower stops, the writer appends CATCHUP_RECORDS records (about 100 B each, in
# requests of 1,000), the follower restarts; reports the seconds until it holds them all, the
# bytes it received against the bytes of the segments it lacked, and whether its copy equals the
# writer's.
#
# Targets (issue 14): readable on the follower within 200 ms p99; the catch-up moves only the
# missing segments.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/swarm_lib.sh"
RECORDS=${1:-1000}
RATE=${2:-100}
SEAL_MS=${3:-50}
CATCHUP=${4:-100000}
need curl python3
workdir logs
"$SHOAL" --version >/dev/null
credentials w
credentials f

# Uncompressed, so that the catch-up's bytes received compare with the segments' bytes.
start_node w --log-seal-ms "$SEAL_MS" --no-compression --credentials "$D/cred-w"
W_HTTP=$NODE_HTTP W_PEER=$NODE_PEER
start_node f --log-seal-ms "$SEAL_MS" --no-compression --credentials "$D/cred-f" \
  --join "127.0.0.1:$W_PEER" --follow bench
F_HTTP=$NODE_HTTP
F_PID=${NODE_PIDS[-1]}
log "writer on :$W_HTTP, follower on :$F_HTTP; $RECORDS records at $RATE/s, seal after $SEAL_MS ms"

python3 - "$W_HTTP" "$(node_token w)" "$F_HTTP" "$(node_token f)" "$RECORDS" "$RATE" <<'EOF'
import json, sys, threading, time, urllib.request, urllib.error
w_port, w_token, f_port, f_token, n, rate = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), float(sys.argv[6])

def call(port, token, path, body=None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body,
        headers={"Authorization": "Bearer " + token, "Content-Type": "application/octet-stream"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.load(r)

# Warm-up: one record, read on the follower, so that it holds the log before the timed records.
call(w_port, w_token, "/log/append?name=bench", b"warm-up")
while True:
    try:
        if call(f_port, f_token, "/log/read?name=bench&from=0&wait=5000")["records"]: break
    except urllib.error.HTTPError as e:
        if e.code != 404: raise
        time.sleep(0.05)

seen = {"writer": {}, "follower": {}}
def reader(label, port, token):
    nxt = 1
    while nxt <= n:
        try:
            b = call(port, token, f"/log/read?name=bench&from={nxt}&wait=5000")
        except urllib.error.HTTPError as e:
            if e.code == 404:          # the follower has no replica yet
                time.sleep(0.005); continue
            raise
        now = time.time()
        for r in b["records"]:
            import base64
            sent = float(base64.b64decode(r["data"]).decode())
            seen[label][r["offset"]] = now - sent
        nxt = b["next"]

threads = [threading.Thread(target=reader, args=("writer", w_port, w_token)),
           threading.Thread(target=reader, args=("follower", f_port, f_token))]
for t in threads: t.start()
start = time.time()
for i in range(n):
    due = start + i / rate
    if due > time.time(): time.sleep(due - time.time())
    call(w_port, w_token, "/log/append?name=bench", repr(time.time()).encode())
for t in threads: t.join(timeout=120)

def pct(xs, p): return sorted(xs)[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]
for label in ("writer", "follower"):
    xs = list(seen[label].values())
    if len(xs) < n: print(f"{label}: only {len(xs)} of {n} records seen"); sys.exit(1)
    print(f"latency {label}: p50 {pct(xs,50)*1000:.1f} ms, p99 {pct(xs,99)*1000:.1f} ms, max {max(xs)*1000:.1f} ms ({n} records)")
EOF

# Catch-up: the follower is down while CATCHUP records are appended.
held=$(curl -sf -H "Authorization: Bearer $(node_token f)" "http://127.0.0.1:$F_HTTP/log/ls" | python3 -c 'import json,sys; print(sum(l["segmentBytes"] for l in json.load(sys.stdin) if l["name"]=="bench"))')
kill -TERM "$F_PID"; wait "$F_PID" 2>/dev/null || true
log "follower stopped holding $held segment bytes; appending $CATCHUP records"
python3 - "$W_HTTP" "$(node_token w)" "$CATCHUP" <<'EOF'
import sys, urllib.request
port, token, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
for i in range(0, n, 1000):
    body = "\n".join(f"record {j:09d} " + "x" * 80 for j in range(i, min(n, i + 1000))).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/log/append?name=bench&split=lines", data=body,
        headers={"Authorization": "Bearer " + token, "Content-Type": "application/octet-stream"})
    urllib.request.urlopen(req, timeout=60).read()
EOF
END=$((1 + RECORDS + CATCHUP))
for _ in $(seq 600); do   # until the writer has sealed and published all of it
  v=$("$SHOAL" ls --data "$D/w" --json 2>/dev/null | python3 -c 'import json,sys; print(max([e["version"] for e in json.load(sys.stdin) if e["name"]=="_log.bench"] or [0]))')
  [[ $v == "$END" ]] && break; sleep 0.1
done
[[ $v == "$END" ]] || die "the writer never published its log up to $END (at $v)"
total=$(curl -sf -H "Authorization: Bearer $(node_token w)" "http://127.0.0.1:$W_HTTP/log/ls" | python3 -c 'import json,sys; print(sum(l["segmentBytes"] for l in json.load(sys.stdin) if l["name"]=="bench"))')
t0=$(date +%s.%N)
NODE_PEER=$(free_port)
"$SHOAL" node --data "$D/f" --listen "127.0.0.1:$NODE_PEER" --http "127.0.0.1:$F_HTTP" --log-seal-ms "$SEAL_MS" \
  --no-compression --credentials "$D/cred-f" --join "127.0.0.1:$W_PEER" --follow bench >>"$D/f.log" 2>&1 &
NODE_PIDS+=($!)
for _ in $(seq 1200); do
  e=$(curl -sf -H "Authorization: Bearer $(node_token f 2>/dev/null)" "http://127.0.0.1:$F_HTTP/log/ls" 2>/dev/null \
    | python3 -c 'import json,sys; print(max([l["end"] for l in json.load(sys.stdin) if l["name"]=="bench"] or [0]))' 2>/dev/null) || e=0
  [[ $e == "$END" ]] && break; sleep 0.05
done
t1=$(date +%s.%N)
[[ $e == "$END" ]] || die "the follower never caught up (at $e of $END)"
# Everything that carried records here: segments (chunk transfers) and records streamed by the writer.
chunks=$(metric "$F_HTTP" shoal_transfer_received_bytes_total)
streamed=$(metric "$F_HTTP" shoal_log_tail_received_bytes_total)
moved=$((chunks + streamed))
same=$(diff <("$SHOAL" log read bench --data "$D/w" --json) <("$SHOAL" log read bench --data "$D/f" --json) >/dev/null && echo yes || echo no)
missing=$((total - held))
log "catch-up done"
printf 'catch-up: %d records; %.2f s from the follower'"'"'s start to holding them all; received %d B (%d B of segments, %d B streamed) against %d B of missing segments (%s x; all segments %d B); copy equals the writer'"'"'s: %s\n' \
  "$CATCHUP" "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')" "$moved" "$chunks" "$streamed" "$missing" "$(ratio "$moved" "$missing")" "$total" "$same"
[[ $same == yes ]] || exit 1

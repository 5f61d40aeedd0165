#!/usr/bin/env bash
# Load benchmark of moderatod over loopback (release build, durable commits, shipped rules).
#
#   Scripts/load.sh [SECONDS] [RATE]      defaults: 60 s of maximum load, then 1,000 comments/s paced
#
# MODERATO_BIN=PATH runs that moderatod instead of building this tree's (to compare two builds in
# back-to-back pairs with the same harness).
#
# Phase 1 drives the daemon as hard as wrk can (64 connections) for SECONDS and reports accepted/s,
# judged/s (the queue must keep up), POST latency, receipt-to-verdict latency and peak RSS.
# Phase 2 offers RATE comments/s on a fixed schedule and reports POST p50/p99.
# Traffic goes to 127.0.0.1 only; every loop is bounded in time.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
rate=${2:-1000}
data=${MODERATO_DATA:-../shared/data}/youtube-spam
Scripts/bootstrap.sh
command -v wrk >/dev/null || { echo "load: installing wrk" >&2; apt-get install -y -qq wrk >/dev/null; }
bin=${MODERATO_BIN:-.build/release/moderatod}
[[ -n ${MODERATO_BIN:-} ]] || swift build -c release --product moderatod >&2

work=$(mktemp -d)
trap 'kill $(cat "$work/pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
export MODERATO_API_TOKEN=load-test-token
export MODERATO_LOAD_BODIES=$work/bodies.jsonl
python3 - "$data" > "$MODERATO_LOAD_BODIES" <<'PY'
import csv, json, sys, os
rows = []
for name in ("Youtube01-Psy.csv", "Youtube02-KatyPerry.csv", "Youtube03-LMFAO.csv"):
    with open(os.path.join(sys.argv[1], name), newline="") as f:
        for i, row in enumerate(csv.DictReader(f)):
            rows.append(json.dumps({"id": "__ID__", "article_id": name.split("-")[1].split(".")[0], "author": row["AUTHOR"][:100],
                                    "body": row["CONTENT"][:10000], "rating": 1 + i % 5, "ip": f"203.0.{i % 200}.{i % 250 + 1}"}))
print("\n".join(rows))
PY
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

start_daemon() {
  "$bin" --database "$work/$1.sqlite" --listen 127.0.0.1:$port --log-level warning --max-queue 1000000 &
  echo $! > "$work/pid"
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return; sleep 0.1; done
  echo "load: moderatod did not start" >&2; exit 1
}

report() {  # database, seconds of load, wrk output
  python3 - "$work/$1.sqlite" "$2" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
seconds = float(sys.argv[2])
total, = db.execute("SELECT count(*) FROM comment").fetchone()
judged, = db.execute("SELECT count(*) FROM comment WHERE status != 'queued'").fetchone()
first, last = db.execute("SELECT min(julianday(received_at)), max(julianday(judged_at)) FROM comment").fetchone()
lat = sorted(r[0] for r in db.execute("SELECT (julianday(judged_at) - julianday(received_at)) * 86400 FROM comment WHERE judged_at IS NOT NULL"))
pct = lambda p: lat[min(len(lat) - 1, int(len(lat) * p))] * 1000 if lat else float("nan")
span = (last - first) * 86400 if first and last else seconds
print(f"accepted: {total} comments in {seconds:.0f} s = {total / seconds:,.0f} comments/s")
print(f"judged:   {judged} comments, last verdict {span:.1f} s after the first receipt = {judged / span:,.0f} comments/s")
print(f"receipt to verdict: p50 {pct(0.5):.1f} ms, p99 {pct(0.99):.1f} ms")
PY
}

echo "== phase 1: maximum load for ${seconds} s (wrk, 2 threads, 64 connections)"
start_daemon max
wrk -t2 -c64 -d"${seconds}s" -s Scripts/load/post.lua "http://127.0.0.1:$port" | grep -E "wrk:|Requests/sec|Non-2xx"
# Let the worker finish the queue, then stop the daemon and read its peak memory.
for _ in $(seq 600); do
  left=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT count(*) FROM comment WHERE status='queued'\").fetchone()[0])" "$work/max.sqlite")
  [ "$left" = 0 ] && break; sleep 0.5
done
rss=$(awk '/VmHWM/ {print $2}' /proc/$(cat "$work/pid")/status)
kill -TERM "$(cat "$work/pid")"; wait "$(cat "$work/pid")" 2>/dev/null || true
report max "$seconds"
echo "peak RSS: $((rss / 1024)) MB"

echo "== phase 2: ${rate} comments/s offered for 30 s (open loop, 32 connections)"
start_daemon paced
python3 Scripts/load/paced.py "$port" "$rate" 30 32
kill -TERM "$(cat "$work/pid")"; wait "$(cat "$work/pid")" 2>/dev/null || true

#!/usr/bin/env bash
# Report benchmark: how long `modctl digest --since 24h` and `modctl rules list` take on a busy day.
#
#   Scripts/report-bench.sh [COMMENTS]      default 518,000 comments
#
# Builds the release binaries (or takes MODERATO_BIN and MODCTL_BIN), sends COMMENTS comments through a
# real moderatod over loopback (news comments and YouTube comments from ../shared/data on 400 articles),
# lets moderators approve and reject 3,000 held ones with modctl, then spreads the arrival times evenly
# over the last 24 hours (the load itself takes minutes), rebuilds the report figures with
# `modctl recount`, and times each report three times. Prints the medians.
#
# REPORT_BENCH_DB=FILE keeps the day's database in FILE, and reuses it when FILE exists (to compare
# two builds on the same data: `modctl migrate` brings an older file up to date first, timed).
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-518000}
data=${MODERATO_DATA:-../shared/data}
Scripts/bootstrap.sh
command -v wrk >/dev/null || { echo "report-bench: installing wrk" >&2; apt-get install -y -qq wrk >/dev/null; }
if [[ -z ${MODERATO_BIN:-} ]]; then swift build -c release >&2; fi
bin=${MODERATO_BIN:-.build/release/moderatod}
modctl=${MODCTL_BIN:-.build/release/modctl}

work=$(mktemp -d)
trap 'kill $(cat "$work/pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
export MODERATO_API_TOKEN=report-bench-token MODERATO_DB=$work/day.sqlite
export MODERATO_LOAD_BODIES=$work/bodies.jsonl
python3 - "$data" > "$MODERATO_LOAD_BODIES" <<'PY'
import csv, json, sys, os
rows = []
def add(body, i):
    rows.append(json.dumps({"id": "__ID__", "article_id": f"news-{i * 7919 % 400}", "author": f"reader-{i * 104729 % 50000}",
                            "body": body[:5000], "rating": 1 + i * 31 % 5, "ip": f"198.{i % 7}.{i * 13 % 250}.{i % 250 + 1}"}))
with open(os.path.join(sys.argv[1], "news-comments", "civil-comments-dev.csv"), newline="") as f:
    for i, row in enumerate(csv.DictReader(f)):
        add(row["text"], i)
for name in ("Youtube01-Psy.csv", "Youtube02-KatyPerry.csv", "Youtube03-LMFAO.csv"):
    with open(os.path.join(sys.argv[1], "youtube-spam", name), newline="") as f:
        for row in csv.DictReader(f):
            add(row["CONTENT"], len(rows))
print("\n".join(rows))
PY
if [[ -n ${REPORT_BENCH_DB:-} && -f ${REPORT_BENCH_DB:-} ]]; then
  echo "report-bench: reusing $REPORT_BENCH_DB" >&2
  cp "$REPORT_BENCH_DB" "$MODERATO_DB"
else
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$bin" --listen 127.0.0.1:$port --log-level error --max-queue 2000000 & echo $! > "$work/pid"
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
  sql() { python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])" "$MODERATO_DB" "$1"; }
  echo "report-bench: sending $count comments" >&2
  # Each wrk thread stops sending after its share; wrk itself runs until interrupted.
  MODERATO_LOAD_PER_THREAD=$((count / 2)) wrk -t2 -c32 -d3600s -s Scripts/load/post.lua "http://127.0.0.1:$port" > "$work/wrk.out" &
  wrk_pid=$!
  for _ in $(seq 3600); do (( $(sql "SELECT count(*) FROM comment") >= count - 64 )) && break; sleep 1; done
  sleep 2; kill -INT $wrk_pid; wait $wrk_pid || true
  grep -E "wrk:" "$work/wrk.out" >&2 || true
  for _ in $(seq 1200); do [ "$(sql "SELECT count(*) FROM comment WHERE status = 'queued'")" = 0 ] && break; sleep 0.5; done
  python3 - "$MODERATO_DB" > "$work/ids" <<'PY'
import sqlite3, sys
ids = [r[0] for r in sqlite3.connect(sys.argv[1]).execute("SELECT external_id FROM comment WHERE status = 'held' ORDER BY key LIMIT 3000")]
print(" ".join(ids[0::2])); print(" ".join(ids[1::2]))
PY
  "$modctl" approve --as editor $(sed -n 1p "$work/ids") >/dev/null
  "$modctl" reject --as editor --reason abuse $(sed -n 2p "$work/ids") >/dev/null
  kill -TERM "$(cat "$work/pid")"; wait "$(cat "$work/pid")" 2>/dev/null || true

  # Spread the day: arrival k of n at now - 24h + 24h * k / n, each verdict and decision keeping its delay.
  python3 - "$MODERATO_DB" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
lo, hi = db.execute("SELECT min(key), max(key) FROM comment").fetchone()
fmt = "'%Y-%m-%d %H:%M:%f'"
# Decisions are append-only, and the hourly counts follow arrivals: lift the triggers for the move.
triggers = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('comment', 'decision')").fetchall()
for name, _ in triggers:
    db.execute(f"DROP TRIGGER {name}")
db.executescript(f"""
CREATE TEMP TABLE shift AS SELECT key, (julianday('now') - 1 + (key - {lo}) * 1.0 / ({hi} - {lo} + 1)) - julianday(received_at) AS days FROM comment;
CREATE INDEX temp.shift_key ON shift(key);
UPDATE decision SET at = strftime({fmt}, julianday(at) + (SELECT days FROM shift WHERE shift.key = decision.comment_key));
UPDATE comment SET received_at = strftime({fmt}, julianday(received_at) + (SELECT days FROM shift WHERE shift.key = comment.key)),
                   judged_at = strftime({fmt}, julianday(judged_at) + (SELECT days FROM shift WHERE shift.key = comment.key));
""")
for _, sql in triggers:
    db.execute(sql)
db.commit()
n, held = db.execute("SELECT count(*), sum(status = 'held') FROM comment").fetchone()
print(f"report-bench: {n} comments over 24 hours, {held} held, {db.execute('SELECT count(*) FROM decision').fetchone()[0]} decisions", file=sys.stderr)
PY
  if [[ -n ${REPORT_BENCH_DB:-} ]]; then cp "$MODERATO_DB" "$REPORT_BENCH_DB"; fi
fi

median() {  # command... → median wall seconds of three runs
  python3 - "$@" <<'PY'
import subprocess, sys, time
times = []
for _ in range(3):
    start = time.monotonic()
    subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
    times.append(time.monotonic() - start)
print(f"{sorted(times)[1]:.2f} s (runs: {', '.join(f'{t:.2f}' for t in times)})")
PY
}
timed() {  # label command...
  local start; start=$(date +%s.%N); "${@:2}" >/dev/null
  echo "$1 $(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f} s')" "$start" "$(date +%s.%N)")"
}
if "$modctl" migrate --help >/dev/null 2>&1; then timed "migrate:              " "$modctl" migrate; fi
if "$modctl" --help | grep -q "^  recount"; then
  timed "recount:              " "$modctl" recount
fi
echo "digest --since 24h:    $(median "$modctl" digest --since 24h)"
echo "digest --format html:  $(median "$modctl" digest --since 24h --format html)"
echo "rules list:            $(median "$modctl" rules list)"
echo "status:                $(median "$modctl" status)"

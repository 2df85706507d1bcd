#!/bin/bash
# Do two pcmfa builds write the same outputs?
#
# usage: scripts/bench/same_outputs.sh NEW_BINARY BASE_BINARY INPUT...
#
# Scans each INPUT (file or folder) with both binaries at --threads 1 and 2 and compares
# the sha256 of every output file (summary.json without `threads` and `duration_seconds`).
# calls.parquet may differ in bytes only by its row-group layout between builds that
# changed it: when its bytes differ, its rows are compared in file order with DuckDB
# (BENCH_PY, default target/bench-venv/bin/python, as scripts/bench/run.sh installs it).
# Exit status 1 when anything differs.
set -u
new=$1; base=$2; shift 2; rc=0
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PY=${BENCH_PY:-$ROOT/target/bench-venv/bin/python}
digest() { (cd "$1" && for f in $(find . -type f ! -name summary.json ! -name calls.parquet | sort); do sha256sum "$f"; done;
  python3 -c "import json; d=json.load(open('summary.json')); [d.pop(k,None) for k in ('threads','duration_seconds')]; print(json.dumps(d, sort_keys=True))" | sha256sum); }
same_calls() { cmp -s "$1/calls.parquet" "$2/calls.parquet" && return 0
  "$PY" -c "
import duckdb, sys
rows = lambda p: duckdb.sql(f\"select * from read_parquet('{p}/calls.parquet')\").fetchall()
sys.exit(0 if rows(sys.argv[1]) == rows(sys.argv[2]) else 1)" "$1" "$2"; }
for input in "$@"; do
  for t in 1 2; do
    d=$(mktemp -d)
    "$base" scan "$input" --out "$d/a" --quiet --force --threads $t > /dev/null 2>&1
    "$new" scan "$input" --out "$d/b" --quiet --force --threads $t > /dev/null 2>&1
    if [ "$(digest "$d/a")" == "$(digest "$d/b")" ] && same_calls "$d/a" "$d/b"; then
      echo "same: $input --threads $t"
    else
      echo "DIFFERENT: $input --threads $t"; diff <(digest "$d/a") <(digest "$d/b")
      same_calls "$d/a" "$d/b" || echo "calls.parquet rows differ"; rc=1
    fi
    rm -rf "$d"
  done
done
exit $rc

#!/usr/bin/env bash
# End-to-end benchmark of `pcmfa scan` against the floor (`wc -l`), the same job in
# DuckDB SQL, and `gzip -dc`, on the same generated gateway logs in the same run.
# See BENCHMARKS.md for the results and how to read them.
#
#   scripts/bench/run.sh                      # default: 1 GiB files (~10-15 min)
#   BENCH_SIZE_MIB=128 scripts/bench/run.sh   # quick run
#
# Environment:
#   BENCH_SIZE_MIB   size of each corpus, MiB (default 1024)
#   BENCH_RUNS       timed runs per command; the best is reported (default 3)
#   BENCH_DIR        where corpora, outputs and results go (default target/bench)
#   BENCH_BIG_MIB    also scan one corpus this large (e.g. 10240) once, for peak RSS
#                    (default 0: not measured); the file is deleted afterwards unless
#                    BENCH_KEEP_BIG=1
#   BENCH_SKIP_BUILD=1  use the existing release binary as is
#   BENCH_BIN        time this pcmfa binary instead (implies BENCH_SKIP_BUILD=1), e.g. to
#                    compare a build with other profile settings
#   CARGO_TARGET_DIR honoured (default target/)
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT=$PWD
SIZE=${BENCH_SIZE_MIB:-1024}
RUNS=${BENCH_RUNS:-3}
DIR=${BENCH_DIR:-$ROOT/target/bench}
BIG=${BENCH_BIG_MIB:-0}
TDIR=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=${BENCH_BIN:-$TDIR/release/pcmfa}
[ -n "${BENCH_BIN:-}" ] && BENCH_SKIP_BUILD=1
VENV=$ROOT/target/bench-venv
PY=$VENV/bin/python
GEN=$ROOT/scripts/bench/gen_corpus.py
SQL=$ROOT/scripts/bench/duckdb_job.sql
TIME=/usr/bin/time

mkdir -p "$DIR"
log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

[ -x "$TIME" ] || { echo "need GNU time at $TIME (apt-get install time)" >&2; exit 1; }

# 1. The release binary of this checkout.
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  log "cargo build --release"
  cargo build --release --quiet
fi
[ -x "$BIN" ] || { echo "no binary at $BIN" >&2; exit 1; }

# 2. DuckDB from PyPI, in a venv under target/.
if ! "$PY" -c 'import duckdb' 2>/dev/null; then
  log "installing duckdb into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet duckdb
fi
DUCKDB_VERSION=$("$PY" -c 'import duckdb; print(duckdb.__version__)')

# 3. Corpora (deterministic: regenerated only when missing).
gen() { # gen MIB SHARE FILE
  if [ ! -s "$3" ]; then
    log "generating $3 ($1 MiB, Partner Center share $2)"
    python3 "$GEN" --size-mib "$1" --pc-share "$2" --out "$3.tmp"
    mv "$3.tmp" "$3"
  fi
}
F10=$DIR/gw-${SIZE}m-pc10.jsonl
F100=$DIR/gw-${SIZE}m-pc100.jsonl
FGZ=$F10.gz
gen "$SIZE" 0.10 "$F10"
gen "$SIZE" 1.00 "$F100"
if [ ! -s "$FGZ" ]; then
  log "compressing $F10 (gzip -6)"
  gzip -6 -c "$F10" > "$FGZ.tmp" && mv "$FGZ.tmp" "$FGZ"
fi

# 4. Timing. Each command runs BENCH_RUNS times, the commands of one file round-robin
#    (so a burst of load from other tenants hits all of them alike); wall clock from
#    bash's EPOCHREALTIME; CPU seconds (user+sys) and peak RSS from GNU time (the table
#    shows the CPU seconds of the best run and the largest peak RSS over the runs).
RES=$DIR/results.tsv
: > "$RES"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
PSI_BEFORE=$(head -n1 /proc/pressure/cpu 2>/dev/null | cut -d' ' -f2-4 || true)
STARTED=$(date -u +%Y-%m-%dT%H:%M:%SZ)

run_once() { # run_once TAG FILE CMD... ; appends "tag file microseconds rss_kib exit cpu_s"
  local tag=$1 file=$2; shift 2
  local rssf=$DIR/.rss.$$ errf=$DIR/.stderr.$$ t0 t1 rc=0 rss
  t0=${EPOCHREALTIME/./}
  "$TIME" -f '%M %U %S' -o "$rssf" "$@" > /dev/null 2> "$errf" || rc=$?
  t1=${EPOCHREALTIME/./}
  # GNU time writes "Command exited with non-zero status N" before %M in that case.
  read -r rss usr sys < <(tail -n1 "$rssf")
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$tag" "$file" "$((t1 - t0))" "$rss" "$rc" \
    "$(python3 -c "print(round($usr + $sys, 2))")" >> "$RES.raw"
  [ "$rc" = 0 ] || log "WARNING: $tag on $file exited $rc: $(head -c 500 "$errf")"
  rm -f "$rssf" "$errf"
}

: > "$RES.raw"
bench_file() { # bench_file LABEL FILE TOOL...   (tools: wc pcmfa-t2 pcmfa-t1 duckdb gzip-dc)
  local label=$1 file=$2; shift 2
  log "warming the page cache with $file"
  cat "$file" > /dev/null
  local r tool
  for r in $(seq 1 "$RUNS"); do
    for tool in "$@"; do
      log "run $r/$RUNS: $tool on $label"
      case $tool in
        wc) run_once wc "$label" wc -l "$file" ;;
        pcmfa-t2) run_once pcmfa-t2 "$label" "$BIN" scan "$file" --out "$DIR/out-$label-t2" --quiet --force --threads 2 ;;
        pcmfa-t1) run_once pcmfa-t1 "$label" "$BIN" scan "$file" --out "$DIR/out-$label-t1" --quiet --force --threads 1 ;;
        duckdb) run_once duckdb "$label" "$PY" -c 'import sys, duckdb
sql = open(sys.argv[1]).read().replace("@INPUT@", sys.argv[2]).replace("@OUTPUT@", sys.argv[3])
duckdb.sql(sql)' "$SQL" "$file" "$DIR/duckdb-$label.csv" ;;
        gzip-dc) run_once gzip-dc "$label" gzip -dc "$file" ;;
      esac
    done
  done
}

bench_file pc10 "$F10" wc pcmfa-t2 pcmfa-t1 duckdb
bench_file pc100 "$F100" wc pcmfa-t2 pcmfa-t1 duckdb
bench_file pc10-gz "$FGZ" gzip-dc pcmfa-t2

if [ "$BIG" -gt 0 ]; then
  FBIG=$DIR/gw-${BIG}m-pc10.jsonl
  gen "$BIG" 0.10 "$FBIG"
  log "one pcmfa-t2 run on $FBIG (peak RSS)"
  run_once pcmfa-t2 big "$BIN" scan "$FBIG" --out "$DIR/out-big-t2" --quiet --force --threads 2
  [ "${BENCH_KEEP_BIG:-0}" = 1 ] || rm -f "$FBIG"
fi
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
PSI_AFTER=$(head -n1 /proc/pressure/cpu 2>/dev/null | cut -d' ' -f2-4 || true)

# 5. Agreement, the table and the ratios.
BYTES10=$(stat -c %s "$F10"); BYTES100=$(stat -c %s "$F100")
BYTESBIG=0; [ "$BIG" -gt 0 ] && BYTESBIG=$(python3 -c "print(int($BIG*1024*1024))")
python3 - "$DIR" "$RES.raw" "$RES" "$BYTES10" "$BYTES100" "$BYTESBIG" <<'PY'
import csv, os, sys
from collections import defaultdict
d, raw, res, b10, b100, bbig = sys.argv[1], sys.argv[2], sys.argv[3], *map(int, sys.argv[4:])
size = {"pc10": b10, "pc100": b100, "pc10-gz": b10, "big": bbig}
times, rss, rcs, cpus = defaultdict(list), defaultdict(int), defaultdict(set), defaultdict(list)
for line in open(raw):
    tag, f, s, kib, rc, cpu = line.rstrip("\n").split("\t")
    times[(tag, f)].append(int(s) / 1e6); rss[(tag, f)] = max(rss[(tag, f)], int(kib or 0)); rcs[(tag, f)].add(rc)
    cpus[(tag, f)].append(float(cpu))

def best(tag, f):
    return min(times[(tag, f)]) if times.get((tag, f)) else None

rows = []
with open(res, "w") as out:
    out.write("tool\tfile\tbytes\tbest_s\tMB_per_s\tcpu_s_best_run\tpeak_rss_MB\truns_s\texit\n")
    for (tag, f), ts in times.items():
        b = best(tag, f); mbps = size[f] / b / 1e6
        cpu = cpus[(tag, f)][ts.index(b)]
        r = rss[(tag, f)] * 1024 / 1e6
        rows.append((tag, f, b, mbps, r, ts, rcs[(tag, f)], cpu))
        out.write(f"{tag}\t{f}\t{size[f]}\t{b:.3f}\t{mbps:.1f}\t{cpu:.2f}\t{r:.1f}\t{','.join('%.3f' % t for t in ts)}\t{','.join(sorted(rcs[(tag, f)]))}\n")

names = {"pc10": "gw 10% PC", "pc100": "gw 100% PC", "pc10-gz": "gw 10% PC .gz", "big": "gw 10% PC (big)"}
md = ["| tool | file | size (MiB, uncompressed) | best of runs (s) | MB/s | CPU s (user+sys) of best run | peak RSS (MB) | all runs (s) |",
      "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |"]
print()
print(f"{'tool':<10} {'file':<16} {'MiB':>7} {'best s':>8} {'MB/s':>8} {'CPU s':>7} {'RSS MB':>8}  runs")
for tag, f, b, mbps, r, ts, rc, cpu in rows:
    mib = size[f] / 2**20
    print(f"{tag:<10} {names[f]:<16} {mib:>7.0f} {b:>8.3f} {mbps:>8.1f} {cpu:>7.2f} {r:>8.1f}  {' '.join('%.2f' % t for t in ts)}"
          + ("" if rc <= {"0"} else f"  exit {','.join(sorted(rc))}"))
    md.append(f"| {tag} | {names[f]} | {mib:.0f} | {b:.3f} | {mbps:.1f} | {cpu:.2f} | {r:.1f} | {' '.join('%.2f' % t for t in ts)} |")

def ratio(num, den):
    return None if num is None or den is None else num / den

checks = [
    ("pcmfa/DuckDB throughput, 10% PC", ratio(best("duckdb", "pc10"), best("pcmfa-t2", "pc10")), 8.0),
    ("pcmfa/wc -l throughput, 10% PC", ratio(best("wc", "pc10"), best("pcmfa-t2", "pc10")), 1 / 3),
    ("pcmfa/DuckDB throughput, 100% PC", ratio(best("duckdb", "pc100"), best("pcmfa-t2", "pc100")), 3.0),
    ("pcmfa/gzip -dc throughput, .gz", ratio(best("gzip-dc", "pc10-gz"), best("pcmfa-t2", "pc10-gz")), 1.0),
    ("2 threads / 1 thread, 10% PC", ratio(best("pcmfa-t1", "pc10"), best("pcmfa-t2", "pc10")), 1.7),
    ("2 threads / 1 thread, 100% PC", ratio(best("pcmfa-t1", "pc100"), best("pcmfa-t2", "pc100")), 1.7),
]
print()
md2 = ["| target | measured | wanted | met |", "| --- | ---: | ---: | --- |"]
for name, v, want in checks:
    ok = v is not None and v >= want
    s = "n/a" if v is None else f"{v:.2f}x"
    print(f"{name:<36} {s:>8}  (target >= {want:.2f}x)  {'MET' if ok else 'MISSED'}")
    md2.append(f"| {name} | {s} | >= {want:.2f}x | {'yes' if ok else '**no**'} |")
r1 = rss.get(("pcmfa-t2", "pc10"), 0) * 1024 / 1e6
if ("pcmfa-t2", "big") in rss:
    rb = rss[("pcmfa-t2", "big")] * 1024 / 1e6
    ok = rb < 250 and rb <= 1.10 * r1
    s = f"{rb:.0f} MB (1 GiB: {r1:.0f} MB, {rb / r1:.2f}x)"
    print(f"{'peak RSS, big input':<36} {s}  (target < 250 MB and <= 1.10x the 1 GiB run)  {'MET' if ok else 'MISSED'}")
    md2.append(f"| peak RSS, {bbig / 2**30:.0f} GiB input | {s} | < 250 MB, <= 1.10x | {'yes' if ok else '**no**'} |")
else:
    print(f"{'peak RSS, this size':<36} {r1:.0f} MB  (big input not measured: BENCH_BIG_MIB=10240)")
    md2.append(f"| peak RSS at {b10 / 2**20:.0f} MiB (10 GiB not measured) | {r1:.0f} MB | < 250 MB | {'yes' if r1 < 250 else '**no**'} (this size only) |")
open(os.path.join(d, "results.md"), "w").write("\n".join(md) + "\n\n" + "\n".join(md2) + "\n")

# Agreement between pcmfa's integrations.csv and DuckDB's ranking.
def load(path, key):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return {r[key]: r for r in csv.DictReader(fh)}
cols = ["verdict", "calls", "broken", "at_risk", "compliant", "not_affected", "unknown", "rank"]
print()
for f in ("pc10", "pc100"):
    pp, dp = os.path.join(d, f"out-{f}-t2", "integrations.csv"), os.path.join(d, f"duckdb-{f}.csv")
    if not (os.path.exists(pp) and os.path.exists(dp)):
        print(f"WARNING: {f}: missing {pp} or {dp}: agreement not checked"); continue
    p, q = load(pp, "app_id"), load(dp, "app_id")
    diffs = [f"  {k}: only in {'pcmfa' if k in p else 'DuckDB'}" for k in sorted(set(p) ^ set(q))]
    for k in sorted(set(p) & set(q)):
        for c in cols:
            if p[k][c] != q[k][c]:
                diffs.append(f"  {k}: {c} pcmfa={p[k][c]} duckdb={q[k][c]}")
    if diffs:
        print(f"WARNING: {f}: pcmfa and DuckDB disagree ({len(diffs)} differences):")
        print("\n".join(diffs[:40]))
    else:
        print(f"{f}: pcmfa and DuckDB agree on all {len(p)} app ids (verdict, counts by verdict, rank)")
    # Every output but summary.json (it holds the thread count and the duration).
    o1, o2 = os.path.join(d, f"out-{f}-t1"), os.path.join(d, f"out-{f}-t2")
    if os.path.isdir(o1):
        names = sorted(n for n in set(os.listdir(o1)) | set(os.listdir(o2)) if n != "summary.json")
        differ = [n for n in names if not (os.path.exists(os.path.join(o1, n)) and os.path.exists(os.path.join(o2, n))
                  and open(os.path.join(o1, n), "rb").read() == open(os.path.join(o2, n), "rb").read())]
        if differ:
            print(f"WARNING: {f}: outputs differ between --threads 1 and --threads 2: {', '.join(differ)}")
        else:
            print(f"{f}: --threads 1 and --threads 2 wrote byte-identical {', '.join(names)}")
PY

cat <<EOF

started $STARTED; load average before: $LOAD_BEFORE; after: $LOAD_AFTER
CPU pressure (some avg10 avg60 avg300) before: $PSI_BEFORE; after: $PSI_AFTER
pcmfa $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- src Cargo.toml Cargo.lock || echo '+dirty'), duckdb $DUCKDB_VERSION, $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
results: $RES, $DIR/results.md
EOF

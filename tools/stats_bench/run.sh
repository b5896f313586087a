#!/usr/bin/env bash
# The statistics benchmark (issue 8 item 1): what keeping feature statistics
# at ingest costs, and how fast `fsctl stats TABLE --window` answers.
#
#   tools/stats_bench/run.sh
#
# Environment: EVENTS (default 10000000), DAYS (default 30), RUNS (default 3),
# PYTHON (default .venv/bin/python with numpy, pyarrow), STATS_DATA (default
# bench-data/stats), BASE_FSCTL (a release fsctl built WITHOUT statistics,
# e.g. main before the stats branch, or this tree with the statistics.add
# call of Sources/FeatureStore/Ingest/FileIngest.swift left out; copied once
# into STATS_DATA), OTHER_FSCTL (optional: another build WITH statistics,
# e.g. main's, timed in the same rounds for a same-run ratio).
# Timed, alternating base and this build, each into a fresh store:
#   ingest   the whole `fsctl ingest stats_bench FILE --quiet` process
#            (Parquet, 10 features: 7 float64, 3 strings), wall and CPU time
#   stats    `fsctl stats stats_bench --window 2025-11-01..2025-11-30 --json`
#            (the window's 30 days × 10 features merged), RUNS × 5 times
# The stats output is checked against pyarrow's exact count, nulls, mean,
# min, max and quantiles (1 %) before anything is reported.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-.venv/bin/python}
EVENTS=${EVENTS:-10000000}
DAYS=${DAYS:-30}
RUNS=${RUNS:-3}
DATA=${STATS_DATA:-bench-data/stats}/$EVENTS
HERE=tools/stats_bench
"$PY" -c 'import numpy, pyarrow' 2>/dev/null || { echo "run.sh: $PY lacks numpy/pyarrow (make venv)" >&2; exit 2; }
echo "== building fsctl (release)" >&2
swift build -c release --product fsctl 2>&1 | tail -n 1 >&2
FSCTL=$PWD/.build/release/fsctl
mkdir -p "$DATA"
if [ ! -x "$DATA/fsctl-base" ]; then
  [ -n "${BASE_FSCTL:-}" ] || { echo "run.sh: set BASE_FSCTL to a release fsctl without statistics" >&2; exit 2; }
  cp "$BASE_FSCTL" "$DATA/fsctl-base"
fi
[ -f "$DATA/stats_bench.parquet" ] || "$PY" $HERE/gen.py --events "$EVENTS" --days "$DAYS" --out "$DATA" >&2
ingest() {  # $1 = binary, $2 = store; prints "wall_s cpu_s"
  rm -rf "$2"
  "$1" init "$2" >/dev/null
  "$1" --store "$2" apply $HERE/features.yaml >/dev/null
  local t0 t1
  t0=$(date +%s%N)
  /usr/bin/time -f "%U %S" -o "$DATA/time.txt" "$1" --store "$2" ingest stats_bench "$DATA/stats_bench.parquet" --quiet
  t1=$(date +%s%N)
  echo "$(( (t1 - t0) / 1000000 )) $(awk '{printf "%d", ($1 + $2) * 1000}' "$DATA/time.txt")"
}
BASE=(); WITH=(); OTHER=()
for r in $(seq "$RUNS"); do
  BASE+=("$(ingest "$DATA/fsctl-base" "$DATA/store-base")")
  WITH+=("$(ingest "$FSCTL" "$DATA/store")")
  [ -z "${OTHER_FSCTL:-}" ] || OTHER+=("$(ingest "$OTHER_FSCTL" "$DATA/store-other")")
  echo "round $r: base ${BASE[-1]} ms (wall cpu), with statistics ${WITH[-1]} ms${OTHER_FSCTL:+, other ${OTHER[-1]} ms}; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
done
rm -rf "$DATA/store-base" "$DATA/store-other"
WINDOW=2025-11-01..2025-11-$DAYS
STATS_MS=()
for _ in $(seq $((RUNS * 5))); do
  t0=$(date +%s%N)
  "$FSCTL" --store "$DATA/store" stats stats_bench --window "$WINDOW" --json > "$DATA/stats.json"
  STATS_MS+=($(( ($(date +%s%N) - t0) / 1000000 )))
done
"$PY" $HERE/check.py "$DATA/stats_bench.parquet" "$DATA/stats.json" >&2
echo "events $EVENTS over $DAYS days; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "ingest without statistics (wall ms, cpu ms): ${BASE[*]/%/;}"
echo "ingest with statistics    (wall ms, cpu ms): ${WITH[*]/%/;}"
[ -z "${OTHER_FSCTL:-}" ] || echo "ingest with $OTHER_FSCTL (wall ms, cpu ms): ${OTHER[*]/%/;}"
echo "fsctl stats --window $WINDOW (ms): ${STATS_MS[*]}"

#!/usr/bin/env bash
# The drift benchmark (issue 8): `fsctl drift` over 10 features (7 numeric, 3
# categorical) of EVENTS events (default 10M: 5M reference, 5M current, auto
# methods: normed Wasserstein and Jensen-Shannon) against Evidently 0.7.23 on
# the same data, in the same run.
#
#   tools/drift_bench/run.sh
#
# Environment: EVENTS (default 10000000), RUNS (default 3), PYTHON (default
# .venv-drift/bin/python with evidently, pyarrow: make venv-drift), DRIFT_DATA (default
# bench-data/drift). Data and store are made once (not timed). Timed:
#   fsctl     the whole `fsctl drift --json --no-record` process: open the store,
#             scan both windows of the event log, decode, compute (features on
#             both cores), print (release build); wall and CPU (user + system)
#   evidently get_stattest + the test per column and dataset drift, on pandas
#             Series already in memory (loading the Parquet is not timed)
# The statistics must agree to 1e-6 with the same verdicts, or nothing is reported.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-.venv-drift/bin/python}
EVENTS=${EVENTS:-10000000}
RUNS=${RUNS:-3}
DATA=${DRIFT_DATA:-bench-data/drift}/$EVENTS
HERE=tools/drift_bench
"$PY" -c 'import evidently, pyarrow' 2>/dev/null || { echo "run.sh: $PY lacks evidently/pyarrow (make venv-drift)" >&2; exit 2; }
echo "== building fsctl (release)" >&2
swift build -c release --product fsctl 2>&1 | tail -n 1 >&2
FSCTL=$PWD/.build/release/fsctl
mkdir -p "$DATA"
[ -f "$DATA/drift_bench.parquet" ] || "$PY" $HERE/gen.py --events "$EVENTS" --out "$DATA" >&2
[ -f "$DATA/store/.ingested" ] || {
  echo "== ingesting $EVENTS events (not timed)" >&2
  rm -rf "$DATA/store"
  "$FSCTL" init "$DATA/store" >/dev/null
  "$FSCTL" --store "$DATA/store" apply $HERE/features.yaml >/dev/null
  "$FSCTL" --store "$DATA/store" ingest drift_bench "$DATA/drift_bench.parquet" --quiet
  touch "$DATA/store/.ingested"
}
ARGS=(--store "$DATA/store" drift drift_bench --reference 2025-11-15..2025-11-15T23:59:59.999999
      --current 2025-11-16..2025-11-16T23:59:59.999999 --json)
FS_MS=() FS_CPU=()
for _ in $(seq "$RUNS"); do
  t0=$(date +%s%N)
  # --no-record: a benchmark run leaves no drift result behind. CPU = user + system, all threads.
  /usr/bin/time -f "%U %S" -o "$DATA/fsctl.time" "$FSCTL" "${ARGS[@]}" --no-record > "$DATA/fsctl.json" || [ $? -eq 3 ]
  FS_MS+=($(( ($(date +%s%N) - t0) / 1000000 )))
  FS_CPU+=($(awk '/^[0-9.]+ [0-9.]+$/ {printf "%d", ($1 + $2) * 1000}' "$DATA/fsctl.time"))
done
EV=$("$PY" $HERE/evidently_drift.py "$DATA/drift_bench.parquet" "$DATA/fsctl.json" "$RUNS")
echo "{\"events\": $EVENTS, \"load_average\": \"$(cut -d' ' -f1-3 /proc/loadavg)\", \"fsctl_ms\": [$(IFS=,; echo "${FS_MS[*]}")], \"fsctl_cpu_ms\": [$(IFS=,; echo "${FS_CPU[*]}")], \"evidently\": $EV}"

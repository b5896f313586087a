#!/usr/bin/env bash
# Side-by-side Parquet benchmark: our ParquetReader/ParquetWriter vs pyarrow,
# single-threaded, on the same files in the same run (make bench-parquet).
#
#   tools/parquet_bench/run.sh [--rows N] [--reps N] [--rounds N] [--data DIR]
#
# 1. .venv (make venv) and the release executable
#    (swift build -c release --package-path tools/parquet_bench);
# 2. DIR/features_{snappy,zstd,none}.parquet from gen.py (pyarrow defaults,
#    N rows; remade when missing or of another size);
# 3. ROUNDS rounds, interleaving the two tools; in each, per codec:
#    pyarrow read (read_table and iter_batches), ours read (64Ki batches and one
#    batch per row group), pyarrow write_table, ours write — each REPS times
#    in one process;
# 4. checks that pyarrow reads our written files back equal to the source;
# 5. prints the table (report.py) and keeps the raw JSON lines in
#    DIR/results-<UTC time>.jsonl.
# Defaults: 1,000,000 rows, 3 reps x 2 rounds = 6 timed runs per cell.
set -euo pipefail
cd "$(dirname "$0")/../.."

ROWS=1000000 REPS=3 ROUNDS=2 DATA=bench-data/parquet
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) ROWS=$2; shift 2 ;;
    --reps) REPS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --data) DATA=$2; shift 2 ;;
    *) echo "usage: $0 [--rows N] [--reps N] [--rounds N] [--data DIR]" >&2; exit 2 ;;
  esac
done

PY=.venv/bin/python
BENCH=tools/parquet_bench/.build/release/ParquetBench
make -s venv
swift build -c release --package-path tools/parquet_bench 2>&1 | grep -v '^\[' >&2 || true
test -x "$BENCH"

mkdir -p "$DATA/out"
if ! $PY -c "import json,sys; sys.exit(json.load(open('$DATA/meta.json'))['rows'] != $ROWS)" 2>/dev/null; then
  echo "generating $ROWS rows in $DATA ..." >&2
  $PY tools/parquet_bench/gen.py "$DATA" --rows "$ROWS" >/dev/null
fi

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS="$DATA/results-$STAMP.jsonl"
machine() {
  local model load
  model=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  $PY -c 'import json,sys; print(json.dumps({"kind":"machine","when":sys.argv[1],"text":sys.argv[2]}))' "$1" \
    "$(date -u +%FT%TZ); nproc $(nproc); $model; load average $load; swift $(swift --version 2>&1 | sed -n 's/.*Swift version \([^ ]*\).*/\1/p' | head -1); pyarrow $($PY -c 'import pyarrow; print(pyarrow.__version__)')"
}
machine start >>"$RESULTS"
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round/$ROUNDS ($(cut -d' ' -f1 /proc/loadavg) load)" >&2
  for codec in snappy zstd none; do
    f="$DATA/features_$codec.parquet"
    $PY tools/parquet_bench/pybench.py read "$f" --reps "$REPS" >>"$RESULTS"
    $BENCH read "$f" --reps "$REPS" >>"$RESULTS"
    $BENCH read "$f" --reps "$REPS" --batch-size 1000000000 >>"$RESULTS"
    $PY tools/parquet_bench/pybench.py write "$f" "$DATA/out/pyarrow_$codec.parquet" --codec "$codec" --reps "$REPS" >>"$RESULTS"
    $BENCH write "$f" "$DATA/out/ours_$codec.parquet" --codec "$codec" --reps "$REPS" >>"$RESULTS"
  done
done
machine end >>"$RESULTS"

# Our files must read back in pyarrow as the same table.
$PY - "$DATA" <<'PYEOF'
import sys, pyarrow.parquet as pq
d = sys.argv[1]
src = pq.read_table(f"{d}/features_snappy.parquet")
for codec in ("snappy", "zstd", "none"):
    ours = pq.read_table(f"{d}/out/ours_{codec}.parquet")
    if not ours.equals(src.cast(ours.schema)):
        sys.exit(f"{d}/out/ours_{codec}.parquet does not read back equal to the source")
print("check: pyarrow reads our three files back equal to the source", file=sys.stderr)
PYEOF

echo "raw results: $RESULTS" >&2
$PY tools/parquet_bench/report.py "$RESULTS" "$DATA/meta.json"

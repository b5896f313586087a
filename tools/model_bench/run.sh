#!/usr/bin/env bash
# Side-by-side model scoring benchmark: ModelFormats (Swift) against the
# libraries' own Python predict on the same models and rows, in one run
# (make bench-models).
#
#   tools/model_bench/run.sh [--rows N] [--single N] [--reps N] [--rounds N] [--data DIR]
#
# 1. .venv (make venv) and the release `modelbench` of Benchmarks/;
# 2. DIR/ models and rows from bench.py (remade when missing or of another size):
#    XGBoost 100 trees depth 6, LightGBM 100 trees 63 leaves, linear-json and
#    skl2onnx LogisticRegression, skl2onnx MLP(32, 32); N rows of 14 features;
# 3. ROUNDS rounds alternating the two sides: single-row latency p50/p99
#    (each call timed) and batch throughput on 10k and N rows with 2 threads,
#    wall and process CPU time, best of REPS;
# 4. the table (report.py); raw JSON lines in DIR/results-<UTC time>.jsonl.
# Defaults: 100,000 rows, 5,000 single-row calls, 5 reps, 2 rounds.
set -euo pipefail
cd "$(dirname "$0")/../.."

ROWS=100000 SINGLE=5000 REPS=5 ROUNDS=2 DATA=bench-data/models
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) ROWS=$2; shift 2 ;;
    --single) SINGLE=$2; shift 2 ;;
    --reps) REPS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --data) DATA=$2; shift 2 ;;
    *) echo "usage: $0 [--rows N] [--single N] [--reps N] [--rounds N] [--data DIR]" >&2; exit 2 ;;
  esac
done

PY=.venv/bin/python
make -s venv
swift build -c release --package-path Benchmarks --product modelbench 2>&1 | grep -v '^\[' >&2 || true
BENCH=Benchmarks/.build/release/modelbench
test -x "$BENCH"

if ! $PY -c "import json,sys; sys.exit(json.load(open('$DATA/meta.json'))['rows'] != $ROWS)" 2>/dev/null; then
  echo "making models and $ROWS rows in $DATA" >&2
  $PY tools/model_bench/bench.py models "$DATA" --rows "$ROWS"
fi

OUT="$DATA/results-$(date -u +%Y%m%dT%H%M%SZ).jsonl"
{
  echo "{\"kind\": \"machine\", \"date\": \"$(date -u +%Y-%m-%dT%H:%MZ)\", \"cpu\": \"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)\", \"cores\": $(nproc), \"load\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"}"
  for round in $(seq "$ROUNDS"); do
    "$BENCH" "$DATA" --single "$SINGLE" --reps "$REPS" | sed "s/^{/{\"round\": $round, \"side\": \"swift\", /"
    $PY tools/model_bench/bench.py python "$DATA" --single "$SINGLE" --reps "$REPS" | sed "s/^{/{\"round\": $round, \"side\": \"python\", /"
  done
} > "$OUT"
$PY tools/model_bench/report.py "$OUT"

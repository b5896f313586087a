#!/usr/bin/env bash
# End-to-end scoring latency: Scorer.score(entity:) with features read from
# the 1M-entity benchmark store (examples/bench.yaml) and an XGBoost model of
# 100 trees, depth 6 (train.py, .venv). Builds Benchmarks' scorebench in
# release mode; the store is built in bench-data/score-store once and reused.
#
#   tools/score_bench/run.sh            (FS_BENCH_ENTITIES=1000000 by default)
set -Eeuo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
PY=${PY:-.venv/bin/python}
OUT=${OUT:-bench-data/score}
STORE=${STORE:-bench-data/score-store-${FS_BENCH_ENTITIES:-1000000}}
mkdir -p "$OUT"
"$PY" tools/score_bench/train.py "$OUT/xgb100.json"
(cd Benchmarks && swift build -c release --product scorebench >&2)
BIN=$(cd Benchmarks && swift build -c release --product scorebench --show-bin-path)/scorebench
mkdir -p "$STORE"
"$BIN" "$OUT/xgb100.json" "$PWD/$STORE"

#!/usr/bin/env bash
# The point-in-time benchmark (issue 3): FeatureStore's exportTrainingSet
# against DuckDB's ASOF JOIN and polars' join_asof, same data, same run.
#
#   tools/pit_bench/run.sh [small] [large]      (default: both; `make bench-pit`)
#
#   small: 2 tables x 500k events (100k users x 5), 100k entity rows
#   large: 2 tables x 5M events (1M users x 5),     1M entity rows
#
# Environment: RUNS (default 3) rounds of every tool, interleaved;
# PYTHON (default .venv/bin/python, `make venv`: duckdb, polars, pyarrow);
# PIT_DATA (default bench-data/pit) for data, stores and outputs;
# BASELINE=path/to/another/pitbench adds it as "featurestore baseline" (e.g. a
# build of an older commit) — its output must agree too.
#
# Data (made once, then reused): tools/gen_data.py bench writes each table as
# CSV and Parquet (seeds 1 and 2: different values, no two events of a user
# at the same time); tools/pit_bench/gen_entities.py the entity CSV. The
# store ingests the CSVs once (not timed). Timed, each from files to a file:
#   featurestore   entity CSV + store -> Store.exportTrainingSet -> CSV, on the
#                  store as ingested and on its compacting copy (fsctl backup)
#   duckdb         entity CSV + the two Parquet files -> COPY ... TO CSV
#   polars         entity CSV + the two Parquet files -> write_csv
# DuckDB and polars at their default thread count (all cores) and with one.
# Each prints its wall time, its CPU time (user + system of all threads over
# the same span: comparable under load, when wall times measure the
# scheduler) and its peak RSS (ru_maxrss).
# After the first round the outputs are compared (compare.py); the report is
# printed only when they all agree. Results: $PIT_DATA/<case>/results.jsonl.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-.venv/bin/python}
RUNS=${RUNS:-3}
DATA=${PIT_DATA:-bench-data/pit}
CASES=("$@")
[ ${#CASES[@]} -gt 0 ] || CASES=(small large)
HERE=tools/pit_bench

"$PY" -c 'import duckdb, polars, pyarrow' 2>/dev/null || { echo "run.sh: $PY lacks duckdb/polars/pyarrow (make venv)" >&2; exit 2; }
echo "== building $HERE (release)" >&2
(cd $HERE && swift build -c release 2>&1 | tail -n 1) >&2
BIN=$HERE/.build/release/pitbench

for case in "${CASES[@]}"; do
  case $case in
    small) USERS=100000;  ROWS=100000 ;;
    large) USERS=1000000; ROWS=1000000 ;;
    *) echo "run.sh: unknown case $case (small, large)" >&2; exit 2 ;;
  esac
  dir=$DATA/$case
  mkdir -p "$dir/out"
  for t in 1 2; do
    [ -f "$dir/t$t/bench_stats.parquet" ] || {
      echo "== $case: generating table $t" >&2
      "$PY" tools/gen_data.py bench --entities $USERS --events-per-entity 5 --seed $t --out "$dir/t$t" >&2
    }
  done
  [ -f "$dir/entities.csv" ] || "$PY" $HERE/gen_entities.py --rows $ROWS --users $USERS --out "$dir/entities.csv"
  # The marker names the ingest's format: `.ingested-sorted` (session 7 on),
  # a table's first backfill sorted across its chunks and appended, with full
  # leaf pages in key order. A store made by an older ingest (marker
  # `.ingested`: chunk by chunk, half-full leaves scattered over the file) is
  # made again.
  [ -f "$dir/store/.ingested-sorted" ] || {
    echo "== $case: ingesting into $dir/store (not timed)" >&2
    rm -rf "$dir/store" "$dir/store-compacted"
    $BIN ingest "$dir/store" $HERE/features.yaml bench_stats="$dir/t1/bench_stats.csv" bench_stats_6h="$dir/t2/bench_stats.csv" >&2
    touch "$dir/store/.ingested-sorted"
  }
  # The same store after `fsctl backup` (Store.backup: every database rebuilt
  # in key order with full leaf pages). Since the ingest sorts a first
  # backfill, the two logs have the same layout; the copy stays as a check
  # (what a store whose later ingests left scattered pages comes back to).
  # Events written chunk by chunk (a later backfill into a table that has
  # events) leave the log's leaf pages half full and scattered over the file,
  # and the walk then maps twice the pages and jumps between them
  # (docs/point-in-time.md, "Store layout"). Made once, not timed; the marker
  # names the backup's format (`.repacked`: session 6 on).
  [ -f "$dir/store-compacted/.repacked" ] || {
    echo "== $case: compacting, repacking copy into $dir/store-compacted (not timed)" >&2
    rm -rf "$dir/store-compacted"
    $BIN backup "$dir/store" "$dir/store-compacted" >&2
    touch "$dir/store-compacted/.repacked"
  }
  results=$dir/results.jsonl
  : > "$results"
  tables=("$dir/t1/bench_stats.parquet" "$dir/t2/bench_stats.parquet")
  for run in $(seq 1 "$RUNS"); do
    echo "== $case: round $run of $RUNS (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
    stamp() { sed "s/^{/{\"case\":\"$case\",\"run\":$run,\"label\":\"$1\",\"loadavg\":\"$(cut -d' ' -f1 /proc/loadavg)\",/"; }
    $BIN export "$dir/store" "$dir/entities.csv" "$dir/out/featurestore.csv" | stamp featurestore | tee -a "$results" >&2
    $BIN export "$dir/store-compacted" "$dir/entities.csv" "$dir/out/featurestore-compacted.csv" \
      | stamp "featurestore, compacted store" | tee -a "$results" >&2
    if [ -n "${BASELINE:-}" ]; then
      "$BASELINE" export "$dir/store" "$dir/entities.csv" "$dir/out/baseline.csv" | stamp "featurestore baseline" | tee -a "$results" >&2
    fi
    "$PY" $HERE/duckdb_pit.py "$dir/entities.csv" "${tables[@]}" "$dir/out/duckdb.csv" | stamp duckdb | tee -a "$results" >&2
    "$PY" $HERE/duckdb_pit.py "$dir/entities.csv" "${tables[@]}" "$dir/out/duckdb-1t.csv" --threads 1 | stamp "duckdb 1 thread" | tee -a "$results" >&2
    "$PY" $HERE/polars_pit.py "$dir/entities.csv" "${tables[@]}" "$dir/out/polars.csv" | stamp polars | tee -a "$results" >&2
    POLARS_MAX_THREADS=1 "$PY" $HERE/polars_pit.py "$dir/entities.csv" "${tables[@]}" "$dir/out/polars-1t.csv" | stamp "polars 1 thread" | tee -a "$results" >&2
    if [ "$run" = 1 ]; then
      echo "== $case: checking the outputs agree" >&2
      cmp "$dir/out/featurestore.csv" "$dir/out/featurestore-compacted.csv" >&2
      "$PY" $HERE/compare.py "$dir/out/featurestore.csv" "$dir/out/duckdb.csv" "$dir/out/duckdb-1t.csv" \
        "$dir/out/polars.csv" "$dir/out/polars-1t.csv" ${BASELINE:+"$dir/out/baseline.csv"} | tee "$dir/compare.json" >&2
    fi
  done
  "$PY" $HERE/report.py "$results"
done

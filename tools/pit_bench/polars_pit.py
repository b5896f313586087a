#!/usr/bin/env python3
"""polars' side of the point-in-time benchmark: the same training set as
Store.exportTrainingSet, from files to a CSV file, with join_asof.

  polars_pit.py ENTITIES.csv STATS.parquet STATS_6H.parquet OUT.csv

join_asof(strategy="backward", by="user_id") per feature table, the 6 h
table with tolerance="6h" (inclusive); join_asof needs both sides sorted by
time, so entity rows get a row index, are sorted by time, joined and sorted
back. POLARS_MAX_THREADS=1 in the environment makes it single-threaded.
Prints one JSON line: seconds (read → file written), the CPU seconds of
all threads in that span, and the peak RSS.
"""

import json
import resource
import sys
import time

import warnings

import polars as pl

# join_asof with `by` cannot check that each group is sorted; both sides are
# sorted by time above, and compare.py checks the result.
warnings.filterwarnings("ignore", message="Sortedness of columns cannot be checked")

FEATURES = [f"f{i}" for i in range(10)]


def features(path, prefix):
    return (pl.read_parquet(path, columns=["user_id", "event_timestamp"] + FEATURES)
            .rename({f: f"{prefix}__{f}" for f in FEATURES})
            .rename({"event_timestamp": f"{prefix}__ts"})
            .sort(f"{prefix}__ts"))


def cpu_seconds():
    """User + system CPU time of this process so far (all its threads)."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def main():
    entities, stats, stats6h, out = sys.argv[1:]
    t0 = time.perf_counter()
    cpu0 = cpu_seconds()
    e = (pl.read_csv(entities, schema_overrides={"user_id": pl.Int64, "event_timestamp": pl.String, "label": pl.String})
         .with_row_index("rn")
         .with_columns(ts=pl.col("event_timestamp").str.to_datetime("%Y-%m-%dT%H:%M:%S%.fZ", time_unit="us", time_zone="UTC"))
         .sort("ts"))
    a = features(stats, "bench_stats")
    b = features(stats6h, "bench_stats_6h")
    j = e.join_asof(a, left_on="ts", right_on="bench_stats__ts", by="user_id", strategy="backward")
    j = j.join_asof(b, left_on="ts", right_on="bench_stats_6h__ts", by="user_id", strategy="backward", tolerance="6h")
    cols = ["user_id", "event_timestamp", "label"] + [f"bench_stats__{f}" for f in FEATURES] + \
        [f"bench_stats_6h__{f}" for f in FEATURES]
    j.sort("rn").select(cols).write_csv(out)
    seconds = time.perf_counter() - t0
    cpu = cpu_seconds() - cpu0
    print(json.dumps({"tool": "polars", "version": pl.__version__, "threads": pl.thread_pool_size(),
                      "seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3),
                      "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, "output": out}))


if __name__ == "__main__":
    main()

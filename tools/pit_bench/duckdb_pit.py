#!/usr/bin/env python3
"""DuckDB's side of the point-in-time benchmark: the same training set as
Store.exportTrainingSet, from files to a CSV file, with ASOF LEFT JOIN.

  duckdb_pit.py ENTITIES.csv STATS.parquet STATS_6H.parquet OUT.csv [--threads N]

One ASOF LEFT JOIN per feature table (latest event with event_timestamp <=
the row's time, per user_id); the 6 h table's features are nulled when that
event is older than t - 6h (the latest event outside the TTL means no event
inside it, so this is Feast's rule). Entity rows keep their order through
row_number() OVER () and a final ORDER BY. The label is read as text, as the
store passes it through. Prints one JSON line: seconds (connect → file
written), the CPU seconds of all threads in that span, and the process's
peak RSS.
"""

import json
import resource
import sys
import time

import duckdb

FEATURES = [f"f{i}" for i in range(10)]


def cpu_seconds():
    """User + system CPU time of this process so far (all its threads)."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def main():
    args = sys.argv[1:]
    threads = None
    if "--threads" in args:
        k = args.index("--threads")
        threads = int(args[k + 1])
        del args[k:k + 2]
    entities, stats, stats6h, out = args
    t0 = time.perf_counter()
    cpu0 = cpu_seconds()
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    if threads:
        con.execute(f"SET threads = {threads}")
    a = ", ".join(f"a.{f} AS bench_stats__{f}" for f in FEATURES)
    b = ", ".join(f"CASE WHEN b.event_timestamp >= e.ts - INTERVAL 6 HOUR THEN b.{f} END AS bench_stats_6h__{f}"
                  for f in FEATURES)
    con.execute(f"""
        COPY (
            WITH e AS (
                SELECT row_number() OVER () AS rn, user_id, CAST(event_timestamp AS TIMESTAMPTZ) AS ts, label
                FROM read_csv('{entities}', header = true,
                              columns = {{'user_id': 'BIGINT', 'event_timestamp': 'VARCHAR', 'label': 'VARCHAR'}})
            ),
            ja AS (
                SELECT e.rn, e.user_id, e.ts, e.label, {a}
                FROM e ASOF LEFT JOIN read_parquet('{stats}') a
                  ON e.user_id = a.user_id AND e.ts >= a.event_timestamp
            )
            SELECT e.user_id, e.ts AS event_timestamp, e.label, {", ".join(f"e.bench_stats__{f}" for f in FEATURES)}, {b}
            FROM ja e ASOF LEFT JOIN read_parquet('{stats6h}') b
              ON e.user_id = b.user_id AND e.ts >= b.event_timestamp
            ORDER BY e.rn
        ) TO '{out}' (HEADER, DELIMITER ',')
    """)
    seconds = time.perf_counter() - t0
    cpu = cpu_seconds() - cpu0
    threads_used = con.execute("SELECT current_setting('threads')").fetchone()[0]
    print(json.dumps({"tool": "duckdb", "version": duckdb.__version__, "threads": int(threads_used),
                      "seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3),
                      "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, "output": out}))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Feast 0.67, side by side with FeatureStore, on the same bench_stats data.

Builds a throwaway Feast repository (provider local, file offline store,
SQLite online store) with an entity `user` (join key user_id int64) and a
feature view `bench_stats` whose 10 features match examples/bench.yaml, then
times:

  materialize(start, end) over the whole range of the data
      online rows/s  = entities written to the online store per second
      events/s       = events in the source scanned per second
      (and per CPU-second of this process: steadier on a shared machine)
  get_online_features, 1 entity x 10 features     (--single-repeats, >= 1000)
  get_online_features, 100 entities x 10 features (--batch-repeats, >= 200)
      mean / p50 / p99 in microseconds

and prints one JSON object on stdout (progress goes to stderr). The data comes
from tools/gen_data.py bench (CSV or Parquet; a CSV is converted to Parquet
first, outside the timings).

  make bench-feast                      # generates the data and runs this
  .venv-feast/bin/python tools/feast_bench/run.py bench-data/bench_stats.parquet
"""

import argparse
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone

os.environ.setdefault("FEAST_USAGE", "False")  # no telemetry; there is no network anyway

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

FEATURES = [f"f{i}" for i in range(10)]


def log(msg):
    print(f"feast_bench: {msg}", file=sys.stderr, flush=True)


def percentile(sorted_values, q):
    if not sorted_values:
        return None
    i = min(len(sorted_values) - 1, max(0, int(round(q / 100 * (len(sorted_values) - 1)))))
    return sorted_values[i]


def summarize(samples_ns):
    s = sorted(samples_ns)
    us = lambda ns: round(ns / 1000, 1)  # noqa: E731
    return {"repeats": len(s), "mean_us": us(statistics.fmean(s)), "p50_us": us(percentile(s, 50)),
            "p99_us": us(percentile(s, 99)), "min_us": us(s[0])}


def to_parquet(data_path, workdir):
    if data_path.endswith(".parquet"):
        return data_path
    from gen_data import write_parquet  # same conversion gen_data.py uses
    out = os.path.join(workdir, "bench_stats.parquet")
    log(f"converting {data_path} to Parquet")
    if not write_parquet(data_path, out):
        sys.exit("feast_bench: pyarrow is needed to convert CSV to Parquet")
    return out


FEATURE_STORE_YAML = """\
project: fsbench
registry: {repo}/data/registry.db
provider: local
offline_store:
  type: file
online_store:
  type: sqlite
  path: {repo}/data/online_store.db
entity_key_serialization_version: 3
"""


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("data", help="bench_stats.csv or bench_stats.parquet from tools/gen_data.py bench")
    p.add_argument("--single-repeats", type=int, default=2000)
    p.add_argument("--batch-repeats", type=int, default=300)
    p.add_argument("--batch-size", type=int, default=100)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--keep", metavar="DIR", help="build the Feast repo in DIR and keep it")
    args = p.parse_args()
    if args.single_repeats < 1 or args.batch_repeats < 1:
        sys.exit("feast_bench: repeats must be >= 1")

    import feast
    import pyarrow.compute as pc
    import pyarrow.parquet as pq
    from feast import Entity, FeatureStore, FeatureView, Field, FileSource, ValueType
    from feast.types import Bool, Float64, Int64, String

    if args.keep:
        repo = os.path.abspath(args.keep)
        shutil.rmtree(repo, ignore_errors=True)
        os.makedirs(repo)
    else:
        repo = tempfile.mkdtemp(prefix="feast_bench_")
    os.makedirs(os.path.join(repo, "data"), exist_ok=True)
    try:
        parquet = os.path.abspath(to_parquet(os.path.abspath(args.data), repo))

        # What is in the data: rows, entities, time range, and the latest
        # event per entity for a correctness spot check afterwards.
        table = pq.read_table(parquet)
        events = table.num_rows
        ids = table.column("user_id")
        entities = pc.count_distinct(ids).as_py()
        ts = table.column("event_timestamp")
        first, last = pc.min(ts).as_py(), pc.max(ts).as_py()
        rng = random.Random(args.seed)
        id_list = pc.unique(ids).to_pylist()
        spot = rng.sample(id_list, min(20, len(id_list)))
        sub = table.filter(pc.is_in(ids, value_set=__import__("pyarrow").array(spot))).to_pylist()
        expected = {}
        for r in sub:
            key = (r["event_timestamp"], r["created_timestamp"])
            if r["user_id"] not in expected or key > expected[r["user_id"]][0]:
                expected[r["user_id"]] = (key, r)
        del table, ts, sub
        log(f"{events} events, {entities} entities, {first} .. {last}")

        with open(os.path.join(repo, "feature_store.yaml"), "w") as f:
            f.write(FEATURE_STORE_YAML.format(repo=repo))
        user = Entity(name="user", join_keys=["user_id"], value_type=ValueType.INT64)
        source = FileSource(name="bench_stats_source", path=parquet, timestamp_field="event_timestamp",
                            created_timestamp_column="created_timestamp")
        types = {"f6": Int64, "f7": Int64, "f8": String, "f9": Bool}
        view = FeatureView(
            name="bench_stats", entities=[user], ttl=timedelta(0), online=True, source=source,
            schema=[Field(name="user_id", dtype=Int64)]
            + [Field(name=n, dtype=types.get(n, Float64)) for n in FEATURES])
        store = FeatureStore(repo_path=repo)
        t0 = time.perf_counter()
        store.apply([user, view])
        apply_s = time.perf_counter() - t0
        log(f"apply: {apply_s:.2f} s")

        start = first - timedelta(seconds=1)
        end = last + timedelta(seconds=1)
        log(f"materialize {start} .. {end}")
        t0, c0 = time.perf_counter(), time.process_time()
        store.materialize(start_date=start, end_date=end)
        mat_s, mat_cpu = time.perf_counter() - t0, time.process_time() - c0
        con = sqlite3.connect(os.path.join(repo, "data", "online_store.db"))
        (online_cells,) = con.execute("SELECT COUNT(*) FROM fsbench_bench_stats").fetchone()
        (online_entities,) = con.execute("SELECT COUNT(DISTINCT entity_key) FROM fsbench_bench_stats").fetchone()
        con.close()
        log(f"materialize: {mat_s:.1f} s ({mat_cpu:.1f} s CPU), {online_entities} entities, {online_cells} sqlite rows")

        refs = [f"bench_stats:{n}" for n in FEATURES]

        # Spot check: the online values are the latest event per entity.
        got = store.get_online_features(features=refs, entity_rows=[{"user_id": u} for u in spot]).to_dict()
        mismatches = 0
        for i, u in enumerate(got["user_id"]):
            row = expected[u][1]
            for n in FEATURES:
                a, b = got[n][i], row[n]
                if isinstance(b, float) and a is not None:
                    ok = abs(a - b) <= 1e-9 * max(1.0, abs(b))
                else:
                    ok = a == b
                mismatches += 0 if ok else 1
        log(f"spot check: {len(spot)} entities, {mismatches} mismatching values")

        # Warm up (registry cache, SQLite pages), then time.
        for _ in range(50):
            store.get_online_features(features=refs, entity_rows=[{"user_id": rng.choice(id_list)}])
        single = []
        for _ in range(args.single_repeats):
            rows = [{"user_id": rng.choice(id_list)}]
            t = time.perf_counter_ns()
            store.get_online_features(features=refs, entity_rows=rows).to_dict()
            single.append(time.perf_counter_ns() - t)
        log(f"1 x 10: {summarize(single)}")
        batch = []
        for _ in range(args.batch_repeats):
            rows = [{"user_id": u} for u in rng.sample(id_list, min(args.batch_size, len(id_list)))]
            t = time.perf_counter_ns()
            store.get_online_features(features=refs, entity_rows=rows).to_dict()
            batch.append(time.perf_counter_ns() - t)
        log(f"{args.batch_size} x 10: {summarize(batch)}")

        print(json.dumps({
            "tool": "feast_bench", "feast": feast.__version__, "python": platform.python_version(),
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "nproc": os.cpu_count(), "loadavg": [round(x, 2) for x in os.getloadavg()],
            "data": os.path.abspath(args.data), "events": events, "entities": entities,
            "apply_s": round(apply_s, 3),
            "materialize": {"seconds": round(mat_s, 2), "cpu_seconds": round(mat_cpu, 2),
                            "online_entities": online_entities,
                            "sqlite_rows": online_cells,
                            "online_rows_per_s": round(online_entities / mat_s, 1),
                            "events_per_s": round(events / mat_s, 1),
                            "online_rows_per_cpu_s": round(online_entities / mat_cpu, 1)},
            "spot_check": {"entities": len(spot), "mismatching_values": mismatches},
            "get_online_1x10": summarize(single),
            f"get_online_{args.batch_size}x10": summarize(batch),
        }))
        return 1 if mismatches else 0
    finally:
        if not args.keep:
            shutil.rmtree(repo, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

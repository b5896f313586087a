#!/usr/bin/env python3
"""Evidently's side of the drift benchmark, and the parity check of the run.

    evidently_drift.py PARQUET FSCTL_JSON RUNS

Loads the events (not timed), splits them into the two days, then times
Evidently's automatic stattest per feature plus dataset drift (get_stattest +
the test, as its DataDriftPreset does per column), RUNS times. Checks every
statistic against fsctl's JSON to 1e-6 and the verdicts, and prints one JSON
line: {"evidently_ms": [...], "evidently_cpu_ms": [...] (process CPU time,
user + system, all threads), "features": N, "agree": true}.
"""
import json
import sys
import time

import pandas as pd
import pyarrow.parquet as pq
from evidently.legacy.calculations.stattests.registry import get_stattest
from evidently.legacy.core import ColumnType

path, fs_json, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
df = pq.read_table(path).to_pandas()
ts = df["event_timestamp"]
split = pd.Timestamp("2025-11-16T00:00:00Z")
ref, cur = df[ts < split], df[ts >= split]
features = [f"f{i}" for i in range(7)] + [f"c{i}" for i in range(3)]
kinds = {f: ColumnType.Numerical if f.startswith("f") else ColumnType.Categorical for f in features}


def run():
    out = {}
    for f in features:
        r, c = ref[f].dropna(), cur[f].dropna()
        test = get_stattest(r, c, kinds[f], None)
        res = test(r, c, kinds[f], None)
        out[f] = (test.name, float(res.drift_score), bool(res.drifted))
    drifted = sum(v[2] for v in out.values())
    return out, drifted / len(features) >= 0.5


times, cpu = [], []
for _ in range(runs):
    t, c = time.perf_counter(), time.process_time()
    result, dataset = run()
    times.append((time.perf_counter() - t) * 1000)
    cpu.append((time.process_time() - c) * 1000)
ours = json.load(open(fs_json))
agree = ours["dataset_drift"] == dataset
for f in ours["features"]:
    m, s, d = result[f["feature"]]
    ok = f["method"] == m and abs(f["statistic"] - s) <= 1e-6 and f["drifted"] == d
    if not ok:
        print(f"mismatch {f['feature']}: fsctl {f['method']} {f['statistic']} {f['drifted']} / evidently {m} {s} {d}", file=sys.stderr)
    agree &= ok
print(json.dumps({"evidently_ms": [round(t, 1) for t in times], "evidently_cpu_ms": [round(t, 1) for t in cpu],
                  "features": len(features),
                  "reference_rows": len(ref), "current_rows": len(cur), "agree": agree}))
sys.exit(0 if agree else 1)

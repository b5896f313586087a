#!/usr/bin/env python3
"""Checks `fsctl stats --json` against an exact recomputation with pyarrow:
count, nulls, min, max exact; mean and std to 1e-9 relative; p50/p90/p99
within the sketch's relative error of the lower quantile sorted[floor(q(n-1))];
top values within the Misra-Gries bound.

    check.py FILE.parquet STATS.json
"""
import json
import sys
from collections import Counter

import numpy as np
import pyarrow.parquet as pq

table = pq.read_table(sys.argv[1])
stats = json.load(open(sys.argv[2]))
bad = []
for f in stats["features"]:
    col = table.column(f["feature"])
    nulls = col.null_count
    if f["count"] != len(col) - nulls or f["nulls"] != nulls:
        bad.append(f"{f['feature']}: count/nulls {f['count']}/{f['nulls']} vs {len(col) - nulls}/{nulls}")
    if f["type"] == "float64":
        v = np.sort(col.drop_null().to_numpy())
        if f["min"] != v[0] or f["max"] != v[-1]:
            bad.append(f"{f['feature']}: min/max")
        if abs(f["mean"] - v.mean()) > 1e-9 * max(1, abs(v.mean())) or abs(f["std"] - v.std(ddof=1)) > 1e-9 * v.std(ddof=1):
            bad.append(f"{f['feature']}: mean/std {f['mean']} {f['std']} vs {v.mean()} {v.std(ddof=1)}")
        for q in (50, 90, 99):
            exact = v[int(np.floor(q / 100 * (len(v) - 1)))]
            if abs(f[f"p{q}"] - exact) > f["quantile_relative_error"] * abs(exact) * (1 + 1e-12):
                bad.append(f"{f['feature']}: p{q} {f[f'p{q}']} vs {exact}")
    else:
        exact = Counter(col.drop_null().to_pylist())
        for t in f["top_values"]:
            true = exact[t["value"]]
            if not (t["count"] <= true <= t["count"] + f["top_values_error_bound"]):
                bad.append(f"{f['feature']}: top {t['value']} {t['count']} vs {true}")
if bad:
    sys.exit("check.py: fsctl stats disagrees with pyarrow:\n  " + "\n  ".join(bad))
print(f"check.py: {len(stats['features'])} features agree with the exact recomputation over {stats['events']} events")

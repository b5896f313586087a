#!/usr/bin/env python3
"""Drift benchmark data: EVENTS events of table drift_bench as Parquet.

Half the events on 2025-11-15 (reference), half on 2025-11-16 (current), where
f0-f3 and c0 are shifted: f1-f3 and c0 past the default thresholds, f0 just
below (4 of 10 features drift under auto: no dataset drift).

    gen.py --events N --out DIR     (writes DIR/drift_bench.parquet)
"""
import argparse
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

p = argparse.ArgumentParser()
p.add_argument("--events", type=int, required=True)
p.add_argument("--out", required=True)
a = p.parse_args()
n = a.events
half = n // 2
rng = np.random.default_rng(7)
day = 86_400_000_000
t0 = 1763164800000000  # 2025-11-15T00:00:00Z in µs
second = np.arange(n) >= half
ts = t0 + np.where(second, day, 0) + rng.integers(0, day, n)
cols = {"user_id": pa.array(np.arange(n) % 1_000_000, pa.int64()),
        "event_timestamp": pa.array(ts, pa.timestamp("us", tz="UTC"))}
for i in range(7):
    shift = 0.05 * (i + 1) if i < 4 else 0.0
    cols[f"f{i}"] = pa.array(np.round(rng.normal(10 * i, 1 + i, n) + np.where(second, shift * (1 + i), 0), 4))
cats = np.array([f"v{k}" for k in range(8)])
for i in range(3):
    pr = np.full(8, 1 / 8)
    idx = rng.choice(8, n, p=pr)
    if i == 0:
        alt = rng.choice(8, n, p=[.3, .2, .1, .1, .1, .1, .05, .05])
        idx = np.where(second, alt, idx)
    cols[f"c{i}"] = pa.array(cats[idx])
out = Path(a.out)
out.mkdir(parents=True, exist_ok=True)
pq.write_table(pa.table(cols), out / "drift_bench.parquet", row_group_size=1_000_000)
print(f"wrote {out / 'drift_bench.parquet'}: {n} events")

#!/usr/bin/env python3
"""Statistics benchmark data: EVENTS events of table stats_bench as Parquet,
spread uniformly over DAYS UTC days from 2025-11-01.

7 float64 features (normal, 5 % nulls in f0), 3 strings: c0 with 8 values,
c1 with 1,000 (Zipf-like), c2 with 200,000 (so Misra-Gries prunes).

    gen.py --events N --days D --out DIR     (writes DIR/stats_bench.parquet)
"""
import argparse
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

p = argparse.ArgumentParser()
p.add_argument("--events", type=int, required=True)
p.add_argument("--days", type=int, default=30)
p.add_argument("--out", required=True)
a = p.parse_args()
n = a.events
rng = np.random.default_rng(11)
day = 86_400_000_000
t0 = 1761955200000000  # 2025-11-01T00:00:00Z in µs
ts = np.sort(t0 + rng.integers(0, a.days * day, n))
cols = {"user_id": pa.array(np.arange(n) % 1_000_000, pa.int64()),
        "event_timestamp": pa.array(ts, pa.timestamp("us", tz="UTC"))}
for i in range(7):
    v = np.round(rng.normal(10 * i, 1 + i, n), 4)
    mask = (rng.random(n) < 0.05) if i == 0 else None
    cols[f"f{i}"] = pa.array(v, mask=mask)
for i, k in enumerate([8, 1000, 200_000]):
    idx = np.minimum((rng.pareto(1.2, n) * k / 20).astype(np.int64), k - 1) if i else rng.integers(0, k, n)
    cols[f"c{i}"] = pa.array(np.char.add("v", idx.astype(str)))
out = Path(a.out)
out.mkdir(parents=True, exist_ok=True)
pq.write_table(pa.table(cols), out / "stats_bench.parquet", row_group_size=1_000_000)
print(f"wrote {out / 'stats_bench.parquet'}: {n} events over {a.days} days")

#!/usr/bin/env python3
"""Writes the benchmark's feature-table files with pyarrow.

  gen.py OUTDIR [--rows N] [--seed S]

OUTDIR/features_{snappy,zstd,none}.parquet: the same N rows written with
pyarrow's defaults (dictionary on, 1 Mi rows per row group, 1 MiB pages,
data page v1) and compression snappy (pyarrow's default), zstd or none.
OUTDIR/meta.json: rows, the Arrow in-memory size (Table.nbytes: values,
validity bitmaps, string offsets) used as the MB of "MB/s", file sizes.

Columns (a feature table): entity_id int64 (unique), event_timestamp
timestamp[us, UTC], f0..f5 float64 (f1, f4: ~10% null), count int64 (0..999,
~10% null), category string (8 characters, 1000 distinct, ~10% null),
active bool (~10% null). Deterministic for a seed.
"""
import argparse
import json
import os
import random

import pyarrow as pa
import pyarrow.parquet as pq


def table(rows, seed):
    # Plain `random` (the test venv has no numpy); about 5 s for 1M rows.
    rng = random.Random(seed)

    def mask(frac=0.10):
        return pa.array([rng.random() < frac for _ in range(rows)], type=pa.bool_())

    day = 1_763_164_800_000_000  # 2025-11-15T00:00:00Z in µs
    ids = list(range(1_000_000, 1_000_000 + rows))
    rng.shuffle(ids)
    cols = {
        "entity_id": pa.array(ids, type=pa.int64()),
        "event_timestamp": pa.array([day + rng.randrange(86_400_000_000) for _ in range(rows)],
                                    type=pa.timestamp("us", tz="UTC")),
    }
    for k in range(6):
        scale = 10.0 ** k
        v = [rng.gauss(0.0, 1.0) * scale for _ in range(rows)]
        cols[f"f{k}"] = pa.array(v, type=pa.float64(), mask=mask() if k in (1, 4) else None)
    cols["count"] = pa.array([rng.randrange(1000) for _ in range(rows)], type=pa.int64(), mask=mask())
    vocab = [f"cat{k:05d}" for k in range(1000)]
    cols["category"] = pa.array([vocab[rng.randrange(1000)] for _ in range(rows)], type=pa.string(), mask=mask())
    cols["active"] = pa.array([rng.random() < 0.3 for _ in range(rows)], type=pa.bool_(), mask=mask())
    return pa.table(cols)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    t = table(a.rows, a.seed)
    files = {}
    for codec in ("snappy", "zstd", "none"):
        path = os.path.join(a.outdir, f"features_{codec}.parquet")
        if codec == "snappy":
            pq.write_table(t, path)  # pyarrow's defaults: snappy, dictionary
        else:
            pq.write_table(t, path, compression=codec)
        files[codec] = {"path": path, "bytes": os.path.getsize(path)}
    meta = {"rows": t.num_rows, "columns": t.num_columns, "arrow_nbytes": t.nbytes, "seed": a.seed,
            "pyarrow": pa.__version__, "files": files}
    with open(os.path.join(a.outdir, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(json.dumps(meta))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""pyarrow's side of the benchmark, single-threaded.

  pybench.py read FILE [--reps N]               pq.read_table(FILE, use_threads=False)
                                                and ParquetFile(FILE).iter_batches(use_threads=False)
  pybench.py write FILE OUT [--reps N] [--codec snappy|zstd|none]
                                                read FILE into memory (not timed), then
                                                pq.write_table(t, OUT, use_dictionary=True, compression=codec)

One JSON object per timed repetition, like ParquetBench's.
"""
import argparse
import json
import os
import time

import pyarrow as pa
import pyarrow.parquet as pq

# One thread for everything: compute/decoding pool and I/O pool.
pa.set_cpu_count(1)
pa.set_io_thread_count(1)


def timed(fn):
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w0, time.process_time() - c0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("op", choices=["read", "write"])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--codec", default="snappy")
    a = ap.parse_args()
    src = a.paths[0]
    base = {"tool": "pyarrow", "pyarrow": pa.__version__, "file": src}
    if a.op == "read":
        for _ in range(a.reps):
            t, s, c = timed(lambda: pq.read_table(src, use_threads=False))
            print(json.dumps(base | {"op": "read", "variant": "read_table", "file_bytes": os.path.getsize(src),
                                     "rows": t.num_rows, "seconds": s, "cpu_seconds": c}), flush=True)
            del t

            def batches():
                rows = n = 0
                for b in pq.ParquetFile(src).iter_batches(use_threads=False):
                    rows += b.num_rows
                    n += 1
                return rows, n
            (rows, n), s, c = timed(batches)
            print(json.dumps(base | {"op": "read", "variant": "iter_batches", "file_bytes": os.path.getsize(src),
                                     "rows": rows, "batches": n, "seconds": s, "cpu_seconds": c}), flush=True)
    else:
        out = a.paths[1]
        t = pq.read_table(src, use_threads=False)
        compression = None if a.codec == "none" else a.codec
        for _ in range(a.reps):
            _, s, c = timed(lambda: pq.write_table(t, out, use_dictionary=True, compression=compression))
            print(json.dumps(base | {"op": "write", "variant": a.codec, "out": out, "out_bytes": os.path.getsize(out),
                                     "rows": t.num_rows, "seconds": s, "cpu_seconds": c}), flush=True)


if __name__ == "__main__":
    main()

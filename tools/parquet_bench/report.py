#!/usr/bin/env python3
"""Summarises run.sh's JSON lines as a markdown table.

  report.py RESULTS.jsonl META.json

Per (codec, operation, implementation): samples, min and median seconds,
rows/s and MB/s at the min and at the median. "data MB" is the Arrow
in-memory size of the table (META arrow_nbytes: values, validity bitmaps,
string offsets), the same for every implementation and codec, so MB/s
compares like with like; "file MB/s" is the Parquet file read (or written)
per second. The last column is ours / pyarrow by median time (> 1: ours is
faster) against the matching pyarrow row.
"""
import json
import statistics
import sys


def main():
    rows_in = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
    meta = json.load(open(sys.argv[2]))
    data_mb = meta["arrow_nbytes"] / 1e6
    groups = {}
    for r in rows_in:
        if r.get("kind") == "machine":
            continue
        codec = r["file"].rsplit("_", 1)[-1].removesuffix(".parquet")
        key = (codec, r["op"], r["tool"], r["variant"])
        groups.setdefault(key, []).append(r)
    # The pyarrow row each of ours is compared with.
    peer = {"batch65536": "iter_batches", "group": "read_table"}

    def label(tool, variant):
        if tool == "pyarrow":
            return {"read_table": "pyarrow `read_table`", "iter_batches": "pyarrow `iter_batches` (64Ki)"}.get(variant, "pyarrow `write_table`")
        if variant.startswith("batch"):
            n = int(variant[5:])
            return "ours `ParquetReader` (64Ki batches)" if n == 65536 else "ours `ParquetReader` (one batch per row group)"
        return "ours `ParquetWriter`"

    def norm(variant):
        if variant.startswith("batch"):
            return "batch65536" if variant == "batch65536" else "group"
        return variant

    med = {}
    for (codec, op, tool, variant), rs in groups.items():
        med[(codec, op, tool, norm(variant))] = statistics.median(r["seconds"] for r in rs)
    print("| codec | op | implementation | runs | min s | median s | rows/s (min / median) | data MB/s (min / median) | file MB/s (median) | ours vs pyarrow (median) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    order = {"snappy": 0, "zstd": 1, "none": 2}
    for key in sorted(groups, key=lambda k: (order.get(k[0], 9), k[1], k[2] != "pyarrow", k[3])):
        codec, op, tool, variant = key
        rs = groups[key]
        secs = sorted(r["seconds"] for r in rs)
        lo, md = secs[0], statistics.median(secs)
        nrows = rs[0]["rows"]
        fbytes = statistics.median(r.get("file_bytes", r.get("out_bytes", 0)) for r in rs)
        ratio = ""
        if tool == "ours":
            if op == "read":
                p = med.get((codec, op, "pyarrow", peer[norm(variant)]))
            else:
                p = med.get((codec, op, "pyarrow", variant))
            if p:
                ratio = f"{p / md:.2f}× vs `{peer[norm(variant)] if op == 'read' else 'write_table'}`"
        print(f"| {codec} | {op} | {label(tool, variant)} | {len(secs)} | {lo:.3f} | {md:.3f} | "
              f"{nrows / lo / 1e6:.2f}M / {nrows / md / 1e6:.2f}M | {data_mb / lo:.0f} / {data_mb / md:.0f} | "
              f"{fbytes / 1e6 / md:.0f} | {ratio} |")
    for r in rows_in:
        if r.get("kind") == "machine":
            print(f"\n{r['when']}: {r['text']}")


if __name__ == "__main__":
    main()

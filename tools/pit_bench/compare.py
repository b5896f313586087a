#!/usr/bin/env python3
"""Checks that point-in-time outputs agree: same header, same rows in the same
order, same values.

  compare.py REFERENCE.csv OTHER.csv...

Every file is read as text and normalised before comparing: timestamps
(`2025-11-15T01:00:00Z`, DuckDB's `2025-11-15 01:00:00+00`) to µs, f0-f5 to
float64 (so `1e-05` and `1.0e-5` agree, but any other difference does not),
f6 f7 to int64, f9 to lower case; empty is null. Prints one JSON line and
exits 1 on the first disagreement, naming the row and column.
"""

import json
import sys

import polars as pl


def normalise(path):
    df = pl.read_csv(path, infer_schema=False)
    out = []
    for name in df.columns:
        c = pl.col(name)
        short = name.split("__")[-1]
        if name == "event_timestamp":
            c = (c.str.replace(r"(Z|\+00(:00)?)$", "").str.replace(" ", "T")
                 .str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", time_unit="us"))
        elif name == "user_id" or short in ("f6", "f7"):
            c = c.cast(pl.Int64)
        elif short in ("f0", "f1", "f2", "f3", "f4", "f5"):
            c = c.cast(pl.Float64)
        elif short == "f9":
            c = c.str.to_lowercase()
        out.append(c.alias(name))
    return df.select(out)


def main():
    ref_path, *others = sys.argv[1:]
    ref = normalise(ref_path)
    report = {"reference": ref_path, "rows": ref.height, "columns": ref.width, "agree": []}
    for path in others:
        df = normalise(path)
        if df.columns != ref.columns:
            print(json.dumps({**report, "error": f"{path}: columns {df.columns} != {ref.columns}"}))
            sys.exit(1)
        if df.height != ref.height:
            print(json.dumps({**report, "error": f"{path}: {df.height} rows, reference has {ref.height}"}))
            sys.exit(1)
        for name in ref.columns:
            a, b = ref[name], df[name]
            same = (a == b) | (a.is_null() & b.is_null())
            same = same.fill_null(False)
            if not same.all():
                row = int((~same).arg_max())
                print(json.dumps({**report, "error": f"{path}: row {row + 1} column {name}: "
                                  f"{a[row]!r} (reference) != {b[row]!r}"}, default=str))
                sys.exit(1)
        report["agree"].append(path)
    print(json.dumps(report))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Parquet interop oracle for Tests/TabularTests/ParquetInteropTests.swift.

  parquet_interop.py fixtures OUTDIR   write Parquet files with pyarrow, polars
                                       and DuckDB, plus OUTDIR/manifest.json:
                                       for each file the schema to read it with
                                       and the expected cells
  parquet_interop.py read TOOL FILE    read FILE with pyarrow|polars|duckdb and
                                       print {"columns": [...], "rows": [[cell]]}
  parquet_interop.py stats FILE        row group 0's statistics as pyarrow reads them

Cells are canonical text so Swift can compare exactly: null; "true"/"false";
integers in decimal; floats as repr() of the double ("nan", "inf", "-inf");
timestamps as UTC microseconds (nanoseconds floored); bytes as "hex:..";
vectors as lists of float cells.
"""
import datetime as dt
import json
import math
import os
import sys

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq


# ---------------------------------------------------------------- canonical cells

def float_cell(x):
    if x is None:
        return None
    x = float(x)
    if math.isnan(x):
        return "nan"
    return repr(x)


def canonical_column(col):
    """An Arrow (chunked) array as a list of canonical cells."""
    t = col.type
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    if pa.types.is_timestamp(t):
        raw = pc.cast(col, pa.int64()).to_pylist()
        scale = {"s": ("mul", 1_000_000), "ms": ("mul", 1000), "us": ("mul", 1), "ns": ("div", 1000)}[t.unit]
        out = []
        for v in raw:
            if v is None:
                out.append(None)
            elif scale[0] == "mul":
                out.append(str(v * scale[1]))
            else:
                out.append(str(v // scale[1]))
        return out
    if pa.types.is_date32(t):
        return [None if v is None else str(v * 86_400_000_000) for v in pc.cast(col, pa.int32()).to_pylist()]
    if pa.types.is_date64(t):
        return [None if v is None else str(v * 1000) for v in pc.cast(col, pa.int64()).to_pylist()]
    values = col.to_pylist()
    if pa.types.is_boolean(t):
        return [None if v is None else ("true" if v else "false") for v in values]
    if pa.types.is_integer(t):
        return [None if v is None else str(v) for v in values]
    if pa.types.is_floating(t):
        return [float_cell(v) for v in values]
    if pa.types.is_string(t) or pa.types.is_large_string(t) or str(t) == "string_view":
        return values
    if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t) or str(t) == "binary_view":
        return [None if v is None else "hex:" + bytes(v).hex() for v in values]
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t) or "list" in str(t):
        return [None if v is None else [float_cell(x) for x in v] for v in values]
    raise SystemExit(f"unsupported Arrow type {t}")


def canonical_table(table):
    cols = [canonical_column(table.column(i)) for i in range(table.num_columns)]
    return {"columns": table.column_names, "rows": [list(r) for r in zip(*cols)] if cols else []}


# ---------------------------------------------------------------- fixture data

UTC = dt.timezone.utc


def base_table(n=23):
    """Every SPEC type, nulls in every nullable column, edge values."""
    def maybe(i, v):
        return None if i % 5 == 3 else v

    ts_ns = [maybe(i, v) for i, v in enumerate(
        [(-1 if i == 0 else (1_700_000_000_123_456_789 + i * 1_000_001_001) * (-1 if i % 7 == 1 else 1)) for i in range(n)])]
    floats = [1.5, -0.0, float("inf"), float("-inf"), float("nan"), 3.4028234663852886e38, 1e-45, 0.1]
    strings = ["", "héllo", "日本語", "a,b\n\"c\"", "x" * 40, "plain"]
    cols = {
        "b": pa.array([maybe(i, i % 2 == 0) for i in range(n)], pa.bool_()),
        "i8": pa.array([maybe(i, [-128, 127, 0, 5][i % 4]) for i in range(n)], pa.int8()),
        "i16": pa.array([maybe(i, [-32768, 32767, 0, -7][i % 4]) for i in range(n)], pa.int16()),
        "i32": pa.array([maybe(i, [-2**31, 2**31 - 1, 0, i * 1000][i % 4]) for i in range(n)], pa.int32()),
        "i64": pa.array([maybe(i, [-2**63, 2**63 - 1, 0, i * 10**12][i % 4]) for i in range(n)], pa.int64()),
        "u8": pa.array([maybe(i, [0, 255, 7][i % 3]) for i in range(n)], pa.uint8()),
        "u16": pa.array([maybe(i, [0, 65535, 9][i % 3]) for i in range(n)], pa.uint16()),
        "u32": pa.array([maybe(i, [0, 2**32 - 1, 11][i % 3]) for i in range(n)], pa.uint32()),
        "f32": pa.array([maybe(i, floats[i % len(floats)]) for i in range(n)], pa.float32()),
        "f64": pa.array([maybe(i, [1.0 / (i + 1), -0.0, float("nan"), 1e308, -5e-324][i % 5]) for i in range(n)], pa.float64()),
        "s": pa.array([maybe(i, strings[i % len(strings)]) for i in range(n)], pa.string()),
        "bin": pa.array([maybe(i, bytes([i % 256, 0, 255])[: i % 4]) for i in range(n)], pa.binary()),
        "ts_ms": pa.array([maybe(i, v // 1_000_000 if v is not None else None) for i, v in enumerate(ts_ns)], pa.timestamp("ms")),
        "ts_us": pa.array([maybe(i, v // 1000 if v is not None else None) for i, v in enumerate(ts_ns)], pa.timestamp("us", tz="UTC")),
        "ts_ns": pa.array(ts_ns, pa.timestamp("ns")),
        "ts_ns_tz": pa.array(ts_ns, pa.timestamp("ns", tz="Europe/Paris")),
        "d": pa.array([maybe(i, -1000 + i * 377) for i in range(n)], pa.date32()),
        "vec": pa.array([maybe(i, [float(i), -1.5, 0.25 * i]) for i in range(n)], pa.list_(pa.float32())),
        "vec64": pa.array([maybe(i, [0.1 * i, 2.0, -3.0]) for i in range(n)], pa.list_(pa.float64())),
        "req": pa.array([i * 3 - 10 for i in range(n)], pa.int64()),
    }
    schema = pa.schema([pa.field(k, v.type, nullable=(k != "req")) for k, v in cols.items()])
    return pa.Table.from_arrays(list(cols.values()), schema=schema)


SWIFT_TYPES = {
    "b": "bool", "i8": "int32", "i16": "int32", "i32": "int32", "i64": "int64", "u8": "int32", "u16": "int32",
    "u32": "int64", "f32": "float32", "f64": "float64", "s": "string", "bin": "bytes", "ts_ms": "timestamp",
    "ts_us": "timestamp", "ts_ns": "timestamp", "ts_ns_tz": "timestamp", "d": "timestamp", "vec": "float32[3]",
    "vec64": "float32[3]", "req": "int64", "fvec": "float32[3]",
}


def expected_cells(table):
    doc = canonical_table(table)
    # Expected values are what the writer was given: float32 vectors hold
    # float32 values, float64 vectors are read as float32 (rounded).
    for ci, name in enumerate(doc["columns"]):
        if name == "vec64":
            for row in doc["rows"]:
                if row[ci] is not None:
                    row[ci] = [float_cell(pa.scalar(float(x), pa.float32()).as_py()) for x in row[ci]]
    return doc


def fixtures(out):
    os.makedirs(out, exist_ok=True)
    manifest = []
    table = base_table()

    def add(name, tbl, writer, **notes):
        path = os.path.join(out, name + ".parquet")
        writer(tbl, path)
        doc = expected_cells(tbl)
        manifest.append({"file": path, "name": name,
                         "schema": [[c, SWIFT_TYPES[c]] for c in doc["columns"]],
                         "rows": doc["rows"], **notes})

    # pyarrow: defaults, each codec, dictionary off, page v2, encodings, small pages and groups.
    add("pyarrow_default", table, lambda t, p: pq.write_table(t, p))
    for codec in ["none", "snappy", "zstd", "gzip"]:
        add(f"pyarrow_{codec}", table, lambda t, p, c=codec: pq.write_table(t, p, compression=c))
    add("pyarrow_nodict", table, lambda t, p: pq.write_table(t, p, use_dictionary=False))
    for codec in ["snappy", "zstd", "gzip", "none"]:
        add(f"pyarrow_v2_{codec}", table, lambda t, p, c=codec: pq.write_table(t, p, data_page_version="2.0", compression=c))
    add("pyarrow_v2_nodict", table, lambda t, p: pq.write_table(t, p, data_page_version="2.0", use_dictionary=False))
    ints = ["i8", "i16", "i32", "i64", "u8", "u16", "u32", "ts_ms", "ts_us", "ts_ns", "ts_ns_tz", "d", "req"]
    add("pyarrow_delta", table, lambda t, p: pq.write_table(
        t, p, use_dictionary=False,
        column_encoding={**{c: "DELTA_BINARY_PACKED" for c in ints}, "s": "DELTA_LENGTH_BYTE_ARRAY",
                         "bin": "DELTA_BYTE_ARRAY", "f32": "BYTE_STREAM_SPLIT", "f64": "BYTE_STREAM_SPLIT"}))
    add("pyarrow_delta_v2", table, lambda t, p: pq.write_table(
        t, p, use_dictionary=False, data_page_version="2.0", compression="zstd",
        column_encoding={**{c: "DELTA_BINARY_PACKED" for c in ints}, "s": "DELTA_BYTE_ARRAY", "bin": "DELTA_LENGTH_BYTE_ARRAY"}))
    add("pyarrow_small_pages", table, lambda t, p: pq.write_table(t, p, row_group_size=7, data_page_size=16,
                                                                   write_batch_size=3))
    add("pyarrow_int96", table, lambda t, p: pq.write_table(t, p, use_deprecated_int96_timestamps=True))
    # Format 1.0: converted types only (TIMESTAMP_MILLIS/MICROS, UTF8, INT_8, ...); no ns timestamps.
    add("pyarrow_v1_format", table.drop_columns(["ts_ns", "ts_ns_tz"]), lambda t, p: pq.write_table(t, p, version="1.0"))
    big = pa.concat_tables([table] * 400)  # 9200 rows: longer RLE runs and bit-packed runs
    add("pyarrow_big", big, lambda t, p: pq.write_table(t, p, row_group_size=4000))
    fixed = table.append_column("fvec", pa.array(
        [None if i % 5 == 3 else [1.0, float(i), -2.5] for i in range(table.num_rows)], pa.list_(pa.float32(), 3)))
    add("pyarrow_fixed_size_list", fixed, lambda t, p: pq.write_table(t, p))

    try:
        import polars as pl
        for codec in ["zstd", "snappy", "uncompressed", "gzip"]:
            add(f"polars_{codec}", table, lambda t, p, c=codec: pl.from_arrow(t).write_parquet(p, compression=c))
        add("polars_default", table, lambda t, p: pl.from_arrow(t).write_parquet(p))
        add("polars_nostats_small_groups", table, lambda t, p: pl.from_arrow(t).write_parquet(
            p, statistics=False, row_group_size=5, data_page_size=64))
    except ImportError:
        pass

    try:
        import duckdb

        def duck(options):
            def write(t, p):
                con = duckdb.connect()
                con.register("t", t)
                con.execute(f"COPY (SELECT * FROM t) TO '{p}' (FORMAT parquet{options})")
                con.close()
            return write
        add("duckdb_default", table, duck(""))
        add("duckdb_zstd", table, duck(", COMPRESSION zstd"))
        add("duckdb_uncompressed", table, duck(", COMPRESSION uncompressed"))
        add("duckdb_gzip", table, duck(", COMPRESSION gzip"))
        add("duckdb_small_groups", table, duck(", ROW_GROUP_SIZE 4"))
    except ImportError:
        pass

    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f)


# ---------------------------------------------------------------- reading

def read(tool, path):
    if tool == "pyarrow":
        table = pq.read_table(path)
    elif tool == "polars":
        import polars as pl
        table = pl.read_parquet(path).to_arrow()
    elif tool == "duckdb":
        import duckdb
        con = duckdb.connect()
        result = con.execute(f"SELECT * FROM read_parquet('{path}')")
        table = result.to_arrow_table() if hasattr(result, "to_arrow_table") else result.fetch_arrow_table()
    else:
        raise SystemExit(f"unknown tool {tool}")
    json.dump(canonical_table(table), sys.stdout)


def stats(path):
    """Per column of row group 0, as pyarrow reads the statistics: null count, min, max."""
    md = pq.ParquetFile(path).metadata.row_group(0)
    out = {}
    for i in range(md.num_columns):
        c = md.column(i)
        s = c.statistics
        if s is None:
            out[c.path_in_schema] = None
            continue
        def cell(v):
            if v is None:
                return None
            if isinstance(v, bool):
                return "true" if v else "false"
            if isinstance(v, float):
                return float_cell(v)
            if isinstance(v, bytes):
                return "hex:" + v.hex()
            if isinstance(v, dt.datetime):
                return str((v - dt.datetime(1970, 1, 1, tzinfo=v.tzinfo)) // dt.timedelta(microseconds=1))
            return str(v)
        out[c.path_in_schema] = {"null_count": s.null_count,
                                 "min": cell(s.min) if s.has_min_max else None,
                                 "max": cell(s.max) if s.has_min_max else None}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "fixtures":
        fixtures(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "stats":
        stats(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "read":
        read(sys.argv[2], sys.argv[3])
    else:
        raise SystemExit(__doc__)

#!/usr/bin/env python3
"""Summarise tools/model_bench/run.sh's JSON lines as Markdown tables:
best p50 / p99 over rounds for single rows, best rows/s for batches."""
import json
import sys
from collections import defaultdict

MODEL_OF_FORMAT = {"xgboost-json": "xgb_binary.json", "lightgbm-text": "lgb_binary.txt",
                   "linear-json": "linear_logreg.json"}


def main(path):
    lines = [json.loads(l) for l in open(path) if l.strip()]
    machine = next((l for l in lines if l["kind"] == "machine"), {})
    print(f"{machine.get('date', '?')}, {machine.get('cpu', '?')}, {machine.get('cores', '?')} cores, "
          f"load average at start {machine.get('load', '?')}\n")
    single = defaultdict(list)
    batch = defaultdict(list)
    load = {}
    foundation = {}
    for l in lines:
        model = l.get("model")
        if l["kind"] == "single":
            model = MODEL_OF_FORMAT.get(model, model)
            single[(model, l["side"], l["peer"])].append(l)
        elif l["kind"] == "batch":
            batch[(model, l["rows"], l["side"], l["peer"])].append(l)
        elif l["kind"] == "load":
            load[model] = min(load.get(model, 1e9), l["ms"])
        elif l["kind"] == "json":
            foundation[model] = min(foundation.get(model, 1e9), l["foundation_parse_ms"])
    models = ["xgb_binary.json", "lgb_binary.txt", "linear_logreg.json", "sk_logreg.onnx", "sk_mlp.onnx"]
    print("Single row (one call per row, each timed; best p50 / p99 over rounds, µs):\n")
    print("| model | ours p50 | ours p99 | peer | peer p50 | peer p99 | load (ms) |")
    print("| --- | ---: | ---: | --- | ---: | ---: | ---: |")
    for m in models:
        ours = [v for k, v in single.items() if k[0] == m and k[1] == "swift"]
        peer = [(k[2], v) for k, v in single.items() if k[0] == m and k[1] == "python"]
        if not ours or not peer:
            continue
        o = ours[0]
        pname, p = peer[0]
        print(f"| {m} | {min(x['p50_us'] for x in o):.2f} | {min(x['p99_us'] for x in o):.2f} | {pname} | "
              f"{min(x['p50_us'] for x in p):.2f} | {min(x['p99_us'] for x in p):.2f} | {load.get(m, float('nan')):.2f} |")
    for m, ms in foundation.items():
        print(f"\n{m}: ModelFormats load (parse + compile) {load[m]:.2f} ms; Foundation JSONSerialization parse alone {ms:.2f} ms")
    print("\nBatch, 2 threads (best over rounds; rows/s by wall clock, and µs of process CPU per row):\n")
    print("| model | rows | ours rows/s | ours CPU µs/row | peer | peer rows/s | peer CPU µs/row |")
    print("| --- | ---: | ---: | ---: | --- | ---: | ---: |")
    for m in models:
        for rows in sorted({k[1] for k in batch if k[0] == m}):
            ours = [v for k, v in batch.items() if k[0] == m and k[1] == rows and k[2] == "swift"]
            peer = [(k[3], v) for k, v in batch.items() if k[0] == m and k[1] == rows and k[2] == "python"]
            if not ours or not peer:
                continue
            o = ours[0]
            pname, p = peer[0]
            print(f"| {m} | {rows} | {max(x['rows_per_s'] for x in o):,.0f} | {min(x['cpu_seconds'] for x in o) / rows * 1e6:.2f} | "
                  f"{pname} | {max(x['rows_per_s'] for x in p):,.0f} | {min(x['cpu_seconds'] for x in p) / rows * 1e6:.2f} |")


if __name__ == "__main__":
    main(sys.argv[1])

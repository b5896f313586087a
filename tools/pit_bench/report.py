#!/usr/bin/env python3
"""Summarises run.sh's results.jsonl as a Markdown table: per tool, the
minimum and median of the wall times and of the peak RSS over the rounds."""

import json
import statistics
import sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
case = rows[0]["case"] if rows else "?"
labels = list(dict.fromkeys(r["label"] for r in rows))
ours = [r["seconds"] for r in rows if r["label"] == "featurestore"]
print(f"\ncase {case}: {len(rows)} runs, load average {min(float(r['loadavg']) for r in rows)}–"
      f"{max(float(r['loadavg']) for r in rows)}\n")
print("| tool | runs | wall min | wall median | peak RSS min–max | peak RssAnon | vs FeatureStore (median) |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for label in labels:
    rs = [r for r in rows if r["label"] == label]
    s = [r["seconds"] for r in rs]
    rss = [r["max_rss_mb"] for r in rs]
    anon = [r["peak_anon_mb"] for r in rs if "peak_anon_mb" in r]
    ratio = statistics.median(s) / statistics.median(ours) if ours else float("nan")
    print(f"| {label} | {len(s)} | {min(s):.2f} s | {statistics.median(s):.2f} s | {min(rss)}–{max(rss)} MB | "
          f"{(str(max(anon)) + ' MB') if anon else '—'} | {ratio:.2f}× |")

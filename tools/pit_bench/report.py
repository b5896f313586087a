#!/usr/bin/env python3
"""Summarises run.sh's results.jsonl as Markdown: per tool, the minimum and
median over the rounds of the wall time, of the CPU time (user + system, all
threads, same span) and of the peak RSS (ru_maxrss); FeatureStore's peaks of
RssAnon and RssFile (sampled); then, per round, DuckDB's and polars' wall
and CPU time divided by FeatureStore's (same round, same load), for the
store as ingested and for its compacting copy."""

import json
import statistics
import sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
case = rows[0]["case"] if rows else "?"
labels = list(dict.fromkeys(r["label"] for r in rows))


def span(values, fmt):
    return f"{fmt(min(values))} / {fmt(statistics.median(values))}" if values else "—"


print(f"\ncase {case}: {len(rows)} runs, load average {min(float(r['loadavg']) for r in rows)}–"
      f"{max(float(r['loadavg']) for r in rows)}\n")
print("| tool | runs | wall min / median | CPU min / median | peak RSS min / median | RssAnon peak | RssFile peak |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for label in labels:
    rs = [r for r in rows if r["label"] == label]
    wall = [r["seconds"] for r in rs]
    cpu = [r["cpu_seconds"] for r in rs if "cpu_seconds" in r]
    rss = [r["max_rss_mb"] for r in rs]
    anon = [r["peak_anon_mb"] for r in rs if "peak_anon_mb" in r]
    file = [r["peak_file_mb"] for r in rs if "peak_file_mb" in r]
    print(f"| {label} | {len(rs)} | {span(wall, lambda x: f'{x:.2f} s')} | {span(cpu, lambda x: f'{x:.2f} s')} | "
          f"{span(rss, lambda x: f'{x:.0f} MB')} | {(str(max(anon)) + ' MB') if anon else '—'} | "
          f"{(str(max(file)) + ' MB') if file else '—'} |")

# Per round, each other tool against each FeatureStore variant (the store as
# ingested, and its compacting copy).
references = [l for l in labels if l.startswith("featurestore") and l != "featurestore baseline"]
others = [l for l in labels if not l.startswith("featurestore")]
for reference in references:
    ours = {r["run"]: r for r in rows if r["label"] == reference}
    print(f"\nPer round, other tool ÷ {reference} (wall; CPU):\n")
    print("| round | load | " + " | ".join(others) + " |")
    print("| --- | --- | " + " | ".join("---" for _ in others) + " |")
    for run in sorted(ours):
        cells = []
        for label in others:
            r = next((x for x in rows if x["label"] == label and x["run"] == run), None)
            if r is None:
                cells.append("—")
                continue
            w = r["seconds"] / ours[run]["seconds"]
            c = (f"{r['cpu_seconds'] / ours[run]['cpu_seconds']:.2f}×"
                 if "cpu_seconds" in r and ours[run].get("cpu_seconds") else "—")
            cells.append(f"{w:.2f}×; {c}")
        print(f"| {run} | {ours[run]['loadavg']} | " + " | ".join(cells) + " |")

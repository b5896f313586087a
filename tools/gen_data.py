#!/usr/bin/env python3
"""Deterministic data for FeatureStore's demo, tests and benchmarks.

Standard library only (Parquet is written too when pyarrow happens to be
importable). The same --seed always gives byte-identical files.

  gen_data.py demo  [--out DIR] [--date YYYY-MM-DD] [--users N] [--seed S] [--drift]
      A realistic day of events for examples/features.yaml:
        user_stats.csv / .jsonl        daily aggregates (1-3 events per user)
        user_activity.csv / .jsonl     activity snapshots (1-6 events per user)
        user_stats_bad_value.csv       one unparsable value (line 43, column age)
        user_stats_bad_expect.csv      one value outside its expect bounds
        entities.csv                   user_id, event_timestamp, churned: rows to look up / export

  gen_data.py bench --entities N --events-per-entity K [--out DIR] [--seed S]
      bench_stats.csv for examples/bench.yaml (user_id, event_timestamp,
      created_timestamp, f0..f9), K events per entity at distinct times, and
      bench_stats.parquet with the same rows when pyarrow is importable.

Timestamps are ISO-8601 UTC: 2025-11-15T01:00:00Z or 2025-11-15T01:00:00.123456Z.
"""

import argparse
import datetime as dt
import json
import math
import operator
import os
import random
import sys
import time

DEFAULT_DATE = "2025-11-15"


# --------------------------------------------------------------------------
# timestamps


def day_start(date_text):
    try:
        d = dt.date.fromisoformat(date_text)
    except ValueError:
        sys.exit(f"gen_data.py: --date: expected YYYY-MM-DD, got {date_text!r}")
    return int(dt.datetime(d.year, d.month, d.day, tzinfo=dt.timezone.utc).timestamp())


def iso(seconds, micros=0):
    """UTC seconds (+ microseconds) as 2025-11-15T01:00:00[.123456]Z."""
    text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    return f"{text}.{micros:06d}Z" if micros else text + "Z"


class SecondTable:
    """Formatted timestamps for every second of a span, built once: turning a
    second into text is then one list index, which keeps 10M rows fast."""

    def __init__(self, start, seconds):
        self.start = start
        self.text = []
        day = start
        while len(self.text) < seconds:
            prefix = time.strftime("%Y-%m-%dT", time.gmtime(day))
            self.text.extend(
                f"{prefix}{h:02d}:{m:02d}:{s:02d}Z" for h in range(24) for m in range(60) for s in range(60)
            )
            day += 86400
        del self.text[seconds:]


# --------------------------------------------------------------------------
# demo: a day of events for examples/features.yaml

COUNTRIES = ["US", "DE", "FR", "GB", "IN", "BR", "JP", "ES", "NL", "SE", "CA", "PL"]
COUNTRY_WEIGHTS = [30, 12, 9, 9, 8, 7, 6, 5, 4, 3, 4, 3]
REGION_OF = {"US": 1, "CA": 1, "BR": 2, "IN": 3, "JP": 3}  # everything else: Europe


def fmt_float(x):
    """Shortest round-trip text of a float, as the store writes floats."""
    return repr(float(x))


def csv_field(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return fmt_float(v)
    if isinstance(v, list):
        return '"[' + ",".join(fmt_float(x) for x in v) + ']"'
    s = str(v)
    if any(c in s for c in ',"\n\r'):
        return '"' + s.replace('"', '""') + '"'
    return s


def write_table(path_base, columns, rows):
    """Writes rows (dicts) as CSV and JSONL. Vectors in CSV are a quoted
    bracketed list: "[0.1,0.2]"; in JSONL a JSON array."""
    with open(path_base + ".csv", "w", newline="") as f:
        f.write(",".join(columns) + "\n")
        f.write("".join(",".join(csv_field(r.get(c)) for c in columns) + "\n" for r in rows))
    with open(path_base + ".jsonl", "w") as f:
        f.write("".join(json.dumps({c: r.get(c) for c in columns}, separators=(",", ":")) + "\n" for r in rows))


def event_times(rng, start, count, first_hour=0.0):
    """`count` distinct event times in the day, sorted, with microseconds on
    about half of them (exports and CSVs from real systems mix both)."""
    seen = set()
    out = []
    while len(out) < count:
        sec = start + int(first_hour * 3600 + rng.random() * (86400 - first_hour * 3600))
        micros = rng.randrange(1, 1_000_000) if rng.random() < 0.5 else 0
        if (sec, micros) in seen:
            continue
        seen.add((sec, micros))
        out.append((sec, micros))
    out.sort()
    return out


def gen_demo(args):
    rng = random.Random(args.seed)
    start = day_start(args.date)
    os.makedirs(args.out, exist_ok=True)

    stats_rows, activity_rows = [], []
    profiles = []
    for user in range(1, args.users + 1):
        country = rng.choices(COUNTRIES, COUNTRY_WEIGHTS)[0]
        # --drift: an older, less premium, lower-credit population (the demo's drift day).
        age = min(80.0, max(18.0, round(rng.gauss(49 if args.drift else 37, 12), 1)))
        premium = rng.random() < (0.04 if args.drift else 0.15)
        purchases = int(rng.expovariate(1 / (12 if premium else 4)))
        credit = min(850.0, max(300.0, round(rng.gauss(620 if args.drift else 690, 70), 0)))
        embedding = [round(rng.gauss(0, 1), 4) for _ in range(8)]
        engagement = rng.lognormvariate(3.0, 0.9)  # minutes/day, long-tailed
        profiles.append((user, country, engagement))

        # user_stats: a daily aggregate, recomputed 1-3 times during the day.
        n_stats = rng.choices([1, 2, 3], [70, 22, 8])[0]
        for sec, micros in event_times(rng, start, n_stats, first_hour=1.0):
            purchases += rng.choices([0, 1, 2], [80, 15, 5])[0]
            row = {
                "user_id": user,
                "event_timestamp": iso(sec, micros),
                "created_timestamp": iso(sec + rng.randrange(60, 900), rng.randrange(0, 1_000_000)),
                "age": None if rng.random() < 0.04 else age,
                "num_purchases": purchases,
                "country": None if rng.random() < 0.01 else country,
                "is_premium": premium,
                "embedding": None if rng.random() < 0.03 else embedding,
                "credit_score": None if rng.random() < 0.08 else credit,
                "region": REGION_OF.get(country, 4),
            }
            stats_rows.append(row)

        # user_activity: snapshots of a rolling window, 1-6 per user.
        n_act = min(6, 1 + int(rng.expovariate(0.6)))
        logins = max(0, int(rng.gauss(engagement / 6, 2)))
        minutes = 0.0
        for sec, micros in event_times(rng, start, n_act):
            logins += rng.choices([0, 1, 2], [50, 40, 10])[0]
            minutes += round(rng.expovariate(1 / max(1.0, engagement / n_act)), 2)
            last = sec - rng.randrange(0, 4 * 3600)
            activity_rows.append({
                "user_id": user,
                "event_timestamp": iso(sec, micros),
                "created_timestamp": iso(sec + rng.randrange(30, 600)),
                "logins_7d": logins,
                "last_login": None if rng.random() < 0.02 else iso(max(start - 6 * 86400, last)),
                "minutes_active": None if rng.random() < 0.05 else round(minutes, 2),
            })

    # Files are in event-time order, as a day's export would be.
    stats_rows.sort(key=lambda r: (r["event_timestamp"], r["user_id"]))
    activity_rows.sort(key=lambda r: (r["event_timestamp"], r["user_id"]))
    stats_cols = ["user_id", "event_timestamp", "created_timestamp", "age", "num_purchases", "country",
                  "is_premium", "embedding", "credit_score", "region"]
    activity_cols = ["user_id", "event_timestamp", "created_timestamp", "logins_7d", "last_login",
                     "minutes_active"]
    write_table(os.path.join(args.out, "user_stats"), stats_cols, stats_rows)
    write_table(os.path.join(args.out, "user_activity"), activity_cols, activity_rows)

    # Bad files: the first 50 rows, with one broken value on line 43 (the
    # header is line 1, so data row 42).
    bad = [dict(r) for r in stats_rows[:50]]
    bad[41]["age"] = "abc"
    write_table(os.path.join(args.out, "user_stats_bad_value"), stats_cols, bad)
    os.remove(os.path.join(args.out, "user_stats_bad_value.jsonl"))
    bad = [dict(r) for r in stats_rows[:50]]
    bad[9]["credit_score"] = 900.0  # expect: max 850; line 11
    write_table(os.path.join(args.out, "user_stats_bad_expect"), stats_cols, bad)
    os.remove(os.path.join(args.out, "user_stats_bad_expect.jsonl"))

    # Entities to look up or export: some users at times through the day,
    # with a label that passes through an export unchanged.
    with open(os.path.join(args.out, "entities.csv"), "w") as f:
        f.write("user_id,event_timestamp,churned\n")
        picks = sorted(rng.sample(profiles, min(200, len(profiles))))
        for user, _, engagement in picks:
            sec = start + rng.randrange(3600, 86400 + 3600)
            churn_p = 1 / (1 + math.exp((engagement - 15) / 8))
            f.write(f"{user},{iso(sec)},{'true' if rng.random() < churn_p else 'false'}\n")

    print(json.dumps({
        "out": args.out, "date": args.date, "users": args.users,
        "user_stats_rows": len(stats_rows), "user_activity_rows": len(activity_rows),
        "bad_value_file": os.path.join(args.out, "user_stats_bad_value.csv"),
        "bad_expect_file": os.path.join(args.out, "user_stats_bad_expect.csv"),
    }))


# --------------------------------------------------------------------------
# bench: bench_stats for examples/bench.yaml


def gen_bench(args):
    n, k = args.entities, args.events_per_entity
    if n < 1 or k < 1:
        sys.exit("gen_data.py bench: --entities and --events-per-entity must be >= 1")
    rng = random.Random(args.seed)
    start = day_start(args.date)
    os.makedirs(args.out, exist_ok=True)
    csv_path = os.path.join(args.out, "bench_stats.csv")

    # Event j of every entity lies in slot j of the span, so an entity's K
    # events have distinct times; created_timestamp is 1-600 s later.
    span = max(86400, 2 * k)
    slot = span // k
    max_delay = 600
    seconds = SecondTable(start, span + max_delay + 1).text

    # Feature values come from two pools of pre-formatted halves (f0-f4 and
    # f5-f9): 2 random picks per row instead of 10, 4 billion combinations.
    def half_a():
        return ",".join(fmt_float(round(rng.gauss(mu, sd), 6)) for mu, sd in
                        ((0, 1), (50, 10), (0.5, 0.25), (1000, 300), (-3, 2)))

    letters = "abcdefghijklmnopqrstuvwxyz0123456789"

    def half_b():
        f5 = fmt_float(round(rng.expovariate(0.1), 4))
        f6 = str(int(rng.expovariate(1 / 20)))
        f7 = str(rng.randrange(-(1 << 40), 1 << 40))
        f8 = "".join(rng.choice(letters) for _ in range(8))
        f9 = "true" if rng.random() < 0.3 else "false"
        return ",".join((f5, f6, f7, f8, f9))

    pool_a = [half_a() for _ in range(1 << 16)]
    pool_b = [half_b() for _ in range(1 << 16)]
    delays = list(range(1, max_delay + 1))

    header = "user_id,event_timestamp,created_timestamp," + ",".join(f"f{i}" for i in range(10)) + "\n"
    chunk = 200_000
    t0 = time.time()
    rows = 0
    rnd = rng.random
    with open(csv_path, "w", buffering=1 << 22) as f:
        f.write(header)
        for j in range(k):
            base = j * slot
            for lo in range(1, n + 1, chunk):
                hi = min(n + 1, lo + chunk)
                m = hi - lo
                ids = map(str, range(lo, hi))
                ev = [base + int(rnd() * slot) for _ in range(m)]
                cr = list(map(operator.add, ev, rng.choices(delays, k=m)))
                fa = rng.choices(pool_a, k=m)
                fb = rng.choices(pool_b, k=m)
                lines = map(",".join, zip(ids, map(seconds.__getitem__, ev), map(seconds.__getitem__, cr), fa, fb))
                f.write("\n".join(lines))
                f.write("\n")
                rows += m
    csv_seconds = time.time() - t0

    result = {"csv": csv_path, "rows": rows, "entities": n, "events_per_entity": k,
              "first_event": seconds[0], "last_event_bound": seconds[min(len(seconds) - 1, span)],
              "csv_seconds": round(csv_seconds, 2)}
    if not args.no_parquet:
        parquet = write_parquet(csv_path, os.path.join(args.out, "bench_stats.parquet"))
        if parquet:
            result.update(parquet)
    print(json.dumps(result))


def write_parquet(csv_path, parquet_path):
    """Converts the CSV to Parquet with pyarrow, streaming, if pyarrow exists.
    Timestamps become timestamp[us, UTC], as pandas would write them."""
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq
    except ImportError:
        return None
    t0 = time.time()
    types = {"user_id": pa.int64(), "event_timestamp": pa.timestamp("us", tz="UTC"),
             "created_timestamp": pa.timestamp("us", tz="UTC")}
    types.update({f"f{i}": pa.float64() for i in range(6)})
    types.update({"f6": pa.int64(), "f7": pa.int64(), "f8": pa.string(), "f9": pa.bool_()})
    reader = pacsv.open_csv(csv_path, read_options=pacsv.ReadOptions(block_size=1 << 24),
                            convert_options=pacsv.ConvertOptions(column_types=types))
    with pq.ParquetWriter(parquet_path, reader.schema) as writer:
        for batch in reader:
            writer.write_batch(batch)
    return {"parquet": parquet_path, "parquet_seconds": round(time.time() - t0, 2)}


# --------------------------------------------------------------------------


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    d = sub.add_parser("demo", help="a day of events for examples/features.yaml")
    d.add_argument("--out", default="demo-output/data")
    d.add_argument("--date", default=DEFAULT_DATE, help="the day, UTC (default %(default)s)")
    d.add_argument("--users", type=int, default=3000)
    d.add_argument("--seed", type=int, default=1)
    d.add_argument("--drift", action="store_true",
                   help="shift user_stats (older users, fewer premium, lower credit): a day with drift")
    b = sub.add_parser("bench", help="bench_stats for examples/bench.yaml")
    b.add_argument("--entities", type=int, required=True)
    b.add_argument("--events-per-entity", type=int, default=1)
    b.add_argument("--out", default="bench-data")
    b.add_argument("--date", default=DEFAULT_DATE, help="first day, UTC (default %(default)s)")
    b.add_argument("--seed", type=int, default=1)
    b.add_argument("--no-parquet", action="store_true", help="skip Parquet even if pyarrow is there")
    args = p.parse_args()
    gen_demo(args) if args.command == "demo" else gen_bench(args)


if __name__ == "__main__":
    main()

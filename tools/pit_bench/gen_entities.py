#!/usr/bin/env python3
"""Entity rows for the point-in-time benchmark: user_id, event_timestamp, label.

  gen_entities.py --rows N --users U [--seed S] [--date YYYY-MM-DD] --out FILE

Users are uniform over 1..1.1*U (so about 10 % have no history in tables
made by `gen_data.py bench --entities U`), times uniform over the day of
--date ± 1 h in whole seconds, a quarter of them with microseconds; rows are
in random order (the join must restore it) and may repeat. The label is 0
or 1 and passes through the join unchanged. Standard library only,
deterministic for a seed.
"""

import argparse
import datetime as dt
import random
import time


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, required=True)
    p.add_argument("--users", type=int, required=True)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--date", default="2025-11-15")
    p.add_argument("--out", required=True)
    a = p.parse_args()
    rng = random.Random(a.seed)
    d = dt.date.fromisoformat(a.date)
    start = int(dt.datetime(d.year, d.month, d.day, tzinfo=dt.timezone.utc).timestamp()) - 3600
    span = 26 * 3600
    seconds = [time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(start + s)) for s in range(span)]
    max_user = a.users + a.users // 10
    with open(a.out, "w", buffering=1 << 22) as f:
        f.write("user_id,event_timestamp,label\n")
        rnd, rr = rng.random, rng.randrange
        lines = []
        for _ in range(a.rows):
            s = seconds[int(rnd() * span)]
            ts = f"{s}.{rr(1, 1_000_000):06d}Z" if rnd() < 0.25 else s + "Z"
            lines.append(f"{rr(1, max_user + 1)},{ts},{1 if rnd() < 0.2 else 0}\n")
            if len(lines) >= 100_000:
                f.write("".join(lines))
                lines.clear()
        f.write("".join(lines))


if __name__ == "__main__":
    main()

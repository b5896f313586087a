#!/usr/bin/env python3
"""bench_stats.csv → Redis protocol on stdout, for `redis-cli --pipe`.

One hash per entity, `user:<user_id>`, holding f0..f9 as the CSV's text (a null is no field) (the
latest event per entity when there are several), so Redis serves the same
values `fsctl serve` does from its online table:

    tools/loadgen/redis_load.py bench-data/1000000x1/bench_stats.csv | redis-cli --pipe
"""

import csv
import sys


def resp(*parts):
    out = [f"*{len(parts)}\r\n".encode()]
    for p in parts:
        b = p.encode("utf-8")
        out.append(b"$%d\r\n%s\r\n" % (len(b), b))
    return b"".join(out)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: redis_load.py bench_stats.csv | redis-cli --pipe")
    latest = {}
    with open(sys.argv[1], newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        ts = header.index("event_timestamp")
        features = [i for i, name in enumerate(header) if name.startswith("f") and name[1:].isdigit()]
        names = [header[i] for i in features]
        for row in reader:
            key = row[0]
            # ISO-8601 UTC text of one format compares in time order.
            if key not in latest or row[ts] >= latest[key][0]:
                latest[key] = (row[ts], [row[i] for i in features])
    out = sys.stdout.buffer
    chunk = []
    for key, (_, values) in latest.items():
        args = ["HSET", "user:" + key]
        for name, v in zip(names, values):
            if v != "":  # null: no field, so HMGET answers nil as fsctl answers NULL_VALUE
                args += [name, v]
        if len(args) > 2:
            chunk.append(resp(*args))
        if len(chunk) == 10000:
            out.write(b"".join(chunk))
            chunk.clear()
    out.write(b"".join(chunk))


if __name__ == "__main__":
    main()

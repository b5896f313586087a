#!/usr/bin/env bash
# Side by side in one run: the store's online lookups, ingest and materialize
# (Swift) next to raw C mdb_get on the *same* store's `online` database.
#
#   1. bench-data/<N>x1/bench_stats.csv (tools/gen_data.py bench, the data Feast was measured on)
#   2. `fsbench build` (Benchmarks/, through the library; fsctl has no commands yet):
#      a store of N entities in a temp dir; ingest and materialize timed.
#      Done RUNS times (fresh store each); the first store is kept for lookups.
#   3. RUNS interleaved rounds of
#        fsbench lookup STORE      1x10 and 100x10 via OnlineQuery.read(entities:at:into:)
#        lmdb_get_bench STORE      raw C: begin+get+abort per lookup, 100 gets per txn
#      both: 200,000 random keys (xorshift64*) over all N per pass, min over passes.
#   4. `swift package benchmark --target StoreBenchmarks` on the same store (package-benchmark's view:
#      p50/p99 per call and mallocs).
#   5. A summary (min and median over rounds, ratio to C) on stdout and in OUT/summary.md.
#
# Usage: tools/bench_store.sh      (env: BENCH_ENTITIES=1000000 BENCH_RUNS=3 BENCH_PASSES=5
#                                        BENCH_OUT=bench-results/<stamp> BENCH_TMP=/tmp
#                                        BENCH_SKIP_PACKAGE=1 to skip step 4)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
entities=${BENCH_ENTITIES:-1000000}
runs=${BENCH_RUNS:-3}
passes=${BENCH_PASSES:-5}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=${BENCH_OUT:-bench-results/$stamp}
mkdir -p "$out"
out=$(cd "$out" && pwd)
tmp=$(mktemp -d "${BENCH_TMP:-/tmp}/bench-store.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

log() { echo "bench_store: $*" >&2; }

csv=$root/bench-data/${entities}x1/bench_stats.csv
make -s bench-data BENCH_ENTITIES="$entities" BENCH_EVENTS=1 >&2
make -s .build-c/lmdb_get_bench >&2
log "building fsbench (release)"
(cd Benchmarks && swift build -c release --product fsbench >&2)
fsbench=$root/Benchmarks/.build/release/fsbench

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "nproc: $(nproc)"
  lscpu | grep -E '^(Model name|Architecture|Thread|Core|Socket|L2|L3|Hypervisor)' || true
  echo "uptime: $(uptime)"
  echo "git: $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (dirty)')"
} > "$out/machine.txt"

store=$tmp/store
for i in $(seq 1 "$runs"); do
  dir=$tmp/build-$i
  [ "$i" = 1 ] && dir=$store
  log "build $i/$runs: fsbench build (ingest + materialize $entities rows)"
  "$fsbench" build "$dir" --csv "$csv" | tee -a "$out/build.jsonl" >&2
  [ "$i" = 1 ] || rm -rf "$dir"
done

for i in $(seq 1 "$runs"); do
  log "lookup round $i/$runs"
  "$fsbench" lookup "$store" --passes "$passes" | tee -a "$out/lookup.jsonl" >&2
  .build-c/lmdb_get_bench "$store" --passes "$passes" | tee -a "$out/c.jsonl" >&2
done

if [ -z "${BENCH_SKIP_PACKAGE:-}" ]; then
  log "swift package benchmark --target StoreBenchmarks (same store, same CSV)"
  (cd Benchmarks && FS_BENCH_STORE="$store" FS_BENCH_CSV="$csv" FS_BENCH_ENTITIES="$entities" FS_BENCH_TMP="$tmp" \
     swift package benchmark --target StoreBenchmarks --no-progress 2>&1) | tee "$out/package-benchmark.txt" >&2
fi

python3 - "$out" <<'EOF' | tee "$out/summary.md"
import json, statistics, sys
out = sys.argv[1]
def lines(name):
    with open(f"{out}/{name}") as f:
        return [json.loads(l) for l in f if l.startswith("{")]
build, ours, c = lines("build.jsonl"), lines("lookup.jsonl"), lines("c.jsonl")
def mm(xs): return min(xs), statistics.median(xs)
one, hundred = mm([r["one_ns_min"] for r in ours]), mm([r["hundred_ns_min"] for r in ours])
c1, c100 = mm([r["txn_per_get_ns_per_lookup"] for r in c]), mm([r["txn_per_100_ns_per_lookup"] for r in c])
ing = mm([r["ingest_rows_per_s"] for r in build])
mat = mm([r["materialize_events_per_s"] for r in build])
load = [r["loadavg_1m"] for r in ours + c]
print(f"rounds: {len(ours)} lookup, {len(build)} build; 1-min load average {min(load):.1f}-{max(load):.1f}\n")
print("| what | ours min / median | raw C min / median | ours / C (min) | target |")
print("| --- | --- | --- | --- | --- |")
print(f"| lookup 1 entity x 10 features | {one[0]/1000:.2f} / {one[1]/1000:.2f} us | {c1[0]/1000:.2f} / {c1[1]/1000:.2f} us | {one[0]/c1[0]:.2f}x | <= 2x C: {'met' if one[0] <= 2*c1[0] else 'NOT met'} |")
print(f"| lookup 100 entities x 10 features | {hundred[0]/1000:.1f} / {hundred[1]/1000:.1f} us | {c100[0]/1000:.1f} / {c100[1]/1000:.1f} us | {hundred[0]/c100[0]:.2f}x | - |")
def verdict(best, median, target):
    if median >= target: return "met (median)"
    if best >= target: return "met on the best run only"
    return "NOT met"
ib, mb = max(r["ingest_rows_per_s"] for r in build), max(r["materialize_events_per_s"] for r in build)
print(f"| ingest CSV (rows/s, best / median) | {ib:,} / {int(ing[1]):,} | - | - | >= 1M rows/s: {verdict(ib, ing[1], 1e6)} |")
print(f"| materialize (events/s, best / median) | {mb:,} / {int(mat[1]):,} | - | - | >= 2M rows/s: {verdict(mb, mat[1], 2e6)} |")
cpu_i = [r["rows"] / r["ingest_cpu_s"] for r in build]
cpu_m = [r["events_scanned"] / r["materialize_cpu_s"] for r in build]
print(f"\nper CPU-second (process CPU time): ingest {min(cpu_i):,.0f}-{max(cpu_i):,.0f} rows, materialize {min(cpu_m):,.0f}-{max(cpu_m):,.0f} events")
EOF
log "results in $out"

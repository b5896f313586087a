#!/usr/bin/env bash
# Side by side, same run: `fsctl serve` (release) and Debian's redis-server
# holding the same N entities x 10 features, measured by one load generator
# (tools/loadgen/loadgen.c) with the same connections, pipeline depth and keys.
#
#   1. bench-data/<N>x1/bench_stats.csv (tools/gen_data.py bench; make bench-data)
#   2. a store: fsctl init + apply examples/bench.yaml + ingest --to online
#   3. redis-server (installed with apt if missing) on a private port, no
#      persistence, loaded with one hash per entity (user:<id> f0..f9) through
#      tools/loadgen/redis_load.py | redis-cli --pipe
#   4. ROUNDS rounds; in each, for each scenario (single-entity lookups, and
#      100-entity batches), loadgen against both servers, alternating which
#      goes first. fs: GET_ONLINE of a prepared list; redis: HMGET per entity,
#      a batch being 100 HMGETs written as one pipeline.
#   5. results.jsonl, machine.txt and summary.md in OUT; the table on stdout
#      (median over rounds).
#
# Usage: tools/bench_serve.sh   (env: BENCH_ENTITIES=1000000 ROUNDS=3 RUN_SECONDS=10 WARMUP=2
#        CONNS=4 SINGLE_DEPTH=16 BATCH=100 BATCH_DEPTH=4 SERVE_THREADS= BENCH_OUT=bench-results/serve-<stamp>
#        BENCH_TMP=/tmp FSCTL_BIN=path to skip the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
entities=${BENCH_ENTITIES:-1000000}
rounds=${ROUNDS:-3}
seconds=${RUN_SECONDS:-10}
warmup=${WARMUP:-2}
conns=${CONNS:-4}
single_depth=${SINGLE_DEPTH:-16}
batch=${BATCH:-100}
batch_depth=${BATCH_DEPTH:-4}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=${BENCH_OUT:-bench-results/serve-$stamp}
mkdir -p "$out"
out=$(cd "$out" && pwd)
tmp=$(mktemp -d "${BENCH_TMP:-/tmp}/bench-serve.XXXXXX")
log() { echo "bench_serve: $*" >&2; }

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
  log "installing redis-server (apt)"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-tools >/dev/null
fi

csv=$root/bench-data/${entities}x1/bench_stats.csv
make -s bench-data BENCH_ENTITIES="$entities" BENCH_EVENTS=1 >&2
make -s .build-c/loadgen >&2
loadgen=$root/.build-c/loadgen
if [ -n "${FSCTL_BIN:-}" ]; then
  fsctl=$FSCTL_BIN    # a binary built elsewhere (the script's own check runs it on a debug build)
else
  log "building fsctl (release)"
  FEATURESTORE_UNCHECKED_EXCLUSIVITY=1 swift build -c release --product fsctl >&2
  fsctl=$root/.build/release/fsctl
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

log "store: ingest $entities entities into $tmp/store"
export FSCTL_STORE=$tmp/store
"$fsctl" init --quiet
"$fsctl" apply examples/bench.yaml --quiet
/usr/bin/time -f "fsctl ingest: %e s, max RSS %M KB" "$fsctl" ingest bench_stats "$csv" --to online --quiet 2>&1 >&2 | tee "$out/load.txt" >&2

redis_port=$(free_port)
log "redis-server on port $redis_port"
mkdir -p "$tmp/redis"
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$tmp/redis" \
  --daemonize no --logfile "$tmp/redis/log" &
pids+=($!)
for _ in $(seq 100); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
start=$(date +%s.%N)
python3 tools/loadgen/redis_load.py "$csv" | redis-cli -p "$redis_port" --pipe >&2
echo "redis load (redis_load.py | redis-cli --pipe): $(python3 -c "print(round($(date +%s.%N) - $start, 1))") s" | tee -a "$out/load.txt" >&2
keys=$(redis-cli -p "$redis_port" dbsize)
[ "$keys" = "$entities" ] || { log "redis holds $keys keys, expected $entities"; exit 1; }

serve_args=(serve --port 0 --quiet)
[ -n "${SERVE_THREADS:-}" ] && serve_args+=(--threads "$SERVE_THREADS")
"$fsctl" "${serve_args[@]}" > "$tmp/serve.out" 2> "$tmp/serve.err" &
pids+=($!)
for _ in $(seq 300); do grep -q '^serving ' "$tmp/serve.out" 2>/dev/null && break; sleep 0.1; done
fs_port=$(sed -n 's/^serving .*:\([0-9]*\)$/\1/p' "$tmp/serve.out")
[ -n "$fs_port" ] || { log "fsctl serve did not start: $(cat "$tmp/serve.err")"; exit 1; }
log "fsctl serve on port $fs_port"

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "nproc: $(nproc)"
  lscpu | grep -E '^(Model name|Architecture|Hypervisor)' || true
  echo "uptime before: $(uptime)"
  echo "redis: $(redis-server --version)"
  echo "git: $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (dirty)')"
  echo "entities: $entities; conns: $conns; single depth: $single_depth; batch: $batch x depth $batch_depth; seconds: $seconds (+$warmup warm-up); rounds: $rounds"
} > "$out/machine.txt"

run() {  # target scenario batch depth round
  local proto=$1 port=$2
  "$loadgen" --proto "$proto" --port "$port" --conns "$conns" --depth "$4" --batch "$3" --keys "$entities" \
    --seconds "$seconds" --warmup "$warmup" --seed "$5" --label "$6"
}
: > "$out/results.jsonl"
for r in $(seq 1 "$rounds"); do
  for scenario in single batch; do
    if [ "$scenario" = single ]; then b=1; d=$single_depth; else b=$batch; d=$batch_depth; fi
    order=(fs redis)
    [ $((r % 2)) = 0 ] && order=(redis fs)
    for target in "${order[@]}"; do
      port=$fs_port; [ "$target" = redis ] && port=$redis_port
      log "round $r/$rounds: $scenario ($b entities/request, depth $d, $conns conns) against $target"
      run "$target" "$port" "$b" "$d" "$r" "$scenario" | tee -a "$out/results.jsonl" >&2
    done
  done
done
echo "uptime after: $(uptime)" >> "$out/machine.txt"

python3 - "$out" <<'PY' | tee "$out/summary.md"
import json, statistics, sys
out = sys.argv[1]
rows = [json.loads(l) for l in open(f"{out}/results.jsonl")]
print(open(f"{out}/machine.txt").read().rstrip().replace("\n", "  \n"))
print()
print("| scenario | server | lookups/s | requests/s | p50 µs | p99 µs | p99.9 µs | missing values |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
ratio = {}
for scenario in ("single", "batch"):
    for target in ("fsctl", "redis"):
        rs = [r for r in rows if r["label"] == scenario and r["target"] == target]
        if not rs:
            continue
        med = lambda k: statistics.median(r[k] for r in rs)
        ratio[(scenario, target)] = (med("lookups_per_s"), med("p99_us"))
        b = rs[0]["batch"]
        print(f"| {'1 entity' if b == 1 else f'{b} entities'} × {rs[0]['conns']} conns × depth {rs[0]['depth']} | {target} "
              f"| {med('lookups_per_s'):,.0f} | {med('requests_per_s'):,.0f} | {med('p50_us'):.0f} | {med('p99_us'):.0f} "
              f"| {med('p999_us'):.0f} | {sum(r['missing_values'] for r in rs)} |")
print()
for scenario in ("single", "batch"):
    if (scenario, "fsctl") in ratio and (scenario, "redis") in ratio:
        (fl, fp), (rl, rp) = ratio[(scenario, "fsctl")], ratio[(scenario, "redis")]
        print(f"- {scenario}: fsctl/redis lookups/s = {fl / rl:.2f}x, p99 {fp:.0f} µs vs {rp:.0f} µs")
print(f"\nmedian of {len(rows) // 4} round(s); every run in results.jsonl")
PY

#!/usr/bin/env bash
# End-to-end predict over the wire (issue 7's target: p99 < 300 µs at 10k
# requests/s): `fsctl serve` (release) on the 1M-entity benchmark store
# (examples/bench.yaml) with a registered XGBoost model of 100 trees, depth 6
# (tools/score_bench/train.py, .venv), driven by tools/loadgen in predict
# mode: PREDICT of one random user_id per request, open loop at a fixed rate
# (latency from each request's scheduled send time to its reply).
#
#   1. bench-data/<N>x1/bench_stats.csv (make bench-data), the model (.venv)
#   2. a store: init, apply, ingest --to online, models register + alias
#   3. fsctl serve on a free port; ROUNDS runs of loadgen --mode predict
#   4. results.jsonl, machine.txt, summary.md in OUT; the table on stdout
#
# With FLOOR=1 (the default) each round also drives, at the same rate and
# with the same loadgen code, open-loop *lookups* against the same fsctl serve
# (GET_ONLINE of the model's table) and against redis-server holding the same
# entities (HMGET): the latency an idle server woken once per request costs
# on this machine, measured in the same run as PREDICT.
#
# Usage: tools/bench_predict.sh  (env: BENCH_ENTITIES=1000000 RATE=10000 ROUNDS=3
#        RUN_SECONDS=10 WARMUP=2 CONNS=4 BATCH=1 SERVE_THREADS= BENCH_OUT=bench-results/predict-<stamp>
#        BENCH_TMP=/tmp FSCTL_BIN=path to skip the release build, PY=.venv/bin/python, FLOOR=1)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
entities=${BENCH_ENTITIES:-1000000}
rate=${RATE:-10000}
rounds=${ROUNDS:-3}
seconds=${RUN_SECONDS:-10}
warmup=${WARMUP:-2}
conns=${CONNS:-4}
batch=${BATCH:-1}
py=${PY:-.venv/bin/python}
floor=${FLOOR:-1}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=${BENCH_OUT:-bench-results/predict-$stamp}
mkdir -p "$out"
out=$(cd "$out" && pwd)
tmp=$(mktemp -d "${BENCH_TMP:-/tmp}/bench-predict.XXXXXX")
log() { echo "bench_predict: $*" >&2; }

server=
redis=
cleanup() {
  if [ -n "$server" ]; then kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [ -n "$redis" ]; then kill -TERM "$redis" 2>/dev/null || true; wait "$redis" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

csv=$root/bench-data/${entities}x1/bench_stats.csv
make -s bench-data BENCH_ENTITIES="$entities" BENCH_EVENTS=1 >&2
make -s .build-c/loadgen .build-c/stall_probe >&2
loadgen=$root/.build-c/loadgen
probe=$root/.build-c/stall_probe
if [ -n "${FSCTL_BIN:-}" ]; then
  fsctl=$FSCTL_BIN
else
  log "building fsctl (release)"
  FEATURESTORE_UNCHECKED_EXCLUSIVITY=1 swift build -c release --product fsctl >&2
  fsctl=$root/.build/release/fsctl
fi

log "model: 100 trees, depth 6 (tools/score_bench/train.py)"
"$py" tools/score_bench/train.py "$tmp/xgb100.json"

log "store: ingest $entities entities into $tmp/store"
export FSCTL_STORE=$tmp/store
"$fsctl" init --quiet
"$fsctl" apply examples/bench.yaml --quiet
"$fsctl" ingest bench_stats "$csv" --to online --quiet
"$fsctl" models register bench --artifact "$tmp/xgb100.json" --format xgboost-json \
  --features bench_stats:f0,bench_stats:f1,bench_stats:f2,bench_stats:f3,bench_stats:f4,bench_stats:f5,bench_stats:f6,bench_stats:f7,bench_stats:f9 \
  --quiet >/dev/null
"$fsctl" models alias set bench production 1 --quiet >/dev/null

serve_args=(serve --port 0 --max-in-flight 1024)
[ -n "${SERVE_THREADS:-}" ] && serve_args+=(--threads "$SERVE_THREADS")
"$fsctl" "${serve_args[@]}" --quiet >"$tmp/serve.out" 2>"$tmp/serve.err" &
server=$!
port=
for _ in $(seq 300); do
  port=$(sed -n 's/^serving .*:\([0-9]*\)$/\1/p' "$tmp/serve.out" | head -1)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { cat "$tmp/serve.err" >&2; exit 1; }
log "fsctl serve on port $port (pid $server)"

if [ "$floor" = 1 ]; then
  if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
    log "installing redis-server (apt)"
    SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-tools >/dev/null
  fi
  redis_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  mkdir -p "$tmp/redis"
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$tmp/redis" \
    --daemonize no --logfile "$tmp/redis/log" &
  redis=$!
  for _ in $(seq 100); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  python3 tools/loadgen/redis_load.py "$csv" | redis-cli -p "$redis_port" --pipe >/dev/null
  keys=$(redis-cli -p "$redis_port" dbsize)
  [ "$keys" = "$entities" ] || { log "redis holds $keys keys, expected $entities"; exit 1; }
  log "redis-server on port $redis_port (pid $redis), $keys keys"
fi

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') x $(nproc)"
  echo "kernel: $(uname -r)"
  echo "fsctl: $fsctl"
  echo "command: RATE=$rate CONNS=$conns BATCH=$batch RUN_SECONDS=$seconds ROUNDS=$rounds tools/bench_predict.sh"
} >"$out/machine.txt"

: >"$out/results.jsonl"
for r in $(seq "$rounds"); do
  # The machine's own stalls of a running thread, just before the round (stall_probe.c).
  stalls=$("$probe" 3)
  echo "{\"label\":\"round $r\",${stalls#\{}" >>"$out/stalls.jsonl"
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  common=(--rate "$rate" --conns "$conns" --batch "$batch" --keys "$entities" --seconds "$seconds" --warmup "$warmup" --seed "$r")
  line=$(timeout $((seconds + warmup + 60)) "$loadgen" --proto fs --mode predict --model bench@production --port "$port" \
    "${common[@]}" --label "round $r")
  echo "${line%\}},\"loadavg_before\":\"$load\",\"loadavg_after\":\"$(cut -d' ' -f1-3 /proc/loadavg)\"}" | tee -a "$out/results.jsonl" >&2
  if [ "$floor" = 1 ]; then
    for target in fs redis; do
      p=$port; [ "$target" = redis ] && p=$redis_port
      load=$(cut -d' ' -f1-3 /proc/loadavg)
      line=$(timeout $((seconds + warmup + 60)) "$loadgen" --proto "$target" --port "$p" "${common[@]}" --label "round $r")
      echo "${line%\}},\"loadavg_before\":\"$load\",\"loadavg_after\":\"$(cut -d' ' -f1-3 /proc/loadavg)\"}" | tee -a "$out/floor.jsonl" >&2
    done
  fi
done

python3 - "$out" <<'EOF' | tee "$out/summary.md"
import json, statistics, sys
out = sys.argv[1]
rows = [json.loads(l) for l in open(f"{out}/results.jsonl")]
print("| round | offered req/s | answered req/s | p50 µs | p99 µs | p999 µs | max µs | from schedule: p50 / p99 / p999 µs | not COMPLETE | load avg (before → after) |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for r in rows:
    print(f"| {r['label']} | {r['rate']:.0f} | {r['requests_per_s']:.0f} | {r['p50_us']:.0f} | {r['p99_us']:.0f} | {r['p999_us']:.0f} | "
          f"{r['max_us']:.0f} | {r['sched_p50_us']:.0f} / {r['sched_p99_us']:.0f} / {r['sched_p999_us']:.0f} | {r['missing_values']} | "
          f"{r['loadavg_before']} → {r['loadavg_after']} |")
med = lambda k: statistics.median(r[k] for r in rows)
print(f"\nmedian over {len(rows)} rounds: p50 {med('p50_us'):.0f} µs, p99 {med('p99_us'):.0f} µs, p999 {med('p999_us'):.0f} µs "
      f"(from the schedule: p99 {med('sched_p99_us'):.0f} µs) at {med('requests_per_s'):.0f} req/s "
      f"(target: p99 < 300 µs at 10k req/s)")
EOF

if [ "$floor" = 1 ]; then
python3 - "$out" <<'EOF' | tee -a "$out/summary.md"
import json, statistics, sys
out = sys.argv[1]
rows = [json.loads(l) for l in open(f"{out}/floor.jsonl")]
print("\nThe machine's floor, same rate, same run: open-loop lookups (fsctl GET_ONLINE of bench_stats:*, redis HMGET f0..f9)\n")
print("| round | target | answered req/s | p50 µs | p99 µs | p999 µs | from schedule: p50 / p99 µs | missing values |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
for r in rows:
    print(f"| {r['label']} | {r['target']} | {r['requests_per_s']:.0f} | {r['p50_us']:.0f} | {r['p99_us']:.0f} | {r['p999_us']:.0f} | "
          f"{r['sched_p50_us']:.0f} / {r['sched_p99_us']:.0f} | {r['missing_values']} |")
for t in ("fsctl", "redis"):
    sel = [r for r in rows if r["target"] == t]
    if sel:
        print(f"\n{t} lookups, median over {len(sel)} rounds: p50 {statistics.median(r['p50_us'] for r in sel):.0f} µs, "
              f"p99 {statistics.median(r['p99_us'] for r in sel):.0f} µs")
EOF
fi

python3 - "$out" <<'EOF' | tee -a "$out/summary.md"
import json, sys
rows = [json.loads(l) for l in open(f"{sys.argv[1]}/stalls.jsonl")]
print("\nThe machine's stalls of one running thread, 3 s before each round (tools/loadgen/stall_probe.c):\n")
print("| round | gaps > 50 µs | gaps > 500 µs | time lost | longest |")
print("| --- | --- | --- | --- | --- |")
for r in rows:
    print(f"| {r['label']} | {r['gaps_over_50us']} | {r['gaps_over_500us']} | {r['lost_ms']:.1f} ms | {r['longest_us']:.0f} µs |")
EOF

#!/usr/bin/env bash
# `make demo`: a day in the life of a feature store, end to end with fsctl.
#
# Creates a fresh store in demo-output/store, applies examples/features.yaml,
# generates a day of events (yesterday, UTC, so that today's lookups are
# within the tables' TTL), ingests it, shows the refusals a user would hit,
# materializes, looks features up, exports training sets, registers models,
# and closes the loop: trains an XGBoost model on an exported training set
# (.venv, tools/demo_train.py), registers it, promotes it through a quality
# gate, scores a batch with it (fsctl score, prediction log), and serves it:
# fsctl serve in the background, predictions from the Python client.
#
# Environment: FSCTL (default .build/debug/fsctl), DEMO_DIR (default
# demo-output), DEMO_DATE (default yesterday, UTC, YYYY-MM-DD), PYTHON,
# VENV_PYTHON (default .venv/bin/python, with xgboost-cpu and scikit-learn).
# Any unexpected failure stops the demo with a non-zero exit; the expected
# failures are checked to exit with 1 and to say what the SPEC says they say.
set -Eeuo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

FSCTL=${FSCTL:-.build/debug/fsctl}
PYTHON=${PYTHON:-python3}
DEMO_DIR=${DEMO_DIR:-demo-output}
DAY=${DEMO_DATE:-$(date -u -d yesterday +%F)}
NEXT_DAY=$(date -u -d "$DAY + 1 day" +%F)
LATER=$(date -u -d "$DAY + 3 days" +%F)
STORE=$DEMO_DIR/store
DATA=$DEMO_DIR/data
export FSCTL_STORE=$STORE

if [[ ! -x $FSCTL ]]; then
    echo "demo: $FSCTL not found; run 'make build' first (or set FSCTL)" >&2
    exit 1
fi

bold=$'\e[1m' dim=$'\e[2m' reset=$'\e[0m'
[[ -t 1 ]] || bold='' dim='' reset=''
step=0
section() { step=$((step + 1)); printf '\n%s== %d. %s ==%s\n' "$bold" "$step" "$*" "$reset"; }
say() { printf '%s%s%s\n' "$dim" "$*" "$reset"; }
show() { printf '$ %s\n' "$*"; }
trap 'rc=$?; echo; echo "demo: FAILED in step $step (exit $rc)" >&2' ERR

# fs ARGS...: runs fsctl, echoing the command line; any failure stops the demo.
fs() {
    show "fsctl $*"
    "$FSCTL" "$@"
}

# fs_fails PATTERN... -- ARGS...: runs fsctl expecting exit code 1 and an
# error message containing every PATTERN (fixed strings).
fs_fails() {
    local patterns=()
    while [[ $1 != -- ]]; do patterns+=("$1"); shift; done
    shift
    show "fsctl $*"
    local out rc=0
    out=$("$FSCTL" "$@" 2>&1) || rc=$?
    printf '%s\n' "$out"
    if [[ $rc -ne 1 ]]; then
        echo "demo: expected exit code 1 from 'fsctl $*', got $rc" >&2
        return 1
    fi
    local p
    for p in "${patterns[@]}"; do
        if ! grep -qF -- "$p" <<<"$out"; then
            echo "demo: expected the message of 'fsctl $*' to contain '$p'" >&2
            return 1
        fi
    done
    say "(refused with exit code 1, as expected; the store is unchanged)"
}

FEATURES=user_stats:age,user_stats:country,user_activity:logins_7d

section "Create a fresh store in $STORE"
rm -rf "$STORE"
mkdir -p "$DEMO_DIR"
fs init "$STORE"

section "Apply the definitions (examples/features.yaml): the plan"
fs apply examples/features.yaml

section "Apply the same file again: nothing changes"
fs apply examples/features.yaml

section "What the catalog holds"
fs list
echo
fs describe user_stats

section "Generate a day of events ($DAY) with tools/gen_data.py"
show "$PYTHON tools/gen_data.py demo --out $DATA --date $DAY"
"$PYTHON" tools/gen_data.py demo --out "$DATA" --date "$DAY"
say "first rows of $DATA/user_stats.csv:"
head -3 "$DATA/user_stats.csv" | cut -c1-160

section "Ingest user_stats from CSV and user_activity from JSONL"
fs ingest user_stats "$DATA/user_stats.csv"
fs ingest user_activity "$DATA/user_activity.jsonl"

section "Ingest the same file again: refused (its SHA-256 is already in user_stats)"
fs_fails -- ingest user_stats "$DATA/user_stats.csv"

section "Ingest a file with a bad value: the error names file, line and column"
fs_fails "user_stats_bad_value.csv:43" "age" -- ingest user_stats "$DATA/user_stats_bad_value.csv"

section "Ingest a file that breaks an expect check (credit_score max 850)"
fs_fails "user_stats_bad_expect.csv:11" "credit_score" -- ingest user_stats "$DATA/user_stats_bad_expect.csv"

section "Materialize up to the end of the day (offline -> online)"
fs materialize-incremental "${NEXT_DAY}T00:00:00Z"

section "Online lookup: two users, three features from two tables"
fs get --features "$FEATURES" --entity user_id=1 --entity user_id=2

section "The same lookup as JSON (Feast's feature-server response shape)"
fs get --json --features "$FEATURES" --entity user_id=1 --entity user_id=2

section "The same lookup as of ${LATER}T01:00:00Z: user_stats (ttl 2d) is now OUTSIDE_MAX_AGE"
out=$(fs get --features "$FEATURES" --entity user_id=1 --entity user_id=2 --at "${LATER}T01:00:00Z")
printf '%s\n' "$out"
if ! grep -q OUTSIDE_MAX_AGE <<<"$out"; then
    echo "demo: expected OUTSIDE_MAX_AGE for user_stats features at ${LATER}T01:00:00Z" >&2
    exit 1
fi

section "A point-in-time training set: labels joined to the features known at each label's time"
say "labels: $DATA/entities.csv (user_id, event_timestamp, churned)"
fs export --entities "$DATA/entities.csv" --service churn_v1 --out "$DEMO_DIR/train.csv"
head -4 "$DEMO_DIR/train.csv"
say "the same export again: byte-identical, same training-set id"
fs export --entities "$DATA/entities.csv" --service churn_v1 --out "$DEMO_DIR/train_again.csv"
cmp "$DEMO_DIR/train.csv" "$DEMO_DIR/train_again.csv" && say "identical"
fs export --entities "$DATA/entities.csv" --service churn_v1 --out "$DEMO_DIR/train.parquet"

section "Lineage: from the source file down to the training set, and back"
fs lineage "$DATA/user_stats.csv" --downstream --depth 3
say "which training sets (and, once registered, models and aliases) read user_stats:age?"
fs lineage user_stats:age --downstream
say "the training set's output file names it; upstream leads back to the source file"
fs lineage "$DEMO_DIR/train.csv" --upstream
say "the same runs as OpenLineage 2-0-2 RunEvents (one JSON line per run):"
fs lineage "$DEMO_DIR/train.csv" --upstream --openlineage | cut -c1-160

section "Model registry: two versions trained on that training set, one promoted through a quality gate"
TS=$("$FSCTL" export --entities "$DATA/entities.csv" --service churn_v1 --out "$DEMO_DIR/train.csv" --json \
     | sed -n 's/.*"id" : "\(ts-[0-9a-f]*\)".*/\1/p')
say "training set $TS; the models are tools/registry_fixtures.py's small files (2 inputs)"
MODEL_INPUTS=user_stats:age,user_stats:num_purchases
fs models register churn --artifact Tests/Fixtures/registry/linear_logistic.json --format linear-json \
    --features "$MODEL_INPUTS" --training-set "$TS" --metric auc=0.81 --param C=1.0
fs models register churn --artifact Tests/Fixtures/registry/lgb_binary.txt --format lightgbm-text \
    --features "$MODEL_INPUTS" --training-set "$TS" --metric auc=0.88 --param num_leaves=4
fs models alias set churn production 2 --require "auc>=0.85"
say "promoting version 1 fails the same gate: exit code 3, nothing changes"
show "fsctl models alias set churn production 1 --require auc>=0.85"
rc=0
"$FSCTL" models alias set churn production 1 --require "auc>=0.85" || rc=$?
if [[ $rc -ne 3 ]]; then echo "demo: expected exit code 3 from a failed quality gate, got $rc" >&2; exit 1; fi
fs models alias set churn production 2 --canary 1:10
fs models history churn
fs models show churn@production
fs models download churn@production --out "$DEMO_DIR/production_model.txt"
cmp Tests/Fixtures/registry/lgb_binary.txt "$DEMO_DIR/production_model.txt" && say "downloaded artifact identical (SHA-256 verified)"

section "The closed loop: train a model on an exported training set, register it, promote it, score a batch"
VENV_PYTHON=${VENV_PYTHON:-.venv/bin/python}
if [[ ! -x $VENV_PYTHON ]]; then
    echo "demo: $VENV_PYTHON not found; run 'make venv' first (make demo does)" >&2
    exit 1
fi
NUMERIC=user_stats:age,user_stats:num_purchases,user_stats:is_premium,user_stats:credit_score,user_activity:logins_7d,user_activity:minutes_active
COLUMNS=age,num_purchases,is_premium,credit_score,logins_7d,minutes_active
fs export --entities "$DATA/entities.csv" --features "$NUMERIC" --out "$DEMO_DIR/train_numeric.csv"
TS2=$("$FSCTL" export --entities "$DATA/entities.csv" --features "$NUMERIC" --out "$DEMO_DIR/train_numeric.csv" --json \
      | sed -n 's/.*"id" : "\(ts-[0-9a-f]*\)".*/\1/p')
say "training an XGBoost model (30 trees) on training set $TS2 with tools/demo_train.py"
show "$VENV_PYTHON tools/demo_train.py --train $DEMO_DIR/train_numeric.csv --features $COLUMNS --label churned --out $DEMO_DIR/churn_xgb.json"
AUC=$("$VENV_PYTHON" tools/demo_train.py --train "$DEMO_DIR/train_numeric.csv" --features "$COLUMNS" \
      --label churned --out "$DEMO_DIR/churn_xgb.json")
say "cross-validated $AUC"
fs models register churn_xgb --artifact "$DEMO_DIR/churn_xgb.json" --format xgboost-json \
    --features "$NUMERIC" --training-set "$TS2" --metric "$AUC" --param trees=30 --param max_depth=3
fs models alias set churn_xgb production 1 --require "auc>=0.55"
say "scoring every labelled user with the production model (online features, now)"
fs score --model churn_xgb@production --entities "$DATA/entities.csv" --out "$DEMO_DIR/scores.csv" --log
head -6 "$DEMO_DIR/scores.csv"
say "the same rows scored as of each row's timestamp (a backtest, point-in-time features)"
fs score --model churn_xgb@production --entities "$DATA/entities.csv" --out "$DEMO_DIR/backtest.parquet" --point-in-time
say "the predictions were logged as events of predictions__churn_xgb (for monitoring, and to join with labels):"
fs describe predictions__churn_xgb

section "Serve predictions: fsctl serve, and predict from Python (tools/python/fsclient)"
show "fsctl serve --port 0 --log-predictions &"
"$FSCTL" serve --port 0 --log-predictions --quiet >"$DEMO_DIR/serve.out" 2>"$DEMO_DIR/serve.err" &
SERVE_PID=$!
trap '[[ -n ${SERVE_PID:-} ]] && kill -TERM "$SERVE_PID" 2>/dev/null; true' EXIT
PORT=
for _ in $(seq 100); do
    PORT=$(sed -n 's/^serving .*:\([0-9]*\)$/\1/p' "$DEMO_DIR/serve.out")
    [[ -n $PORT ]] && break
    sleep 0.1
done
[[ -n $PORT ]] || { cat "$DEMO_DIR/serve.err" >&2; exit 1; }
say "serving on 127.0.0.1:$PORT (pid $SERVE_PID); five users of the labels file, from Python:"
IDS=$(sed -n '2,6p' "$DEMO_DIR/scores.csv" | cut -d, -f1 | paste -sd,)
show "c.predict(\"churn_xgb@production\", entities={\"user_id\": [$IDS]})"
PYTHONPATH=tools/python "$PYTHON" - "$PORT" "$IDS" "$DEMO_DIR/scores.csv" <<'PY'
import csv, sys
from fsclient import Client

port, ids, scores = int(sys.argv[1]), [int(x) for x in sys.argv[2].split(",")], sys.argv[3]
with Client("127.0.0.1", port) as c:
    rows = c.predict("churn_xgb@production", entities={"user_id": ids})
    detailed = c.predict("churn_xgb@production", entities={"user_id": ids[:1]}, details=True)
for r in rows:
    print(r)
print("with details=True:", detailed[0])
batch = {int(r["user_id"]): float(r["prediction"]) for r in csv.DictReader(open(scores))}
same = all(batch[r["user_id"]] == r["prediction"] for r in rows)
print("equal to what fsctl score wrote for these users:", same)
sys.exit(0 if same else 1)
PY
show "kill -TERM $SERVE_PID"
kill -TERM "$SERVE_PID"
rc=0
wait "$SERVE_PID" || rc=$?
SERVE_PID=
if [[ $rc -ne 0 ]]; then echo "demo: fsctl serve exited $rc after SIGTERM" >&2; cat "$DEMO_DIR/serve.err" >&2; exit 1; fi
say "the server drained and exited 0; with --log-predictions its predictions were appended to predictions__churn_xgb too:"
fs describe predictions__churn_xgb

section "A day with drift: the next day's users are older, fewer premium, lower credit"
DRIFT_DATA=$DEMO_DIR/data-$NEXT_DAY
show "$PYTHON tools/gen_data.py demo --out $DRIFT_DATA --date $NEXT_DAY --seed 2 --drift"
"$PYTHON" tools/gen_data.py demo --out "$DRIFT_DATA" --date "$NEXT_DAY" --seed 2 --drift >/dev/null
fs ingest user_stats "$DRIFT_DATA/user_stats.csv"
say "statistics kept at ingest (no event is read): the two days side by side"
fs stats user_stats --window "${DAY}T00:00:00Z..${DAY}T23:59:59Z" --feature age,credit_score,country
fs stats user_stats --window "${NEXT_DAY}T00:00:00Z..${NEXT_DAY}T23:59:59Z" --feature age,credit_score,country
say "data quality over both days: events that broke an expect check (exit 3 if any)"
fs validate user_stats --window "${DAY}T00:00:00Z..${NEXT_DAY}T23:59:59Z"
say "drift of $NEXT_DAY against $DAY (Evidently's methods and defaults); dataset drift exits 3"
show "fsctl drift user_stats --reference ${DAY}T00:00:00Z..${DAY}T23:59:59.999999Z --current ${NEXT_DAY}T00:00:00Z..${NEXT_DAY}T23:59:59.999999Z --html $DEMO_DIR/drift.html"
rc=0
"$FSCTL" drift user_stats --reference "${DAY}T00:00:00Z..${DAY}T23:59:59.999999Z" \
    --current "${NEXT_DAY}T00:00:00Z..${NEXT_DAY}T23:59:59.999999Z" --html "$DEMO_DIR/drift.html" || rc=$?
if [[ $rc -ne 3 ]]; then echo "demo: expected exit code 3 (dataset drift) from fsctl drift, got $rc" >&2; exit 1; fi
say "exit code 3: the report is $DEMO_DIR/drift.html; a scheduler branches on the code and retrains:"
fs materialize-incremental "$(date -u -d "$NEXT_DAY + 1 day" +%F)T00:00:00Z"
fs export --entities "$DRIFT_DATA/entities.csv" --features "$NUMERIC" --out "$DEMO_DIR/train_retrain.csv"
TS3=$("$FSCTL" export --entities "$DRIFT_DATA/entities.csv" --features "$NUMERIC" --out "$DEMO_DIR/train_retrain.csv" --json \
      | sed -n 's/.*"id" : "\(ts-[0-9a-f]*\)".*/\1/p')
AUC3=$("$VENV_PYTHON" tools/demo_train.py --train "$DEMO_DIR/train_retrain.csv" --features "$COLUMNS" \
      --label churned --out "$DEMO_DIR/churn_xgb_retrained.json")
say "retrained on training set $TS3: cross-validated $AUC3"
fs models register churn_xgb --artifact "$DEMO_DIR/churn_xgb_retrained.json" --format xgboost-json \
    --features "$NUMERIC" --training-set "$TS3" --metric "$AUC3" --param trees=30 --param max_depth=3 \
    --description "retrained after drift on $NEXT_DAY"
fs models alias set churn_xgb production 2 --require "auc>=0.55"
fs models history churn_xgb

section "Lineage: which models, and which production aliases, read user_stats:age? And back to the source file"
fs lineage user_stats:age --downstream
fs lineage churn@production --upstream --depth 5

section "Sizes and counts"
fs stats

section "Integrity check"
fs check

section "A hot backup of the whole store (compacted), checked"
rm -rf "$DEMO_DIR/backup"
fs backup "$DEMO_DIR/backup" --verify

printf '\n%sDemo complete.%s The store is in %s; try: FSCTL_STORE=%s %s list\n' \
    "$bold" "$reset" "$STORE" "$STORE" "$FSCTL"

# Everyday targets. `make demo` and `make test` install what is missing first.
#
#   make deps         Debian packages the build needs (liblmdb-dev, lmdb-utils,
#                     libsnappy-dev, libzstd-dev, zlib1g-dev; chromium for the
#                     drift report's headless screenshot test)
#   make build        swift build (debug)
#   make test         deps + venv + swift test (Parquet interop tests use .venv)
#   make demo         deps + build + venv + tools/demo.sh (a day of data, end to
#                     end, and the closed loop: train, register, promote, score)
#   make venv         .venv with tools/requirements-test.txt (test oracles)
#   make bench        the Swift benchmarks (Benchmarks/, package-benchmark)
#   make bench-c      tools/lmdb_get_bench.c: raw mdb_get, the physical limit
#   make bench-compare  tools/bench_store.sh: the store's benchmarks and raw C on the same store, one run
#   make bench-feast  Feast 0.67 on the same data (.venv-feast)
#   make bench-pit    point-in-time export vs DuckDB ASOF JOIN and polars join_asof
#   make bench-data   just the data: bench-data/<entities>x<events>/bench_stats.csv
#   make bench-parquet our Parquet reader/writer vs pyarrow, single-threaded
#   make bench-models ModelFormats vs xgboost / lightgbm / onnxruntime / sklearn
#                     predict, same models and rows (tools/model_bench/run.sh)
#   make bench-score  end-to-end Scorer latency: features from the 1M-entity
#                     store + XGBoost 100 trees (tools/score_bench/run.sh)
#   make model-fixtures regenerate Tests/Fixtures/models (tools/model_fixtures)
#                     (tools/parquet_bench/run.sh; PQBENCH_ARGS="--rows 100000")
#   make bench-serve  fsctl serve vs redis-server, same data, one load generator
#                     (tools/bench_serve.sh; tools/loadgen/loadgen.c)
#   make bench-predict PREDICT over the wire at a fixed 10k req/s, p50/p99/p999, beside
#                     open-loop lookups of fsctl serve and Redis and the host's stalls
#                     (tools/bench_predict.sh; loadgen --mode predict / --rate; stall_probe.c)
#   make test-python  the Python client's tests against a real fsctl serve
#   make bench-drift  fsctl drift vs Evidently on 10M events (tools/drift_bench/run.sh, .venv-drift)
#   make drift-fixtures  regenerate Tests/Fixtures/drift with Evidently (.venv-drift)
#   make clean

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := build

SWIFT  ?= swift
PYTHON ?= python3
FSCTL  ?= .build/debug/fsctl
export FSCTL

# Root needs no sudo (CI runs as root); anyone else gets it.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
APT_PACKAGES := liblmdb-dev lmdb-utils pkg-config libsnappy-dev libzstd-dev zlib1g-dev openssl curl chromium

# Benchmark sizes, overridable: make bench-feast BENCH_ENTITIES=100000
BENCH_ENTITIES ?= 1000000
BENCH_EVENTS   ?= 1
BENCH_DATA     ?= bench-data
BENCH_DIR      := $(BENCH_DATA)/$(BENCH_ENTITIES)x$(BENCH_EVENTS)
# bench-c reads the `online` database of BENCH_STORE; without one it builds
# a synthetic LMDB environment of BENCH_ENTITIES keys shaped like online rows.
BENCH_STORE    ?=
BENCH_C_ARGS   ?=
FEAST_ARGS     ?=
# bench-pit: cases (small = 1M events x 100k rows, large = 10M x 1M) and rounds.
PIT_CASES      ?= small large
PIT_RUNS       ?= 3

# Debian ships venv's ensurepip separately (python3-venv).
PYTHON_VENV_OK = $(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null; }

.PHONY: venv-drift bench-drift drift-fixtures deps build release test demo venv bench bench-c bench-compare bench-feast bench-data bench-parquet bench-pit bench-models bench-score bench-predict model-fixtures bench-serve test-python clean

deps:
	@if ! pkg-config --exists lmdb snappy libzstd zlib 2>/dev/null || ! command -v mdb_load >/dev/null \
	    || ! command -v openssl >/dev/null || ! command -v curl >/dev/null || ! command -v chromium >/dev/null; then \
	  echo "deps: installing $(APT_PACKAGES)"; \
	  $(SUDO) apt-get update -qq; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	fi
	@command -v $(PYTHON) >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 >/dev/null; }

build: deps
	$(SWIFT) build

# The optimized fsctl for serving (.build/release/fsctl), with the server's
# runtime exclusivity checks off (docs/architecture.md, "Exclusivity checks").
release: deps
	FEATURESTORE_UNCHECKED_EXCLUSIVITY=1 $(SWIFT) build -c release --product fsctl

test: deps venv
	$(SWIFT) test

demo: deps build venv
	tools/demo.sh

# A virtualenv for test oracles, made once and reused; remade only when
# tools/requirements-test.txt changes.
venv: .venv/.stamp
.venv/.stamp: tools/requirements-test.txt
	@$(PYTHON_VENV_OK)
	@test -x .venv/bin/python || $(PYTHON) -m venv .venv
	.venv/bin/pip install -q -r tools/requirements-test.txt
	@touch $@

# StoreBenchmarks reads bench-data/<N>x1/bench_stats.csv (made here first).
bench: deps bench-data
	cd Benchmarks && FS_BENCH_ENTITIES=$(BENCH_ENTITIES) $(SWIFT) package benchmark --no-progress

# One run, side by side: fsbench builds a store (ingest + materialize timed),
# then lookups via the library and raw C mdb_get on that store's `online`
# database, interleaved, then StoreBenchmarks on the same store. Results in
# bench-results/<UTC stamp>/ (summary.md). BENCH_RUNS=3 rounds by default.
bench-compare: deps
	BENCH_ENTITIES=$(BENCH_ENTITIES) tools/bench_store.sh

.build-c/lmdb_get_bench: tools/lmdb_get_bench.c | deps
	@mkdir -p .build-c
	gcc -O2 -Wall -Wextra -o $@ $< -llmdb

# tools/lmdb_walk_bench.c: a database walked with MDB_NEXT and by leaf pages
# (what LeafScan saves): .build-c/lmdb_walk_bench bench-data/pit/large/store
.build-c/lmdb_walk_bench: tools/lmdb_walk_bench.c | deps
	@mkdir -p .build-c
	gcc -O2 -Wall -Wextra -o $@ $< -llmdb

bench-c: .build-c/lmdb_get_bench
	@if [ -n "$(BENCH_STORE)" ]; then \
	  .build-c/lmdb_get_bench "$(BENCH_STORE)" $(BENCH_C_ARGS); \
	else \
	  test -f .build-c/fixture-$(BENCH_ENTITIES)/data.mdb || tools/make_lmdb_fixture.sh .build-c/fixture-$(BENCH_ENTITIES) $(BENCH_ENTITIES) 120; \
	  .build-c/lmdb_get_bench .build-c/fixture-$(BENCH_ENTITIES) $(BENCH_C_ARGS); \
	fi

.venv-feast/.stamp: tools/feast_bench/requirements.txt
	@$(PYTHON_VENV_OK)
	@test -x .venv-feast/bin/python || $(PYTHON) -m venv .venv-feast
	.venv-feast/bin/pip install -q -r tools/feast_bench/requirements.txt
	@touch $@

# The same events for every store: bench-data/<entities>x<events>/bench_stats.{csv,parquet}
# (Parquet because the Feast venv has pyarrow).
$(BENCH_DIR)/bench_stats.parquet: tools/gen_data.py .venv-feast/.stamp
	.venv-feast/bin/python tools/gen_data.py bench --entities $(BENCH_ENTITIES) --events-per-entity $(BENCH_EVENTS) --out $(BENCH_DIR)

bench-data: $(BENCH_DIR)/bench_stats.csv
$(BENCH_DIR)/bench_stats.csv: tools/gen_data.py
	$(PYTHON) tools/gen_data.py bench --entities $(BENCH_ENTITIES) --events-per-entity $(BENCH_EVENTS) --out $(BENCH_DIR) --no-parquet

bench-feast: $(BENCH_DIR)/bench_stats.parquet
	.venv-feast/bin/python tools/feast_bench/run.py $< $(FEAST_ARGS)

# 1M-row feature table written by pyarrow (snappy, zstd, none) in
# bench-data/parquet/; read and write throughput of ours and pyarrow's, same run.
PQBENCH_ARGS ?=
bench-parquet: deps venv
	tools/parquet_bench/run.sh $(PQBENCH_ARGS)

# Data, store and outputs under bench-data/pit/<case>/ (made once, reused);
# see tools/pit_bench/run.sh. The large case needs about 5-6 GB of disk.
bench-pit: deps venv
	RUNS=$(PIT_RUNS) PYTHON=.venv/bin/python tools/pit_bench/run.sh $(PIT_CASES)

# One load generator speaking both our protocol and RESP (see its header).
.build-c/loadgen: tools/loadgen/loadgen.c
	@mkdir -p .build-c
	gcc -O2 -Wall -Wextra -pthread -o $@ $<

# How much time the machine takes from a running thread (bench_predict.sh prints it).
.build-c/stall_probe: tools/loadgen/stall_probe.c
	@mkdir -p .build-c
	gcc -O2 -Wall -Wextra -o $@ $<

# 1M entities x 10 features in fsctl serve (release) and redis-server (apt);
# single lookups and 100-entity batches, same connections and depth, same run.
# Results in bench-results/serve-<UTC stamp>/ (summary.md). ROUNDS=3 by default.
bench-serve: deps
	BENCH_ENTITIES=$(BENCH_ENTITIES) tools/bench_serve.sh

# The Python client (tools/python/fsclient, standard library) against fsctl serve.
test-python: build
	FSCTL=$(FSCTL) $(PYTHON) -m unittest discover -s tools/python/tests -v
# Single-row latency and 2-thread batch throughput of every model format,
# ours and the training libraries', same run. MODELBENCH_ARGS="--rows 100000".
MODELBENCH_ARGS ?=
bench-models: deps venv
	tools/model_bench/run.sh $(MODELBENCH_ARGS)

# Scorer.score(entity:) end to end (online read + model) on the 1M-entity
# benchmark store (bench-data/score-store-N, built once) and a 100-tree XGBoost.
bench-score: deps venv
	tools/score_bench/run.sh

# PREDICT over the wire: fsctl serve on the 1M-entity store with a 100-tree XGBoost,
# open-loop load at RATE=10000 req/s (tools/bench_predict.sh; loadgen --mode predict);
# with FLOOR=1 (default) each round also measures open-loop lookups of the same server
# and of redis-server (installed with apt if missing) at the same rate.
bench-predict: deps venv
	BENCH_ENTITIES=$(BENCH_ENTITIES) tools/bench_predict.sh

# Retrain the parity fixtures (commit the result; `swift test` needs no Python).
model-fixtures: venv
	.venv/bin/python tools/model_fixtures/generate.py --out Tests/Fixtures/models

clean:
	rm -rf .build .build-c demo-output $(BENCH_DATA) Benchmarks/.build bench-results tools/parquet_bench/.build

# Evidently and its pins live apart from the test oracles (.venv-drift), since
# `make test` reads the committed drift fixtures and needs none of it.
venv-drift: .venv-drift/.stamp
.venv-drift/.stamp: tools/requirements-drift.txt
	@$(PYTHON_VENV_OK)
	@test -x .venv-drift/bin/python || $(PYTHON) -m venv .venv-drift
	.venv-drift/bin/pip install -q -r tools/requirements-drift.txt
	@touch $@

bench-drift: deps build venv-drift
	PYTHON=.venv-drift/bin/python tools/drift_bench/run.sh

drift-fixtures: venv-drift
	.venv-drift/bin/python tools/drift_fixtures/generate.py

#!/usr/bin/env python3
"""The model of the end-to-end scoring benchmark (tools/score_bench/run.sh):
XGBoost, 100 trees of depth 6, binary:logistic, on the 9 numeric features of
examples/bench.yaml (f0-f7, f9), drawn as tools/gen_data.py bench draws them.

    .venv/bin/python tools/score_bench/train.py OUT.json
"""
import sys

import numpy as np
import xgboost as xgb

rng = np.random.default_rng(3)
n = 20_000
x = np.column_stack([
    rng.normal(0, 1, n), rng.normal(50, 10, n), rng.normal(0.5, 0.25, n), rng.normal(1000, 300, n),
    rng.normal(-3, 2, n), rng.exponential(10, n), np.floor(rng.exponential(20, n)),
    rng.integers(-(1 << 40), 1 << 40, n).astype(np.float64), (rng.random(n) < 0.3).astype(np.float64),
]).astype(np.float32)
logit = x[:, 0] + (x[:, 1] - 50) / 10 - x[:, 4] / 2 + (x[:, 6] > 20) - 2 * x[:, 8] + rng.normal(0, 1, n)
y = (logit > 0).astype(np.float32)
names = ["f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f9"]
booster = xgb.train({"objective": "binary:logistic", "max_depth": 6, "eta": 0.1, "seed": 1, "nthread": 2},
                    xgb.DMatrix(x, label=y, feature_names=names), num_boost_round=100)
booster.save_model(sys.argv[1])

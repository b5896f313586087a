#!/usr/bin/env python3
"""Trains the demo's churn model on an exported training set (`make demo`).

    .venv/bin/python tools/demo_train.py --train demo-output/train_numeric.csv \
        --features age,num_purchases,... --label churned --out demo-output/churn_xgb.json

Reads the CSV `fsctl export` wrote (empty cells are missing values, booleans
`true`/`false`), trains an XGBoost binary:logistic model (30 trees, depth 3)
on the feature columns in the given order (the order the model is registered
with), and prints `auc=<5-fold cross-validated AUC>` for `--metric`.
Needs xgboost-cpu and scikit-learn (tools/requirements-test.txt; `make venv`).
"""
import argparse
import csv
import math

import numpy as np


def value(text):
    if text == "":
        return math.nan
    if text in ("true", "false"):
        return 1.0 if text == "true" else 0.0
    return float(text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", required=True)
    ap.add_argument("--features", required=True, help="comma-separated column names, in model input order")
    ap.add_argument("--label", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    names = args.features.split(",")
    with open(args.train, newline="") as f:
        rows = list(csv.DictReader(f))
    x = np.array([[value(r[n]) for n in names] for r in rows], dtype=np.float32)
    y = np.array([value(r[args.label]) for r in rows], dtype=np.float32)

    import xgboost as xgb
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    params = {"objective": "binary:logistic", "max_depth": 3, "eta": 0.2, "seed": 1, "nthread": 1}
    held_out = np.zeros(len(y))
    for train, test in StratifiedKFold(5, shuffle=True, random_state=1).split(x, y):
        booster = xgb.train(params, xgb.DMatrix(x[train], label=y[train], missing=np.nan), num_boost_round=30)
        held_out[test] = booster.predict(xgb.DMatrix(x[test], missing=np.nan))
    booster = xgb.train(params, xgb.DMatrix(x, label=y, feature_names=names, missing=np.nan), num_boost_round=30)
    booster.save_model(args.out)
    print(f"auc={roc_auc_score(y, held_out):.4f}")


if __name__ == "__main__":
    main()

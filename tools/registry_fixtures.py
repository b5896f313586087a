#!/usr/bin/env python3
"""Small, valid model files for the model-registry tests (Tests/Fixtures/registry).

Each model is trained on 200 seeded rows of two features (`age`,
`num_purchases`, the example store's `user_stats` features), so the files stay
a few KB and register with `--features user_stats:age,user_stats:num_purchases`.

    .venv/bin/python tools/registry_fixtures.py Tests/Fixtures/registry

Needs xgboost-cpu, lightgbm, scikit-learn, skl2onnx and onnx
(tools/requirements-test.txt; `make venv`).
"""
import json
import os
import sys

import numpy as np


def data():
    rng = np.random.default_rng(7)
    x = np.column_stack([rng.uniform(18, 80, 200), rng.integers(0, 20, 200)]).astype(np.float32)
    y = ((x[:, 0] / 80 + x[:, 1] / 20 + rng.normal(0, 0.2, 200)) > 1.0).astype(np.int32)
    return x, y


def main(out):
    os.makedirs(out, exist_ok=True)
    x, y = data()
    names = ["age", "num_purchases"]

    import xgboost as xgb
    booster = xgb.train({"objective": "binary:logistic", "max_depth": 2, "seed": 1},
                        xgb.DMatrix(x, label=y, feature_names=names), num_boost_round=3)
    booster.save_model(os.path.join(out, "xgb_binary.json"))

    import lightgbm as lgb
    model = lgb.train({"objective": "binary", "num_leaves": 4, "min_data_in_leaf": 10, "verbose": -1, "seed": 1},
                      lgb.Dataset(x, label=y, feature_name=names), num_boost_round=3)
    model.save_model(os.path.join(out, "lgb_binary.txt"))

    from sklearn.linear_model import LogisticRegression
    lr = LogisticRegression().fit(x, y)
    # linear-json (docs/models.md, the schema ModelFormats loads): one row of
    # coefficients in input-column order, one intercept.
    linear = {"format": "linear-json", "version": 1, "model": "logistic_regression",
              "feature_names": names, "coefficients": [[float(c) for c in lr.coef_[0]]],
              "intercepts": [float(lr.intercept_[0])]}
    with open(os.path.join(out, "linear_logistic.json"), "w") as f:
        json.dump(linear, f, indent=1, sort_keys=True)
        f.write("\n")

    from skl2onnx import to_onnx
    onx = to_onnx(lr, x[:1], options={"zipmap": False}, target_opset={"": 17, "ai.onnx.ml": 1})
    with open(os.path.join(out, "sk_logreg.onnx"), "wb") as f:
        f.write(onx.SerializeToString())


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "Tests/Fixtures/registry")

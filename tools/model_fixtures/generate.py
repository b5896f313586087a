#!/usr/bin/env python3
"""Train small real models and write them with the libraries' own predictions
on adversarial rows: the parity fixtures of Tests/ModelFormatsTests.

    .venv/bin/python tools/model_fixtures/generate.py [--out Tests/Fixtures/models] [--rows 2000]

Writes into --out:
  rows.csv               the input rows (f0..f7; "nan" = missing), shortest
                         round-trip decimal of each double
  <model>.<ext>          each model as its library saves it
  <model>.csv            the library's predictions for every row
  manifest.json          model name, file, format, kind, prediction columns

Data: 8 features -- six numeric (NaN in some, one never NaN in training, one
with many exact zeros) and two categorical codes (3 and 8 categories). The
rows are a mix of ordinary draws and adversarial ones: values exactly at the
split thresholds of every tree model and one float32 / float64 step either
side of them, the float32 rounding of LightGBM's double thresholds, unseen,
negative, fractional and huge category codes, NaN everywhere, values around
LightGBM's 1e-35 zero threshold, and huge magnitudes (+-1e30).
"""
import argparse
import json
import os
import re
import sys
import warnings

import numpy as np

warnings.filterwarnings("ignore")

import lightgbm as lgb  # noqa: E402
import onnxruntime as ort  # noqa: E402
import sklearn  # noqa: E402
import skl2onnx  # noqa: E402
import xgboost as xgb  # noqa: E402
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.linear_model import LinearRegression, LogisticRegression  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from skl2onnx import to_onnx  # noqa: E402

NUM_FEATURES = 8
SMOOTH_ROWS = 1000
CATEGORICAL = [6, 7]
FEATURE_NAMES = ["age", "income", "tenure", "balance", "calls", "ratio", "contract", "region"]


def make_data(rng, n):
    X = np.empty((n, NUM_FEATURES))
    X[:, 0] = np.round(rng.uniform(18, 90, n))                   # age: integers -> many ties
    X[:, 1] = np.round(rng.lognormal(10, 0.6, n), 2)             # income
    X[:, 2] = rng.integers(0, 121, n)                            # tenure: never NaN in training
    X[:, 3] = np.where(rng.random(n) < 0.3, 0.0, rng.normal(0, 1000, n))  # balance: many exact zeros
    X[:, 4] = rng.poisson(3, n)                                  # calls
    X[:, 5] = rng.random(n)                                      # ratio
    X[:, 6] = rng.integers(0, 3, n)                              # contract: 3 codes
    X[:, 7] = rng.integers(0, 8, n)                              # region: 8 codes
    for j, frac in [(0, 0.08), (1, 0.05), (3, 0.05), (5, 0.2)]:
        X[rng.random(n) < frac, j] = np.nan
    z = (0.04 * (np.nan_to_num(X[:, 0], nan=50) - 50) - 0.5 * np.log(np.nan_to_num(X[:, 1], nan=20000) / 20000)
         - 0.02 * X[:, 2] + 0.0004 * np.nan_to_num(X[:, 3]) + 0.3 * X[:, 4] - 1.0
         + np.array([0.8, 0.0, -0.9])[X[:, 6].astype(int)] + np.array([0.5, -0.5, 0, 0.9, -1.1, 0.2, 0.7, -0.3])[X[:, 7].astype(int)]
         + np.where(np.isnan(X[:, 5]), 0.7, 0.0))
    y_bin = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    y_reg = 50 + 10 * z + rng.normal(0, 3, n)
    y_mc = np.digitize(z + rng.normal(0, 0.7, n), [-0.8, 0.6])
    return X, y_bin, y_reg, y_mc


def xgb_thresholds(path):
    doc = json.load(open(path))
    out = []
    for tree in doc["learner"]["gradient_booster"]["model"]["trees"]:
        st = tree.get("split_type", [0] * len(tree["left_children"]))
        for i, left in enumerate(tree["left_children"]):
            if left != -1 and st[i] == 0:
                out.append((tree["split_indices"][i], float(np.float32(tree["split_conditions"][i]))))
    return out


def lgb_thresholds(path):
    out = []
    feats = None
    for line in open(path):
        if line.startswith("split_feature="):
            feats = [int(v) for v in line.split("=", 1)[1].split()]
        elif line.startswith("threshold=") and feats is not None:
            thr = [float(v) for v in line.split("=", 1)[1].split()]
        elif line.startswith("decision_type=") and feats is not None:
            dts = [int(v) for v in line.split("=", 1)[1].split()]
            out += [(f, t) for f, t, d in zip(feats, thr, dts) if d & 1 == 0]
            feats = None
    return out


def adversarial_rows(rng, base, xgb_thr, lgb_thr, n):
    rows = []
    cat_codes = [-3, -1, -0.5, -0.0, 0.5, 2.5, 2.9999, 3, 7.9999, 8, 9, 31, 32, 33, 63, 64, 1000,
                 16777215, 16777216, 2.0 ** 30, np.nan]
    specials = [0.0, -0.0, 1e-36, -1e-36, 1e-35, -1e-35, 1.0000000180025095e-35, 2e-35, 1e30, -1e30, np.nan]
    for k in range(n):
        row = base[rng.integers(len(base))].copy()
        kind = k % 10
        if kind < 2:
            pass                                                   # an ordinary row
        elif kind < 5:                                             # XGBoost thresholds, float32 steps
            for _ in range(rng.integers(1, 4)):
                f, t = xgb_thr[rng.integers(len(xgb_thr))]
                t32 = np.float32(t)
                row[f] = float(rng.choice([t32, np.nextafter(t32, np.float32(np.inf)), np.nextafter(t32, np.float32(-np.inf)), t32]))
        elif kind < 8:                                             # LightGBM thresholds, float64 and float32 steps
            for _ in range(rng.integers(1, 4)):
                f, t = lgb_thr[rng.integers(len(lgb_thr))]
                row[f] = float(rng.choice([t, np.nextafter(t, np.inf), np.nextafter(t, -np.inf), float(np.float32(t)),
                                           float(np.nextafter(np.float32(t), np.float32(np.inf)))]))
        elif kind == 8:                                            # category codes nobody trained on
            for f in CATEGORICAL:
                if rng.random() < 0.7:
                    row[f] = cat_codes[rng.integers(len(cat_codes))]
        else:                                                      # NaN, zeros, huge values
            for f in rng.choice(NUM_FEATURES, size=rng.integers(1, 5), replace=False):
                row[f] = specials[rng.integers(len(specials))] if f not in CATEGORICAL else np.nan
        rows.append(row)
    return np.array(rows)


def fmt64(v):
    return "nan" if np.isnan(v) else repr(float(v))


def fmt32(v):
    return "nan" if np.isnan(v) else str(np.float32(v))


def fmt12(v):
    return "nan" if np.isnan(v) else "%.12g" % v


def write_predictions(path, columns, matrix, fmts):
    with open(path, "w") as f:
        f.write(",".join(columns) + "\n")
        for row in matrix:
            f.write(",".join(fmt(v) for fmt, v in zip(fmts, row)) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="Tests/Fixtures/models")
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    X, y_bin, y_reg, y_mc = make_data(rng, 3000)
    manifest = []

    def out(name):
        return os.path.join(args.out, name)

    def record(name, file, fmt, kind, columns, matrix, exact, precision, rows=None, predictions=None):
        # Smooth models (linear, ONNX) are compared on the first `rows` rows only,
        # which hold every kind of adversarial row, to keep the fixtures small.
        matrix = matrix if rows is None else matrix[:rows]
        # float32 outputs: shortest round-trip text (exact); "exact": float64 round-trip
        # text; float64: 12 significant digits (the tests' tolerance is 1e-6).
        precisions = precision if isinstance(precision, list) else [precision] * len(columns)
        if predictions is None:
            write_predictions(out(name + ".csv"), columns, matrix,
                              [{"float32": fmt32, "exact": fmt64, "float64": fmt12}[p] for p in precisions])
        manifest.append({"name": name, "file": file, "format": fmt, "kind": kind, "predictions": predictions or name + ".csv",
                         "rows": len(matrix),
                         "columns": columns, "precision": precisions, "exact": exact})

    # --- XGBoost: float32 comparisons, categorical splits (one-hot and partition).
    ftypes = ["q"] * 6 + ["c", "c"]
    common = dict(tree_method="hist", max_bin=64, learning_rate=0.3, seed=1, nthread=1)
    d_cat = xgb.DMatrix(X, label=y_bin, missing=np.nan, feature_types=ftypes, enable_categorical=True, feature_names=FEATURE_NAMES)
    xb = xgb.train(dict(common, objective="binary:logistic", max_depth=4, max_cat_to_onehot=4), d_cat, 16)
    xb.save_model(out("xgb_binary.json"))
    d_reg = xgb.DMatrix(X, label=y_reg, missing=np.nan)
    xr = xgb.train(dict(common, objective="reg:squarederror", max_depth=4), d_reg, 16)
    xr.save_model(out("xgb_regression.json"))
    d_mc = xgb.DMatrix(X, label=y_mc, missing=np.nan, feature_types=ftypes, enable_categorical=True)
    xm = xgb.train(dict(common, objective="multi:softprob", num_class=3, max_depth=3), d_mc, 10)
    xm.save_model(out("xgb_multiclass.json"))

    # --- LightGBM: float64 comparisons, missing types None / Zero / NaN, bitset splits.
    lcommon = dict(verbose=-1, num_threads=1, seed=1, min_data_in_leaf=10, max_bin=63, learning_rate=0.2,
                   max_cat_to_onehot=4, cat_smooth=1, min_data_per_group=10)
    lb = lgb.train(dict(lcommon, objective="binary", num_leaves=15),
                   lgb.Dataset(X, y_bin, categorical_feature=CATEGORICAL, feature_name=FEATURE_NAMES), 16)
    lb.save_model(out("lgb_binary.txt"))
    lr = lgb.train(dict(lcommon, objective="regression", num_leaves=15, zero_as_missing=True),
                   lgb.Dataset(X, y_reg, categorical_feature=CATEGORICAL), 16)
    lr.save_model(out("lgb_regression.txt"))
    lm = lgb.train(dict(lcommon, objective="multiclass", num_class=3, num_leaves=7),
                   lgb.Dataset(X, y_mc, categorical_feature=CATEGORICAL), 10)
    lm.save_model(out("lgb_multiclass.txt"))

    thr_x = [t for p in ["xgb_binary.json", "xgb_regression.json", "xgb_multiclass.json"] for t in xgb_thresholds(out(p))]
    thr_l = [t for p in ["lgb_binary.txt", "lgb_regression.txt", "lgb_multiclass.txt"] for t in lgb_thresholds(out(p))]
    R = adversarial_rows(rng, X, thr_x, thr_l, args.rows)
    # Huge values stay at 1e30: beyond float32's range XGBoost refuses the row
    # (inf), and an MLP would overflow to inf - inf.
    R = np.where(np.abs(R) > 1e30, np.sign(R) * 1e30, R)
    with open(out("rows.csv"), "w") as f:
        f.write(",".join(FEATURE_NAMES) + "\n")
        for row in R:
            f.write(",".join(fmt64(v) for v in row) + "\n")

    def xgb_pred(booster, cat):
        d = xgb.DMatrix(R, missing=np.nan, feature_types=ftypes if cat else None, enable_categorical=cat,
                        feature_names=FEATURE_NAMES if booster is xb else None)
        return booster.predict(d).reshape(len(R), -1), booster.predict(d, output_margin=True).reshape(len(R), -1)

    p, m = xgb_pred(xb, True)
    record("xgb_binary", "xgb_binary.json", "xgboost-json", "binary", ["margin", "p"], np.hstack([m, p]), True, "float32")
    p, m = xgb_pred(xr, False)
    record("xgb_regression", "xgb_regression.json", "xgboost-json", "regression", ["value"], p, True, "float32")
    p, m = xgb_pred(xm, True)
    record("xgb_multiclass", "xgb_multiclass.json", "xgboost-json", "multiclass", ["p0", "p1", "p2"], p, True, "float32")

    record("lgb_binary", "lgb_binary.txt", "lightgbm-text", "binary", ["raw", "p"],
           np.column_stack([lb.predict(R, raw_score=True), lb.predict(R)]), True, ["exact", "float64"])
    record("lgb_regression", "lgb_regression.txt", "lightgbm-text", "regression", ["value"],
           lr.predict(R).reshape(-1, 1), True, "exact")
    record("lgb_multiclass", "lgb_multiclass.txt", "lightgbm-text", "multiclass", ["p0", "p1", "p2"], lm.predict(R), True, "float64")

    # --- scikit-learn pipelines: linear-json (float64, ours) and ONNX (float32, onnxruntime).
    Xs, Rs = X, R
    pipes = {
        "logreg": (make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), LogisticRegression(max_iter=500)), y_bin),
        "logreg3": (make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), LogisticRegression(max_iter=500)), y_mc),
        "linreg": (make_pipeline(SimpleImputer(strategy="mean"), StandardScaler(), LinearRegression()), y_reg),
        "mlp": (make_pipeline(SimpleImputer(strategy="median"), StandardScaler(),
                              MLPClassifier(hidden_layer_sizes=(16, 16), max_iter=300, random_state=1)), y_bin),
        "mlp3": (make_pipeline(SimpleImputer(strategy="median"), StandardScaler(),
                               MLPClassifier(hidden_layer_sizes=(12,), activation="tanh", max_iter=300, random_state=1)), y_mc),
        "mlpreg": (make_pipeline(SimpleImputer(strategy="median"), StandardScaler(),
                                 MLPRegressor(hidden_layer_sizes=(12,), max_iter=300, random_state=1)), y_reg),
    }
    sess_probs = {}
    for key, (pipe, y) in pipes.items():
        pipe.fit(Xs, y)
        imp, sc, est = pipe.steps[0][1], pipe.steps[1][1], pipe.steps[2][1]
        is_clf = hasattr(est, "predict_proba")
        if key in ("logreg", "logreg3", "linreg"):
            coef = np.atleast_2d(est.coef_)
            doc = {"format": "linear-json", "version": 1,
                   "model": "logistic_regression" if is_clf else "linear_regression",
                   "feature_names": FEATURE_NAMES,
                   "impute": imp.statistics_.tolist(), "center": sc.mean_.tolist(), "scale": sc.scale_.tolist(),
                   "coefficients": coef.tolist(), "intercepts": np.atleast_1d(est.intercept_).tolist()}
            with open(out(f"linear_{key}.json"), "w") as f:
                json.dump(doc, f, indent=1)
            if is_clf:
                proba = pipe.predict_proba(Rs)
                pred = proba[:, 1:] if proba.shape[1] == 2 else proba
                cols = ["p"] if proba.shape[1] == 2 else [f"p{i}" for i in range(proba.shape[1])]
            else:
                pred, cols = pipe.predict(Rs).reshape(-1, 1), ["value"]
            record(f"linear_{key}", f"linear_{key}.json", "linear-json", "binary" if cols == ["p"] else ("regression" if cols == ["value"] else "multiclass"),
                   cols, pred, False, "float64", rows=SMOOTH_ROWS)
        options = {id(est): {"zipmap": False}} if is_clf else None
        model = to_onnx(pipe, Xs[:1].astype(np.float32), options=options)
        with open(out(f"sk_{key}.onnx"), "wb") as f:
            f.write(model.SerializeToString())
        sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
        outs = sess.run(None, {sess.get_inputs()[0].name: Rs.astype(np.float32)})
        if is_clf:
            proba = outs[1]
            pred = proba[:, 1:] if proba.shape[1] == 2 else proba
            cols = ["p"] if proba.shape[1] == 2 else [f"p{i}" for i in range(proba.shape[1])]
            kind = "binary" if cols == ["p"] else "multiclass"
        else:
            pred, cols, kind = outs[0].reshape(-1, 1), ["value"], "regression"
        sess_probs[key] = pred
        record(f"sk_{key}", f"sk_{key}.onnx", "onnx", kind, cols, pred, False, "float32", rows=SMOOTH_ROWS)

    # ZipMap left on (skl2onnx's default): the probabilities go through a ZipMap.
    pipe = pipes["logreg"][0]
    model = to_onnx(pipe, Xs[:1].astype(np.float32))
    with open(out("sk_logreg_zipmap.onnx"), "wb") as f:
        f.write(model.SerializeToString())
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    zm = sess.run(None, {sess.get_inputs()[0].name: Rs.astype(np.float32)})[1]
    zipped = np.array([[d[1]] for d in zm], dtype=np.float32)
    assert np.array_equal(zipped[:SMOOTH_ROWS], sess_probs["logreg"][:SMOOTH_ROWS]), "ZipMap changed the probabilities"
    record("sk_logreg_zipmap", "sk_logreg_zipmap.onnx", "onnx", "binary", ["p"], zipped, False, "float32",
           rows=SMOOTH_ROWS, predictions="sk_logreg.csv")

    manifest_doc = {"generator": "tools/model_fixtures/generate.py", "seed": args.seed, "rows": len(R),
                    "versions": {"xgboost": xgb.__version__, "lightgbm": lgb.__version__, "scikit-learn": sklearn.__version__,
                                 "skl2onnx": skl2onnx.__version__, "onnxruntime": ort.__version__, "numpy": np.__version__},
                    "models": manifest}
    with open(out("manifest.json"), "w") as f:
        json.dump(manifest_doc, f, indent=1)
    total = sum(os.path.getsize(out(n)) for n in os.listdir(args.out))
    print(f"wrote {len(manifest)} models and {len(R)} rows to {args.out} ({total // 1024} KiB)")


if __name__ == "__main__":
    sys.exit(main())

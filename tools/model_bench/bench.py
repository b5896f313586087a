#!/usr/bin/env python3
"""Side-by-side model scoring benchmark, Python half (tools/model_bench/run.sh).

  bench.py models DIR [--rows N]   train the benchmark models and write them,
                                   plus DIR/rows.f64 (N x 14 float64, NaN =
                                   missing) and DIR/meta.json
  bench.py python DIR [--single N] [--reps R]
                                   time the libraries on the same rows; one JSON
                                   line per measurement on stdout

Models (14 numeric features, NaN in five of them):
  xgb_binary.json    XGBoost 3.x, binary:logistic, 100 trees, max_depth 6 (hist)
  lgb_binary.txt     LightGBM 4.x, binary, 100 trees, num_leaves 63
  linear_logreg.json linear-json of an imputer+scaler+LogisticRegression pipeline
  sk_logreg.onnx     skl2onnx of the same pipeline
  sk_mlp.onnx        skl2onnx of imputer+scaler+MLPClassifier(32, 32, relu)

Python measurements: single-row latency (one call per row, p50/p99 over
--single rows) with xgboost's inplace_predict, LightGBM's Booster.predict and
onnxruntime's InferenceSession.run (scikit-learn's predict_proba for the
linear model); batch throughput on 10k and all rows with 2 threads
(nthread=2, num_threads=2, intra_op_num_threads=2), best of --reps.
"""
import argparse
import json
import os
import sys
import time
import warnings

import numpy as np

warnings.filterwarnings("ignore")

F = 14


def make_rows(rng, n):
    X = rng.normal(size=(n, F))
    X[:, 0] = np.round(rng.uniform(18, 90, n))
    X[:, 1] = rng.lognormal(10, 0.6, n)
    X[:, 2] = rng.integers(0, 121, n)
    X[:, 3] = rng.poisson(3, n)
    for j, frac in [(0, 0.05), (1, 0.05), (5, 0.1), (8, 0.2), (11, 0.02)]:
        X[rng.random(n) < frac, j] = np.nan
    return X


def label(rng, X):
    z = (0.03 * (np.nan_to_num(X[:, 0], nan=50) - 50) - 0.4 * np.log(np.nan_to_num(X[:, 1], nan=20000) / 20000)
         - 0.01 * X[:, 2] + 0.2 * X[:, 3] + X[:, 4] * X[:, 6] - 0.5 * np.nan_to_num(X[:, 5]) ** 2
         + np.sin(2 * X[:, 7]) + 0.6 * np.where(np.isnan(X[:, 8]), 1.0, X[:, 8]) - 0.5)
    return (rng.random(len(X)) < 1 / (1 + np.exp(-z))).astype(int)


def cmd_models(args):
    import lightgbm as lgb
    import xgboost as xgb
    from skl2onnx import to_onnx
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    os.makedirs(args.dir, exist_ok=True)
    rng = np.random.default_rng(11)
    X = make_rows(rng, 20000)
    y = label(rng, X)
    d = xgb.DMatrix(X, label=y, missing=np.nan)
    xgb.train(dict(objective="binary:logistic", max_depth=6, learning_rate=0.1, tree_method="hist", seed=1,
                   nthread=2), d, 100).save_model(os.path.join(args.dir, "xgb_binary.json"))
    lgb.train(dict(objective="binary", num_leaves=63, learning_rate=0.1, verbose=-1, num_threads=2, seed=1),
              lgb.Dataset(X, y), 100).save_model(os.path.join(args.dir, "lgb_binary.txt"))
    lr = make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), LogisticRegression(max_iter=500)).fit(X, y)
    imp, sc, est = (s[1] for s in lr.steps)
    with open(os.path.join(args.dir, "linear_logreg.json"), "w") as f:
        json.dump({"format": "linear-json", "version": 1, "model": "logistic_regression",
                   "impute": imp.statistics_.tolist(), "center": sc.mean_.tolist(), "scale": sc.scale_.tolist(),
                   "coefficients": est.coef_.tolist(), "intercepts": est.intercept_.tolist()}, f)
    import pickle
    with open(os.path.join(args.dir, "linear_logreg.pkl"), "wb") as f:
        pickle.dump(lr, f)
    mlp = make_pipeline(SimpleImputer(strategy="median"), StandardScaler(),
                        MLPClassifier(hidden_layer_sizes=(32, 32), max_iter=200, random_state=1)).fit(X, y)
    for name, pipe in [("sk_logreg.onnx", lr), ("sk_mlp.onnx", mlp)]:
        est = pipe.steps[-1][1]
        m = to_onnx(pipe, X[:1].astype(np.float32), options={id(est): {"zipmap": False}})
        with open(os.path.join(args.dir, name), "wb") as f:
            f.write(m.SerializeToString())
    R = make_rows(np.random.default_rng(12), args.rows)
    R.astype("<f8").tofile(os.path.join(args.dir, "rows.f64"))
    with open(os.path.join(args.dir, "meta.json"), "w") as f:
        json.dump({"rows": args.rows, "features": F}, f)


def percentiles(ns):
    a = np.sort(np.array(ns, dtype=np.float64)) / 1000.0
    return {"p50_us": float(np.percentile(a, 50)), "p99_us": float(np.percentile(a, 99)), "mean_us": float(a.mean())}


def emit(**kw):
    print(json.dumps(kw), flush=True)


def cmd_python(args):
    import lightgbm as lgb
    import onnxruntime as ort
    import pickle
    import xgboost as xgb

    meta = json.load(open(os.path.join(args.dir, "meta.json")))
    R = np.fromfile(os.path.join(args.dir, "rows.f64"), dtype="<f8").reshape(meta["rows"], meta["features"])
    R32 = R.astype(np.float32)
    n1 = min(args.single, len(R))

    xb = xgb.Booster(model_file=os.path.join(args.dir, "xgb_binary.json"))
    lb = lgb.Booster(model_file=os.path.join(args.dir, "lgb_binary.txt"))
    lr = pickle.load(open(os.path.join(args.dir, "linear_logreg.pkl"), "rb"))

    def session(name, threads):
        o = ort.SessionOptions()
        o.intra_op_num_threads = threads
        o.inter_op_num_threads = 1
        return ort.InferenceSession(os.path.join(args.dir, name), o, providers=["CPUExecutionProvider"])

    single = {
        "xgboost-json": ("xgboost inplace_predict", lambda i: (xb.set_param({"nthread": 1}), None)[1],
                         lambda i: xb.inplace_predict(R[i:i + 1])),
        "lightgbm-text": ("lightgbm Booster.predict", None, lambda i: lb.predict(R[i:i + 1], num_threads=1)),
        "linear-json": ("sklearn predict_proba", None, lambda i: lr.predict_proba(R[i:i + 1])),
    }
    for fmt, (peer, setup, fn) in single.items():
        if setup:
            setup(0)
        for i in range(50):
            fn(i)
        ns = []
        for i in range(n1):
            t = time.perf_counter_ns()
            fn(i)
            ns.append(time.perf_counter_ns() - t)
        emit(kind="single", format=fmt, model=fmt, peer=peer, rows=n1, **percentiles(ns))
    for name in ["sk_logreg.onnx", "sk_mlp.onnx"]:
        s = session(name, 1)
        inp = s.get_inputs()[0].name
        for i in range(50):
            s.run(None, {inp: R32[i:i + 1]})
        ns = []
        for i in range(n1):
            x = R32[i:i + 1]
            t = time.perf_counter_ns()
            s.run(None, {inp: x})
            ns.append(time.perf_counter_ns() - t)
        emit(kind="single", format="onnx", model=name, peer="onnxruntime run", rows=n1, **percentiles(ns))

    xb.set_param({"nthread": 2})
    batch = {
        "xgb_binary.json": ("xgboost inplace_predict, nthread=2", lambda X, X32: xb.inplace_predict(X)),
        "lgb_binary.txt": ("lightgbm predict, num_threads=2", lambda X, X32: lb.predict(X, num_threads=2)),
        "linear_logreg.json": ("sklearn predict_proba", lambda X, X32: lr.predict_proba(X)),
    }
    sessions = {name: session(name, 2) for name in ["sk_logreg.onnx", "sk_mlp.onnx"]}
    for name, s in sessions.items():
        inp = s.get_inputs()[0].name
        batch[name] = ("onnxruntime run, intra_op_num_threads=2", lambda X, X32, s=s, inp=inp: s.run(None, {inp: X32}))
    for rows in sorted({10000, len(R)}):
        X, X32 = R[:rows], R32[:rows]
        for name, (peer, fn) in batch.items():
            fn(X, X32)
            best = best_cpu = None
            for _ in range(args.reps):
                t, c = time.perf_counter_ns(), time.process_time_ns()
                fn(X, X32)
                dt, dc = time.perf_counter_ns() - t, time.process_time_ns() - c
                best = dt if best is None else min(best, dt)
                best_cpu = dc if best_cpu is None else min(best_cpu, dc)
            emit(kind="batch", model=name, peer=peer, rows=rows, seconds=best / 1e9, rows_per_s=rows / (best / 1e9),
                 cpu_seconds=best_cpu / 1e9)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("models")
    m.add_argument("dir")
    m.add_argument("--rows", type=int, default=100000)
    p = sub.add_parser("python")
    p.add_argument("dir")
    p.add_argument("--single", type=int, default=5000)
    p.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()
    {"models": cmd_models, "python": cmd_python}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())

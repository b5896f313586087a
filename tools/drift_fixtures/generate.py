#!/usr/bin/env python3
"""Drift parity fixtures: Evidently's statistic values and verdicts on seeded samples.

Writes Tests/Fixtures/drift/cases.json: for each case, the reference and current
values (numbers or strings), and per method (auto, ks, chisquare, z, wasserstein,
jensenshannon, psi where the method applies) the method Evidently used, the
statistic and the drift verdict at the default threshold. The Swift tests
(Tests/MonitoringTests) read that file and need no Python.

    .venv-drift/bin/python tools/drift_fixtures/generate.py [OUTPUT]   (make drift-fixtures)

Needs evidently (tools/requirements-drift.txt, make venv-drift). Deterministic: seeded numpy.
"""
import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import evidently
from evidently.legacy.calculations.stattests import (
    chi_stat_test, jensenshannon_stat_test, ks_stat_test, psi_stat_test,
    wasserstein_stat_test, z_stat_test)
from evidently.legacy.calculations.stattests.registry import get_stattest
from evidently.legacy.core import ColumnType

METHODS = {
    "ks": ks_stat_test, "chisquare": chi_stat_test, "z": z_stat_test,
    "wasserstein": wasserstein_stat_test, "jensenshannon": jensenshannon_stat_test,
    "psi": psi_stat_test,
}
NUMERIC_ONLY = {"ks", "wasserstein"}


def cases():
    rng = np.random.default_rng(20261122)
    out = []

    def num(name, ref, cur):
        out.append((name, ColumnType.Numerical, np.round(ref, 6), np.round(cur, 6)))

    def cat(name, ref, cur):
        out.append((name, ColumnType.Categorical, np.asarray(ref, dtype=object), np.asarray(cur, dtype=object)))

    # Small samples (≤ 1000 reference rows: KS / chi-square / Z under auto).
    num("num_small_same", rng.normal(0, 1, 300), rng.normal(0, 1, 250))
    num("num_small_shift", rng.normal(0, 1, 300), rng.normal(0.4, 1, 300))
    num("num_small_unequal", rng.normal(5, 2, 800), rng.normal(5.3, 2.2, 120))
    num("num_small_ties", rng.integers(0, 40, 500).astype(float), rng.integers(3, 40, 700).astype(float))
    num("num_small_few_values", rng.integers(0, 4, 400).astype(float), rng.integers(0, 4, 380).astype(float))
    num("num_small_big_current", rng.normal(0, 1, 900), rng.normal(0.05, 1, 20000))
    num("num_small_binary", rng.integers(0, 2, 200).astype(float), (rng.random(260) < 0.62).astype(float))
    cats = np.array(["red", "green", "blue", "cyan", "magenta"])
    cat("cat_small_same", rng.choice(cats, 600), rng.choice(cats, 500))
    cat("cat_small_shift", rng.choice(cats, 600, p=[.3, .3, .2, .1, .1]), rng.choice(cats, 400, p=[.1, .2, .2, .25, .25]))
    cat("cat_small_new_value", rng.choice(cats[:3], 300), rng.choice(cats[:4], 300))
    cat("cat_small_binary", rng.choice(["yes", "no"], 700, p=[.7, .3]), rng.choice(["yes", "no"], 500, p=[.62, .38]))
    # Large samples (> 1000 reference rows: Wasserstein / Jensen–Shannon under auto).
    num("num_large_same", rng.normal(10, 3, 5000), rng.normal(10, 3, 4000))
    num("num_large_shift", rng.normal(10, 3, 5000), rng.normal(10.5, 3, 5000))
    num("num_large_asymp", rng.exponential(2, 12000), rng.exponential(2.1, 15000))
    num("num_large_few_values", rng.integers(0, 5, 3000).astype(float), rng.integers(0, 5, 2000).astype(float))
    num("num_large_15_values", rng.integers(0, 15, 3000).astype(float), rng.integers(2, 15, 2000).astype(float))
    cat("cat_large_same", rng.choice(cats, 5000), rng.choice(cats, 6000))
    cat("cat_large_shift", rng.choice(cats, 5000, p=[.3, .3, .2, .1, .1]), rng.choice(cats, 5000, p=[.2, .3, .2, .15, .15]))
    cat("cat_large_missing_value", rng.choice(cats, 3000), rng.choice(cats[:4], 3000))
    return out


def value(x):
    return float(x) if isinstance(x, (float, np.floating)) else str(x)


def main():
    root = Path(__file__).resolve().parents[2]
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else root / "Tests/Fixtures/drift/cases.json"
    result = {"evidently": evidently.__version__, "cases": []}
    for name, kind, ref, cur in cases():
        r, c = pd.Series(ref), pd.Series(cur)
        numeric = kind == ColumnType.Numerical
        entry = {"name": name, "kind": "numeric" if numeric else "categorical",
                 "reference": [value(x) for x in ref], "current": [value(x) for x in cur], "methods": {}}
        auto = get_stattest(r, c, kind, None)
        res = auto(r, c, kind, None)
        entry["methods"]["auto"] = {"method": auto.name, "statistic": float(res.drift_score),
                                    "threshold": float(res.actual_threshold), "drifted": bool(res.drifted)}
        for m, test in METHODS.items():
            if m in NUMERIC_ONLY and not numeric:
                continue
            if m == "z" and pd.concat([r, c]).nunique() > 2:
                continue
            res = test(r, c, kind, None)
            if not math.isfinite(float(res.drift_score)):
                continue
            entry["methods"][m] = {"method": m, "statistic": float(res.drift_score),
                                   "threshold": float(res.actual_threshold), "drifted": bool(res.drifted)}
        result["cases"].append(entry)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(result, separators=(",", ":")) + "\n")
    print(f"wrote {target}: {len(result['cases'])} cases")


if __name__ == "__main__":
    main()

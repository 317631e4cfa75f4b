"""Fits scikit-learn's ElasticNet on both wine files, split the way MLflow's
sklearn_elasticnet_wine/train.py splits them (global numpy seed 40, then train_test_split
with defaults), over an alpha x l1_ratio grid. Prints one JSON line.

Usage: sklearn_enet.py <red.csv> <white.csv>
"""
import json
import sys
import warnings

import numpy as np
import pandas as pd
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNet
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
from sklearn.model_selection import train_test_split

ALPHAS = [0.01, 0.1, 0.5, 1.0]
L1_RATIOS = [0.1, 0.5, 0.9]


def split(path, sep):
    data = pd.read_csv(path, sep=sep)
    np.random.seed(40)
    train, test = train_test_split(data)
    return data, train, test


def fit_one(train, test, alpha, l1_ratio, **extra):
    train_x, train_y = train.drop(["quality"], axis=1), train[["quality"]]
    test_x, test_y = test.drop(["quality"], axis=1), test[["quality"]]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, random_state=42, **extra)
        model.fit(train_x, train_y)
    pred = model.predict(test_x)
    return {
        "alpha": alpha,
        "l1_ratio": l1_ratio,
        "extra": extra,
        "coef": model.coef_.tolist(),
        "intercept": float(model.intercept_[0]) if np.ndim(model.intercept_) else float(model.intercept_),
        "n_iter": int(model.n_iter_),
        "dual_gap": float(model.dual_gap_),
        "converged": not any(issubclass(w.category, ConvergenceWarning) for w in caught),
        "rmse": float(np.sqrt(mean_squared_error(test_y, pred))),
        "mae": float(mean_absolute_error(test_y, pred)),
        "r2": float(r2_score(test_y, pred)),
    }


def main():
    red_path, white_path = sys.argv[1], sys.argv[2]
    out = {"sklearn": sklearn.__version__, "numpy": np.__version__, "files": {}}
    for name, path, sep in (("red", red_path, ";"), ("white", white_path, ",")):
        data, train, test = split(path, sep)
        out["files"][name] = {
            "columns": [c for c in data.columns if c != "quality"],
            "train_index": train.index.tolist(),
            "test_index": test.index.tolist(),
            "fits": [fit_one(train, test, a, r) for a in ALPHAS for r in L1_RATIOS],
            # Off the default path: no intercept, and a max_iter too small to converge.
            "extra_fits": [
                fit_one(train, test, 0.1, 0.5, fit_intercept=False),
                fit_one(train, test, 0.001, 0.7, max_iter=3),
                fit_one(train, test, 0.01, 1.0, tol=1e-8),
            ],
        }
        # train_test_split(random_state=7) must give what np.random.seed(7) + the global RNG gives.
        tr7, te7 = train_test_split(data, random_state=7, test_size=0.3)
        out["files"][name]["seed7_test30"] = {"train_index": tr7.index.tolist(), "test_index": te7.index.tolist()}
    print(json.dumps(out))


if __name__ == "__main__":
    main()

"""scikit-learn's metrics and StandardScaler on inputs the test sends as JSON on stdin.

stdin: {"regression": {"y": [...], "pred": [...]},
        "classification": {"y": [...], "pred": [...], "proba": [[...], ...]},
        "scaler": {"rows": [[...], ...]}}
stdout: one JSON line with sklearn's values.
"""
import json
import sys

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    log_loss,
    mean_absolute_error,
    mean_squared_error,
    precision_recall_fscore_support,
    r2_score,
)
from sklearn.preprocessing import StandardScaler


def main():
    req = json.load(sys.stdin)
    reg, cls, sc = req["regression"], req["classification"], req["scaler"]
    y, pred = np.array(reg["y"], dtype=float), np.array(reg["pred"], dtype=float)
    yc, pc = np.array(cls["y"]), np.array(cls["pred"])
    proba = np.array(cls["proba"], dtype=float)
    p, r, f, s = precision_recall_fscore_support(yc, pc, average=None, zero_division=0)
    mp, mr, mf, _ = precision_recall_fscore_support(yc, pc, average="macro", zero_division=0)
    scaler = StandardScaler().fit(np.array(sc["rows"], dtype=float))
    print(json.dumps({
        "mse": float(mean_squared_error(y, pred)),
        "rmse": float(np.sqrt(mean_squared_error(y, pred))),
        "mae": float(mean_absolute_error(y, pred)),
        "r2": float(r2_score(y, pred)),
        "accuracy": float(accuracy_score(yc, pc)),
        "log_loss": float(log_loss(yc, proba, labels=list(range(proba.shape[1])))),
        "labels": sorted(set(yc.tolist()) | set(pc.tolist())),
        "precision": p.tolist(), "recall": r.tolist(), "f1": f.tolist(), "support": s.tolist(),
        "macro": {"precision": float(mp), "recall": float(mr), "f1": float(mf)},
        "scaler": {"mean": scaler.mean_.tolist(), "var": scaler.var_.tolist(), "scale": scaler.scale_.tolist()},
    }))


if __name__ == "__main__":
    main()

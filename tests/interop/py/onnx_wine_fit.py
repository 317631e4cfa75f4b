"""Fits scikit-learn's ElasticNet on a wine CSV (path in argv[1]) with and without
standardisation, as a realistic float64 linear model for the ONNX export tests.
stdout (last line): JSON {columns, rows, raw: {coef, intercept}, scaled: {coef, intercept, mean, scale}}.
"""
import json
import sys

import pandas as pd
from sklearn.linear_model import ElasticNet
from sklearn.preprocessing import StandardScaler

frame = pd.read_csv(sys.argv[1], sep=None, engine="python")
x = frame.drop(columns=["quality"])
y = frame["quality"]
raw = ElasticNet(alpha=0.01, l1_ratio=0.5, random_state=42).fit(x, y)
scaler = StandardScaler().fit(x)
scaled = ElasticNet(alpha=0.01, l1_ratio=0.5, random_state=42).fit(scaler.transform(x), y)
print(json.dumps({
    "columns": list(x.columns),
    "rows": x.to_numpy(dtype=float).tolist(),
    "raw": {"coef": raw.coef_.tolist(), "intercept": float(raw.intercept_)},
    "scaled": {"coef": scaled.coef_.tolist(), "intercept": float(scaled.intercept_),
               "mean": scaler.mean_.tolist(), "scale": scaler.scale_.tolist()},
}))

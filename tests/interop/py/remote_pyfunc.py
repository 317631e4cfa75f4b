"""Loads a models:/ URI from the tracking server with pyfunc and predicts the rows given on
stdin (a JSON dataframe_split). Prints {"flavors": [...], "predictions": [...] or null}."""
import json
import sys

import mlflow
import pandas as pd
from mlflow.models import Model
from mlflow.artifacts import download_artifacts

uri = sys.argv[1]
local = download_artifacts(artifact_uri=uri)
flavors = sorted(Model.load(local).flavors.keys())
preds = None
if "python_function" in flavors:
    payload = json.load(sys.stdin)
    # The signature's columns are doubles and JSON writes 7.0 as 7: give pandas floats, as a
    # caller with the wine CSV would (MLflow refuses int64 for a double column).
    df = pd.DataFrame(payload["data"], columns=payload["columns"]).astype("float64")
    out = mlflow.pyfunc.load_model(uri).predict(df)
    # A flavor may answer with a frame (one column), a {"predictions": ...} dict or an array.
    if isinstance(out, pd.DataFrame):
        out = out.iloc[:, 0]
    elif isinstance(out, dict):
        out = out["predictions"]
    preds = [float(x) for x in pd.Series(list(out)).ravel()]
print(json.dumps({"flavors": flavors, "predictions": preds}))

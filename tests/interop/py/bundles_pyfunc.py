"""Loads MLflow Model folders the lab exported and predicts with mlflow.pyfunc.

stdin: JSON list of {"id", "dir", "columns", "rows"}. For each model: load it with
mlflow.pyfunc.load_model, predict on the rows as a pandas DataFrame, and also predict on the
model's own saved input example and check the serving example parses. Prints one JSON line:
{id: {"columns": {name: [values]}, "example_rows": n, "flavors": [...], "signature_inputs": [...]}}.
"""
import json
import sys

import mlflow
import pandas as pd
from mlflow.models import Model


def main():
    jobs = json.load(sys.stdin)
    out = {}
    for job in jobs:
        model = mlflow.pyfunc.load_model(job["dir"])
        df = pd.DataFrame(job["rows"], columns=job["columns"])
        pred = model.predict(df)
        cols = {c: [v.item() if hasattr(v, "item") else v for v in pred[c].tolist()] for c in pred.columns}
        meta = Model.load(job["dir"])
        example = meta.load_input_example(job["dir"])
        ex_pred = model.predict(example)
        with open(f"{job['dir']}/serving_input_example.json") as f:
            serving = json.load(f)
        out[job["id"]] = {
            "columns": cols,
            "example_rows": len(ex_pred),
            "serving_columns": serving["dataframe_split"]["columns"],
            "flavors": sorted(meta.flavors.keys()),
            "signature_inputs": meta.signature.inputs.input_names(),
            "model_uuid": meta.model_uuid,
            "run_id": meta.run_id,
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()

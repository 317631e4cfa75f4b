"""Reads the model registry of an unpacked lab export with real MLflow and prints JSON.

Usage: bundles_registry_read.py DIR [TRACKING_URI]  (DIR holds mlruns/ or mlflow.db; artifact locations are relative to it)
stdin: {"name": ..., "columns": [...], "rows": [[...]], "other_model": ..., "other_run": ...}

Prints get_registered_model, get_model_version_by_alias(name, 'champion'),
search_model_versions, the files `models:/<name>/1` downloads to, what
mlflow.pyfunc.load_model does with `models:/<name>@champion` (predictions) and with
`models:/<name>/1` (predictions or the error), and the number MLflow gives the next version of
`other_model` (whose last version was deleted in the lab).
"""
import json
import os
import sys
import tempfile
import warnings

warnings.filterwarnings("ignore")
work = os.path.abspath(sys.argv[1])
os.chdir(work)
job = json.load(sys.stdin)

import mlflow  # noqa: E402
import pandas as pd  # noqa: E402
from mlflow import MlflowClient  # noqa: E402

# A tracking URI as the second argument (sqlite:///mlflow.db); else the file store in DIR.
uri = sys.argv[2] if len(sys.argv) > 2 else os.path.join(work, "mlruns")
mlflow.set_tracking_uri(uri)
mlflow.set_registry_uri(uri)
client = MlflowClient(tracking_uri=uri, registry_uri=uri)
name = job["name"]


def version_json(v):
    return {
        "version": int(v.version), "run_id": v.run_id, "source": v.source, "current_stage": v.current_stage,
        "description": v.description, "tags": dict(v.tags), "aliases": sorted(v.aliases), "status": v.status,
        "creation_timestamp": v.creation_timestamp,
    }


def failure(e):
    return f"{type(e).__name__}: {e}"[:600]


m = client.get_registered_model(name)
out = {
    "model": {
        "name": m.name, "description": m.description, "tags": dict(m.tags), "aliases": {k: int(v) for k, v in m.aliases.items()},
        "latest_versions": sorted([int(v.version), v.current_stage] for v in m.latest_versions),
        "creation_timestamp": m.creation_timestamp,
    },
    "by_alias": version_json(client.get_model_version_by_alias(name, "champion")),
    "versions": sorted((version_json(v) for v in client.search_model_versions(f"name='{name}'")), key=lambda v: v["version"]),
    "models": sorted(r.name for r in client.search_registered_models()),
}

try:
    dst = mlflow.artifacts.download_artifacts(f"models:/{name}/1", dst_path=tempfile.mkdtemp())
    out["download_v1"] = sorted(os.path.relpath(os.path.join(d, f), dst) for d, _, fs in os.walk(dst) for f in fs)
except Exception as e:  # noqa: BLE001
    out["download_v1"] = failure(e)

try:
    model = mlflow.pyfunc.load_model(f"models:/{name}@champion")
    pred = model.predict(pd.DataFrame(job["rows"], columns=job["columns"], dtype="float64"))
    col = pred[pred.columns[0]] if hasattr(pred, "columns") else pred
    out["load_champion"] = {"predictions": [float(x) for x in list(col)]}
except Exception as e:  # noqa: BLE001
    out["load_champion"] = {"error": failure(e)}

try:
    model = mlflow.pyfunc.load_model(f"models:/{name}/1")
    pred = model.predict(pd.DataFrame(job["rows"], columns=job["columns"], dtype="float64"))
    col = pred[pred.columns[0]] if hasattr(pred, "columns") else pred
    out["load_v1"] = {"ok": True, "predictions": [float(x) for x in list(col)]}
except Exception as e:  # noqa: BLE001
    out["load_v1"] = {"error": failure(e)}

try:
    if not job.get("other_model"):
        raise LookupError("not asked")
    v = client.create_model_version(job["other_model"], source=f"runs:/{job['other_run']}/model", run_id=job["other_run"])
    out["next_other"] = int(v.version)
except Exception as e:  # noqa: BLE001
    out["next_other"] = failure(e)

print(json.dumps(out))

"""Reads everything from an MLflow tracking store with the real MlflowClient and prints JSON.

Usage: mlflow_read_store.py --tracking-uri URI [--cwd DIR] [--migrate-from MLRUNS --db PATH]

Metric values are printed as big-endian IEEE-754 hex so NaN, -0.0 and infinities compare exactly.
Artifacts are downloaded and printed as base64; a failed download is reported, not raised.
"""
import argparse
import base64
import json
import os
import struct
import subprocess
import sys
import tempfile
import warnings

warnings.filterwarnings("ignore")

ap = argparse.ArgumentParser()
ap.add_argument("--tracking-uri")
ap.add_argument("--cwd")
ap.add_argument("--migrate-from")
ap.add_argument("--db")
args = ap.parse_args()
if args.cwd:
    os.chdir(args.cwd)

if args.migrate_from:
    proc = subprocess.run(
        [sys.executable, "-m", "mlflow", "migrate-filestore", "--source", args.migrate_from,
         "--target", f"sqlite:///{args.db}", "--no-progress"],
        capture_output=True, text=True,
    )
    if proc.returncode != 0:
        print(json.dumps({"migrate_error": proc.stderr[-4000:]}))
        sys.exit(0)
    args.tracking_uri = f"sqlite:///{args.db}"

import mlflow  # noqa: E402
from mlflow import MlflowClient  # noqa: E402
from mlflow.entities import ViewType  # noqa: E402


def fhex(v):
    return struct.pack(">d", float(v)).hex()


client = MlflowClient(tracking_uri=args.tracking_uri)


def list_files(run_id, path=None):
    out = []
    for f in client.list_artifacts(run_id, path):
        out.extend(list_files(run_id, f.path) if f.is_dir else [f.path])
    return out


def artifacts_of(run_id):
    result = {}
    try:
        paths = list_files(run_id)
    except Exception as e:  # noqa: BLE001
        return {"error": f"list: {type(e).__name__}: {e}"}
    with tempfile.TemporaryDirectory() as d:
        for p in paths:
            try:
                local = client.download_artifacts(run_id, p, d)
                with open(local, "rb") as fh:
                    result[p] = base64.b64encode(fh.read()).decode()
            except Exception as e:  # noqa: BLE001
                return {"error": f"download {p}: {type(e).__name__}: {e}"}
    return {"files": result}


out = {"version": mlflow.__version__, "experiments": [], "runs": [], "logged_models": []}
exps = client.search_experiments(view_type=ViewType.ALL)
for e in exps:
    out["experiments"].append({
        "experiment_id": e.experiment_id, "name": e.name, "lifecycle_stage": e.lifecycle_stage,
        "artifact_location": e.artifact_location, "creation_time": e.creation_time,
        "last_update_time": e.last_update_time, "tags": dict(e.tags),
    })
    for r in client.search_runs([e.experiment_id], run_view_type=ViewType.ALL, max_results=1000):
        full = client.get_run(r.info.run_id)  # opening by id checks the folder layout
        metrics = {}
        for key in full.data.metrics:
            hist = client.get_metric_history(r.info.run_id, key)
            metrics[key] = [[m.timestamp, fhex(m.value), m.step] for m in hist]
        out["runs"].append({
            "run_id": r.info.run_id, "experiment_id": r.info.experiment_id, "run_name": r.info.run_name,
            "user_id": r.info.user_id, "status": r.info.status, "start_time": r.info.start_time,
            "end_time": r.info.end_time, "lifecycle_stage": r.info.lifecycle_stage,
            "artifact_uri": r.info.artifact_uri,
            "params": dict(full.data.params), "tags": dict(full.data.tags),
            "latest": {k: fhex(v) for k, v in full.data.metrics.items()},
            "metrics": metrics,
            "inputs": [
                {"name": di.dataset.name, "digest": di.dataset.digest, "source_type": di.dataset.source_type,
                 "source": di.dataset.source, "schema": di.dataset.schema, "profile": di.dataset.profile,
                 "tags": {t.key: t.value for t in di.tags}}
                for di in (full.inputs.dataset_inputs if full.inputs else [])
            ],
            "outputs": [{"model_id": o.model_id, "step": o.step} for o in (full.outputs.model_outputs if full.outputs else [])],
            "artifacts": artifacts_of(r.info.run_id),
        })
    try:
        models = client.search_logged_models(experiment_ids=[e.experiment_id])
    except Exception as ex:  # noqa: BLE001
        models = []
        out.setdefault("logged_model_errors", []).append(str(ex))
    for m in models:
        out["logged_models"].append({
            "model_id": m.model_id, "name": m.name, "experiment_id": m.experiment_id,
            "source_run_id": m.source_run_id, "status": str(m.status), "params": dict(m.params),
            "tags": dict(m.tags), "artifact_location": m.artifact_location,
            "metrics": [[x.key, fhex(x.value), x.timestamp, x.step, x.run_id] for x in (m.metrics or [])],
        })
print(json.dumps(out))

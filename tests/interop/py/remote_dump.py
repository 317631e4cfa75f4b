"""Dumps what an MLflow tracking server holds, through MlflowClient (MLFLOW_TRACKING_URI and
credentials from the environment): experiments given as arguments (all when none), every run
with params, tags, full metric histories (doubles as IEEE-754 hex, bit for bit), dataset
inputs, artifact bytes (sha256), and the registered models with versions and aliases.
Prints one JSON line."""
import hashlib
import json
import os
import struct
import sys
import tempfile

from mlflow.tracking import MlflowClient
from mlflow.entities import ViewType


def bits(v):
    if v != v:
        return "nan"
    return struct.pack(">d", v).hex()


def artifacts(client, run_id):
    """Every file of the run's artifact tree (one download of the whole tree) by path."""
    out = {}
    with tempfile.TemporaryDirectory() as d:
        local = client.download_artifacts(run_id, "", d)
        for root, _, files in os.walk(local):
            for name in files:
                path = os.path.join(root, name)
                with open(path, "rb") as fh:
                    out[os.path.relpath(path, local).replace(os.sep, "/")] = hashlib.sha256(fh.read()).hexdigest()
    return out


def main():
    client = MlflowClient()
    names = sys.argv[1:]
    exps = [client.get_experiment_by_name(n) for n in names] if names else client.search_experiments(view_type=ViewType.ALL)
    result = {"experiments": {}, "models": {}}
    for e in exps:
        if e is None:
            continue
        runs = client.search_runs([e.experiment_id], run_view_type=ViewType.ALL, max_results=50000)
        dumped = []
        for r in runs:
            hist = {}
            for key in r.data.metrics:
                pts = client.get_metric_history(r.info.run_id, key)
                hist[key] = sorted([[int(p.step), int(p.timestamp), bits(p.value)] for p in pts])
            inputs = []
            if r.inputs and r.inputs.dataset_inputs:
                for di in r.inputs.dataset_inputs:
                    d = di.dataset
                    inputs.append({"name": d.name, "digest": d.digest, "source_type": d.source_type, "source": d.source,
                                   "schema": d.schema or None, "profile": d.profile or None,
                                   "tags": {t.key: t.value for t in di.tags}})
            dumped.append({
                "run_id": r.info.run_id, "name": r.info.run_name, "status": r.info.status,
                "start_time": r.info.start_time, "end_time": r.info.end_time,
                "params": r.data.params, "tags": r.data.tags, "metrics": hist, "inputs": inputs,
                "artifacts": artifacts(client, r.info.run_id) if os.environ.get("DUMP_ARTIFACTS", "1") == "1" else {},
            })
        result["experiments"][e.name] = {"id": e.experiment_id, "runs": dumped}
    for m in client.search_registered_models():
        versions = client.search_model_versions(f"name='{m.name}'")
        result["models"][m.name] = {
            "aliases": {a: str(v) for a, v in (m.aliases or {}).items()},
            "versions": sorted([{"version": str(v.version), "run_id": v.run_id, "source": v.source, "stage": v.current_stage,
                                 "tags": v.tags} for v in versions], key=lambda v: int(v["version"])),
        }
    print(json.dumps(result))


main()

"""Logs runs with real MLflow into a file store, zips it, and prints JSON of what was logged.

Usage: mlflow_log_store.py WORKDIR [sqlite]
Writes WORKDIR/mlruns and WORKDIR/mlruns.zip (a zip of the folder, as a person would make).
With `sqlite`: MLflow's defaults since 3.7, `sqlite:///WORKDIR/mlflow.db` with its default
artifact root (WORKDIR/mlruns, absolute paths in the database), the model registered as `wine`
with alias `champion`; WORKDIR/store.zip holds mlflow.db and mlruns/.
Metric values are big-endian IEEE-754 hex so NaN and infinities compare exactly.
"""
import base64
import json
import os
import shutil
import struct
import sys
import warnings

warnings.filterwarnings("ignore")
work = os.path.abspath(sys.argv[1])
os.chdir(work)

import mlflow  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from mlflow import MlflowClient  # noqa: E402
from sklearn.linear_model import ElasticNet  # noqa: E402

sqlite = len(sys.argv) > 2 and sys.argv[2] == "sqlite"
mlflow.set_tracking_uri(f"sqlite:///{work}/mlflow.db" if sqlite else os.path.join(work, "mlruns"))
client = MlflowClient()


def fhex(v):
    return struct.pack(">d", float(v)).hex()


exp_id = mlflow.create_experiment("interop-b", tags={"team": "lab"})
mlflow.set_experiment(experiment_id=exp_id)

df = pd.DataFrame({"alcohol": [9.4, 9.8, 10.1, 11.2, 12.0, 9.9], "acidity": [7.4, 7.8, 7.2, 6.9, 8.1, 7.0],
                   "quality": [5, 5, 6, 6, 7, 5]})
X, y = df[["alcohol", "acidity"]], df["quality"]

logged = {"params": {}, "metrics": {}}

with mlflow.start_run(run_name="parent") as parent:
    mlflow.log_params({"alpha": 0.5, "l1_ratio": 0.1, "nested/key": "a b: c"})
    mlflow.set_tag("stage", "dev")
    for step, v in enumerate([0.9, 0.7, float("nan"), float("inf"), 1e-7]):
        mlflow.log_metric("rmse", v, step=step, timestamp=1717000000000 + step)
    mlflow.log_metric("train/loss", -float("inf"), step=3)
    mlflow.log_text("hello", "notes/hello.txt")
    mlflow.log_dict({"a": 1}, "config.json")
    dataset = mlflow.data.from_pandas(df, source="https://example.org/wine.csv", name="wine-small", targets="quality")
    mlflow.log_input(dataset, context="training")
    model = ElasticNet(alpha=0.5, l1_ratio=0.1, random_state=42).fit(X, y)
    info = mlflow.sklearn.log_model(model, name="model", input_example=X.head(2))
    with mlflow.start_run(run_name="child", nested=True) as child:
        mlflow.log_param("fold", 1)
        mlflow.log_metric("acc", 0.25)
    parent_id, child_id = parent.info.run_id, child.info.run_id


def list_files(run_id, path=None):
    out = []
    for f in client.list_artifacts(run_id, path):
        out.extend(list_files(run_id, f.path) if f.is_dir else [f.path])
    return out


def artifacts(run_id):
    res = {}
    for p in list_files(run_id):
        local = client.download_artifacts(run_id, p, os.path.join(work, "dl", run_id))
        with open(local, "rb") as fh:
            res[p] = base64.b64encode(fh.read()).decode()
    return res


runs = []
for rid in (parent_id, child_id):
    r = client.get_run(rid)
    runs.append({
        "run_id": rid, "experiment_id": r.info.experiment_id, "run_name": r.info.run_name, "status": r.info.status,
        "start_time": r.info.start_time, "end_time": r.info.end_time, "user_id": r.info.user_id,
        "params": dict(r.data.params), "tags": dict(r.data.tags),
        "latest": {k: fhex(v) for k, v in r.data.metrics.items()},
        "metrics": {k: [[m.timestamp, fhex(m.value), m.step] for m in client.get_metric_history(rid, k)] for k in r.data.metrics},
        "inputs": [{"name": d.dataset.name, "digest": d.dataset.digest, "source_type": d.dataset.source_type,
                    "source": d.dataset.source, "schema": d.dataset.schema, "profile": d.dataset.profile,
                    "tags": {t.key: t.value for t in d.tags}} for d in r.inputs.dataset_inputs],
        "outputs": [{"model_id": o.model_id, "step": o.step} for o in (r.outputs.model_outputs if r.outputs else [])],
        "artifacts": artifacts(rid),
    })

lm = client.get_logged_model(info.model_id)
model_dir = mlflow.artifacts.download_artifacts(f"models:/{info.model_id}", dst_path=os.path.join(work, "dl", "model"))
model_files = {}
for root, _, files in os.walk(model_dir):
    for f in files:
        if f == "registered_model_meta":  # written by the models:/ download itself, not stored
            continue
        full = os.path.join(root, f)
        with open(full, "rb") as fh:
            model_files[os.path.relpath(full, model_dir)] = base64.b64encode(fh.read()).decode()

registry = None
if sqlite:
    mv = mlflow.register_model(f"models:/{info.model_id}", "wine")
    client.set_registered_model_alias("wine", "champion", mv.version)
    client.set_model_version_tag("wine", mv.version, "validated", "yes")
    m = client.get_registered_model("wine")
    registry = {"name": m.name, "aliases": {k: int(v) for k, v in m.aliases.items()},
                "versions": [{"version": int(v.version), "run_id": v.run_id, "source": v.source, "tags": dict(v.tags)}
                             for v in client.search_model_versions("name='wine'")]}
    import zipfile  # noqa: E402
    with zipfile.ZipFile(os.path.join(work, "store.zip"), "w", zipfile.ZIP_DEFLATED) as z:
        z.write(os.path.join(work, "mlflow.db"), "mlflow.db")
        for root, _, files in os.walk(os.path.join(work, "mlruns")):
            for f in files:
                full = os.path.join(root, f)
                z.write(full, os.path.relpath(full, work))
else:
    shutil.make_archive(os.path.join(work, "mlruns"), "zip", root_dir=work, base_dir="mlruns")
print(json.dumps({
    "version": mlflow.__version__,
    "experiment": {"experiment_id": exp_id, "tags": dict(client.get_experiment(exp_id).tags)},
    "runs": runs,
    "registry": registry,
    "model": {"model_id": lm.model_id, "name": lm.name, "source_run_id": lm.source_run_id, "status": str(lm.status),
              "params": dict(lm.params), "tags": dict(lm.tags),
              "metrics": [[m.key, fhex(m.value), m.timestamp, m.step, m.run_id] for m in (lm.metrics or [])],
              "files": model_files},
}))

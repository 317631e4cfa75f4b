"""Logs runs to a tracking server the way a Python script would (MlflowClient.log_batch etc.)
for the lab's pull test. Prints {"experiment_id", "run_ids"}."""
import json
import os
import sys
import tempfile

import mlflow
from mlflow.entities import Metric, Param, RunTag
from mlflow.tracking import MlflowClient

name = sys.argv[1]
client = MlflowClient()
exp = client.create_experiment(name)
ids = []
for i, alpha in enumerate(["0.1", "0.5", "1.0"]):
    run = client.create_run(exp, run_name=f"py-{alpha}", tags={"team": "python", "note": f"run {i}"})
    rid = run.info.run_id
    metrics = [Metric("loss", 1.0 / (s + 1) + i / 3.0, 1_700_000_000_000 + s, s) for s in range(1500)]
    metrics += [Metric("rmse", 0.7 + i * 0.01 + 1e-17 * s, 1_700_000_000_000 + s, s) for s in range(3)]
    client.log_batch(rid, metrics=metrics, params=[Param("alpha", alpha), Param("l1_ratio", "0.5")],
                     tags=[RunTag("stage", "dev" if i else "prod")])
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "notes.txt"), "w") as fh:
            fh.write(f"python run {i}\n" * 50)
        os.makedirs(os.path.join(d, "plots"))
        with open(os.path.join(d, "plots", "data.bin"), "wb") as fh:
            fh.write(bytes(range(256)) * 20)
        client.log_artifacts(rid, d)
    client.set_terminated(rid, "FINISHED")
    ids.append(rid)
print(json.dumps({"experiment_id": exp, "run_ids": ids}))

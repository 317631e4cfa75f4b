"""Logs RUNS runs (params r, alpha) x KEYS metrics x STEPS steps (the bench lab's runs) into a real MLflow file store with log_batch
(1,000 metric points per call, MLflow's limit), then reads every history back. Prints JSON
{"log_s", "read_s", "points"}. Usage: bundles_mlflow_filestore.py WORKDIR RUNS KEYS STEPS
"""
import json
import os
import sys
import time
import warnings

warnings.filterwarnings("ignore")
os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
work, runs, keys, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])

from mlflow import MlflowClient  # noqa: E402
from mlflow.entities import Metric, Param  # noqa: E402

client = MlflowClient(tracking_uri=os.path.join(os.path.abspath(work), "mlruns"))
exp = client.create_experiment("bench-bundles")
names = [f"m{k}" for k in range(keys)]
ts = int(time.time() * 1000)
t0 = time.perf_counter()
ids = []
for r in range(runs):
    run = client.create_run(exp, run_name=f"run-{r}")
    rid = run.info.run_id
    ids.append(rid)
    client.log_batch(rid, params=[Param("r", str(r)), Param("alpha", "0.5")])  # the lab's params
    batch = []
    for s in range(steps):
        for k, name in enumerate(names):
            batch.append(Metric(name, 1.0 / (s + k + 1), ts + s, s))
            if len(batch) == 1000:
                client.log_batch(rid, metrics=batch)
                batch = []
    if batch:
        client.log_batch(rid, metrics=batch)
    client.set_terminated(rid)
t1 = time.perf_counter()
points = 0
for rid in ids:
    for name in names:
        points += len(client.get_metric_history(rid, name))
t2 = time.perf_counter()
print(json.dumps({"log_s": t1 - t0, "read_s": t2 - t1, "points": points}))

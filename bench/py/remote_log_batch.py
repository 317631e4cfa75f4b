"""The MLflow side of the remote bench: logs RUNS runs x KEYS metrics x STEPS steps to the
tracking server at argv[1] with MLflow's own Python client, the way a script would send a
finished history (create_run, one log_batch per run, which the client splits into requests of
1,000 metrics, set_terminated). The values are the lab's (1 / (step + key + 1)). Prints
{"ms": wall time of the logging, "points": points sent}."""
import json
import sys
import time

from mlflow.entities import Metric, Param
from mlflow.tracking import MlflowClient

url, experiment, runs, keys, steps = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
client = MlflowClient(tracking_uri=url)
exp = client.create_experiment(experiment)
names = [f"m{k}" for k in range(keys)]
t0 = time.perf_counter()
points = 0
for r in range(runs):
    run = client.create_run(exp, run_name=f"run-{r}")
    ts = int(time.time() * 1000)
    metrics = [Metric(names[k], 1 / (s + k + 1), ts, s) for s in range(steps) for k in range(keys)]
    client.log_batch(run.info.run_id, metrics=metrics, params=[Param("r", str(r)), Param("alpha", "0.5")])
    client.set_terminated(run.info.run_id, "FINISHED")
    points += len(metrics)
ms = (time.perf_counter() - t0) * 1000
print(json.dumps({"ms": ms, "points": points}))

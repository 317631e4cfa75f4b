"""Runs an MLflow Project folder the way a person does on a laptop:
`mlflow run <dir> --env-manager local -P k=v ...` (the CLI, in a subprocess), into a file store,
then prints one JSON line with the finished run's params, metrics and tags.

Usage: projects_run.py <project dir> <tracking dir> '<json: {"alpha": "0.42", ...}>'
"""
import json
import os
import subprocess
import sys

from mlflow.tracking import MlflowClient


def main():
    project, store, params = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    uri = "file://" + os.path.abspath(store)
    env = dict(os.environ, MLFLOW_TRACKING_URI=uri, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    args = [sys.executable, "-m", "mlflow", "run", project, "--env-manager", "local"]
    for k, v in params.items():
        args += ["-P", f"{k}={v}"]
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        print(json.dumps({"error": done.stderr[-4000:], "stdout": done.stdout[-2000:]}))
        return
    client = MlflowClient(tracking_uri=uri)
    runs = client.search_runs(experiment_ids=[e.experiment_id for e in client.search_experiments()])
    run = runs[0]
    print(json.dumps({"status": run.info.status, "params": run.data.params, "metrics": run.data.metrics, "tags": run.data.tags}))


main()

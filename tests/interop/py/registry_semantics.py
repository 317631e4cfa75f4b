"""Runs a list of model registry operations on MLflow's file store and reports each outcome.

argv[1]: "file" (the file store, default) or "sqlite" (the SQL store on SQLite).
stdin: {"ops": [[method, arg, ...], ...]}; the string "$RUN" in an argument is replaced by a real
run id. stdout (last line): {"run_id": id, "results": [{"ok": summary} | {"error": code}], "state": {...}}
"""
import json
import sys
import tempfile

from mlflow import MlflowClient
from mlflow.exceptions import MlflowException


def version_summary(v):
    return {"version": int(v.version), "stage": v.current_stage, "aliases": sorted(v.aliases), "run_id": v.run_id,
            "source": v.source, "status": v.status, "description": v.description or None, "tags": dict(v.tags)}


def summary(x):
    if x is None:
        return None
    if isinstance(x, list):
        return [summary(i) for i in x]
    if hasattr(x, "current_stage"):
        return version_summary(x)
    if hasattr(x, "latest_versions") or hasattr(x, "aliases"):
        return {"name": x.name, "description": x.description or None, "tags": dict(x.tags), "aliases": dict((k, int(v)) for k, v in x.aliases.items())}
    return str(x)


def main():
    ops = json.load(sys.stdin)["ops"]
    with tempfile.TemporaryDirectory() as d:
        kind = sys.argv[1] if len(sys.argv) > 1 else "file"
        uri = f"sqlite:///{d}/mlflow.db" if kind == "sqlite" else f"file://{d}/mlruns"
        client = MlflowClient(tracking_uri=uri, registry_uri=uri)
        exp = client.create_experiment("e")
        run_id = client.create_run(exp).info.run_id
        results = []
        for op in ops:
            method, args = op[0], [run_id if a == "$RUN" else (a.replace("$RUN", run_id) if isinstance(a, str) else a) for a in op[1:]]
            try:
                results.append({"ok": summary(getattr(client, method)(*args))})
            except MlflowException as e:
                results.append({"error": e.error_code})
            except Exception as e:  # a crash in MLflow itself; reported, never expected to match
                results.append({"error": f"python {type(e).__name__}: {e}"})
        state = {}
        for m in client.search_registered_models():
            versions = client.search_model_versions(f"name='{m.name}'")
            state[m.name] = {"model": summary(client.get_registered_model(m.name)),
                             "versions": sorted((version_summary(v) for v in versions), key=lambda v: v["version"])}
        print(json.dumps({"run_id": run_id, "results": results, "state": state}))


if __name__ == "__main__":
    main()

"""Lists the MLflow 3 logged models a tracking server holds in the experiments named as arguments
(MlflowClient.search_logged_models, MLFLOW_TRACKING_URI from the environment): per model its
id, name, status, source run, params, metrics (latest value by key), tags, whether its source
run lists it in the run's outputs, and the files under its artifact location. Prints one JSON line."""
import json
import sys

from mlflow.tracking import MlflowClient


def main():
    client = MlflowClient()
    ids = [client.get_experiment_by_name(n).experiment_id for n in sys.argv[1:]]
    out = []
    for m in client.search_logged_models(experiment_ids=ids, max_results=1000):
        run = client.get_run(m.source_run_id) if m.source_run_id else None
        outputs = [o.model_id for o in (run.outputs.model_outputs if run and run.outputs else [])]
        files = sorted(f.path for f in client.list_logged_model_artifacts(m.model_id))
        out.append({
            "model_id": m.model_id, "name": m.name, "status": getattr(m.status, "value", str(m.status)), "source_run_id": m.source_run_id,
            "params": m.params, "metrics": {x.key: x.value for x in (m.metrics or [])}, "tags": m.tags,
            "linked": m.model_id in outputs, "files": files,
        })
    out.sort(key=lambda x: x["tags"].get("mfflow.lab_model_id", ""))
    print(json.dumps(out))


main()

"""Registers a model with real MLflow in a file store, zips the store, prints JSON of the registry.

Usage: bundles_registry_write.py WORKDIR
Writes WORKDIR/mlruns (tracking and registry) and WORKDIR/mlruns.zip. Two runs log an sklearn
model; `wine` v1 is registered from the first run's logged model (`models:/m-…`, as MLflow 3
does), v2 from `runs:/<second run>/model`; alias `champion` → 2, v1 in Staging, tags and
descriptions on both levels.
"""
import json
import os
import shutil
import sys
import warnings

warnings.filterwarnings("ignore")
work = os.path.abspath(sys.argv[1])
os.chdir(work)

import mlflow  # noqa: E402
import pandas as pd  # noqa: E402
from mlflow import MlflowClient  # noqa: E402
from sklearn.linear_model import ElasticNet  # noqa: E402

uri = os.path.join(work, "mlruns")
mlflow.set_tracking_uri(uri)
mlflow.set_registry_uri(uri)
client = MlflowClient(tracking_uri=uri, registry_uri=uri)

exp_id = mlflow.create_experiment("registry-interop")
mlflow.set_experiment(experiment_id=exp_id)
X = pd.DataFrame({"alcohol": [9.4, 9.8, 10.1, 11.2, 12.0, 9.9], "acidity": [7.4, 7.8, 7.2, 6.9, 8.1, 7.0]})
y = [5, 5, 6, 6, 7, 5]

infos = []
for alpha in (0.5, 0.1):
    with mlflow.start_run(run_name=f"enet-{alpha}") as run:
        mlflow.log_param("alpha", alpha)
        info = mlflow.sklearn.log_model(ElasticNet(alpha=alpha).fit(X, y), name="model")
        infos.append((run.info.run_id, info))

v1 = mlflow.register_model(infos[0][1].model_uri, "wine")
v2 = mlflow.register_model(f"runs:/{infos[1][0]}/model", "wine")
client.set_registered_model_alias("wine", "champion", v2.version)
client.transition_model_version_stage("wine", v1.version, "Staging")
client.set_registered_model_tag("wine", "team", "lab")
client.set_model_version_tag("wine", v2.version, "validated", "yes")
client.update_registered_model("wine", description="red wine quality")
client.update_model_version("wine", v1.version, description="first try")

m = client.get_registered_model("wine")
versions = sorted(client.search_model_versions("name='wine'"), key=lambda v: int(v.version))
out = {
    "model": {"name": m.name, "description": m.description, "tags": dict(m.tags), "aliases": {k: int(v) for k, v in m.aliases.items()},
              "creation_timestamp": m.creation_timestamp, "last_updated_timestamp": m.last_updated_timestamp},
    "versions": [{"version": int(v.version), "run_id": v.run_id, "source": v.source, "current_stage": v.current_stage,
                  "description": v.description, "tags": dict(v.tags), "model_id": getattr(v, "model_id", None)}
                 for v in versions],
    "runs": [r for r, _ in infos],
    "model_ids": [i.model_id for _, i in infos],
}
shutil.make_archive(os.path.join(work, "mlruns"), "zip", work, "mlruns")
print(json.dumps(out))

"""Runs MLflow's own search_runs for many filters and prints, per filter, the run ids or the error.

Usage: search_runs.py STORE_URI  (stdin: {"experiment_ids": [...], "filters": [...]})
STORE_URI is a file store path or sqlite:///... . Output: {"version", "results": [{"ids": [...]} | {"error": str}]}
"""
import json
import sys
import warnings

warnings.filterwarnings("ignore")

import mlflow  # noqa: E402
from mlflow.entities import ViewType  # noqa: E402
from mlflow.tracking import MlflowClient  # noqa: E402

job = json.load(sys.stdin)
client = MlflowClient(tracking_uri=sys.argv[1])
results = []
for f in job["filters"]:
    try:
        runs = client.search_runs(job["experiment_ids"], filter_string=f, run_view_type=ViewType.ALL, max_results=50000)
        results.append({"ids": sorted(r.info.run_id for r in runs)})
    except Exception as e:  # MLflow's refusal, kept as its message
        results.append({"error": f"{type(e).__name__}: {e}"[:300]})
print(json.dumps({"version": mlflow.__version__, "results": results}))

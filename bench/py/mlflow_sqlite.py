"""MLflow's own client on a SQLite store (mlflow.db), the peer of the lab's tracking figures.
Each command makes the same data the bench gives the lab and times the same operation; it
prints one JSON line. The empty, migrated database is made once per MLflow version and copied
(creating it runs MLflow's migrations: ~10-60 s on the bench machine, not what is compared).

  mlflow_sqlite.py log WORKDIR STEPS KEYS
      one run, STEPS x KEYS points value sin(step + len(key)), through log_batch in calls of
      1,000 metrics (MLflow's limit per call); times the logging calls -> {"ms", "points"}
  mlflow_sqlite.py search WORKDIR RUNS FILTERS_JSON
      RUNS runs in experiment 0 as bench/suites/lib.mjs seedRuns makes them (inserted with
      sqlite3, untimed), then search_runs(["0"], filter, max_results=1000) for each filter, 3
      times; -> {"ms": median over all calls, "counts": [matches per filter]}
"""
import json
import math
import os
import shutil
import sqlite3
import statistics
import sys
import time
import warnings

warnings.filterwarnings("ignore")
import mlflow  # noqa: E402
from mlflow import MlflowClient  # noqa: E402
from mlflow.entities import Metric  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def store(work):
    template = os.path.join(ROOT, ".cache", "bench", f"mlflow-{mlflow.__version__}-empty.db")
    if not os.path.exists(template):
        os.makedirs(os.path.dirname(template), exist_ok=True)
        tmp = template + ".part"
        if os.path.exists(tmp):
            os.remove(tmp)
        MlflowClient(tracking_uri=f"sqlite:///{tmp}").search_experiments()
        os.replace(tmp, template)
    db = os.path.join(os.path.abspath(work), "mlflow.db")
    shutil.copyfile(template, db)
    return db, MlflowClient(tracking_uri=f"sqlite:///{db}")


def log(work, steps, keys):
    _, client = store(work)
    run_id = client.create_run("0", run_name="points").info.run_id
    names = [f"m{k}" for k in range(keys)]
    ts = int(time.time() * 1000)
    t0 = time.perf_counter()
    batch = []
    for step in range(steps):
        for k in names:
            batch.append(Metric(k, math.sin(step + len(k)), ts, step))
            if len(batch) == 1000:
                client.log_batch(run_id, metrics=batch)
                batch = []
    if batch:
        client.log_batch(run_id, metrics=batch)
    ms = (time.perf_counter() - t0) * 1000
    return {"ms": ms, "points": steps * keys}


def search(work, runs, filters):
    db, client = store(work)
    now = int(time.time() * 1000)
    con = sqlite3.connect(db)
    rows, params, tags, latest = [], [], [], []
    for i in range(runs):  # the values of lib.mjs seedRuns
        run_id = format(i, "x").rjust(8, "0") + "0" * 24
        rmse = 0.6 + ((i * 7919) % 1000) / 2000
        rows.append((run_id, f"run-{i}", "LOCAL", "mfflow", "", "bench", "FINISHED", now - i * 1000, now - i * 1000 + 500,
                     "", "active", f"mlflow-artifacts:/0/{run_id}/artifacts", 0, None))
        params += [("alpha", ["0.01", "0.1", "0.5", "1.0"][i % 4], run_id), ("l1_ratio", str((i % 10) / 10), run_id),
                   ("model", "elasticnet", run_id)]
        tags += [("mlflow.user", "bench", run_id), ("mlflow.source.name", "mfflow", run_id),
                 ("mlflow.source.type", "LOCAL", run_id), ("mlflow.runName", f"run-{i}", run_id)]
        latest += [(k, v, now, 0, 0, run_id) for k, v in (("rmse", rmse), ("r2", 1 - rmse), ("mae", rmse * 0.8))]
    con.executemany("insert into runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, "
                    "end_time, source_version, lifecycle_stage, artifact_uri, experiment_id, deleted_time) "
                    "values (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    con.executemany("insert into params (key, value, run_uuid) values (?,?,?)", params)
    con.executemany("insert into tags (key, value, run_uuid) values (?,?,?)", tags)
    con.executemany("insert into latest_metrics (key, value, timestamp, step, is_nan, run_uuid) values (?,?,?,?,?,?)", latest)
    con.executemany("insert into metrics (key, value, timestamp, step, is_nan, run_uuid) values (?,?,?,?,?,?)", [(k, v, t, s, n, r) for k, v, t, s, n, r in latest])
    con.commit()
    con.close()
    client.search_runs(["0"], filters[0], max_results=1000)  # warm the engine and caches
    times, counts = [], []
    for f in filters:
        n = 0
        for _ in range(3):
            t0 = time.perf_counter()
            res = client.search_runs(["0"], f, max_results=1000)
            times.append((time.perf_counter() - t0) * 1000)
            n = len(res)
        counts.append(n)
    return {"ms": statistics.median(times), "counts": counts}


def main():
    cmd, work = sys.argv[1], sys.argv[2]
    if cmd == "log":
        out = log(work, int(sys.argv[3]), int(sys.argv[4]))
    elif cmd == "search":
        out = search(work, int(sys.argv[3]), json.loads(sys.argv[4]))
    else:
        raise SystemExit(f"unknown command {cmd}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()

"""Checks an unpacked SQLite export (DIR holds mlflow.db and mlruns/) against real MLflow.

Usage: sqlite_export_check.py DIR [RUN_ID]

1. The schema: every table's columns (name, type, not null, default, key), foreign keys, indexes
   and triggers of DIR/mlflow.db against a database this MLflow creates itself.
2. `mlflow server --backend-store-uri sqlite:///mlflow.db` started in DIR with no flag and no
   migration: the experiments it lists over REST, and RUN_ID's artifact listing.
Prints one JSON line: {"mlflow", "schema_diff": [...], "alembic": {...}, "server": {...}}.
"""
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
import warnings

warnings.filterwarnings("ignore")
work = os.path.abspath(sys.argv[1])
run_id = sys.argv[2] if len(sys.argv) > 2 else None

import mlflow  # noqa: E402
from mlflow import MlflowClient  # noqa: E402


def describe(path):
    con = sqlite3.connect(path)
    out = {}
    for (name, kind) in con.execute("SELECT name, type FROM sqlite_master WHERE type IN ('table', 'trigger') ORDER BY name"):
        if kind == "trigger":
            out[f"trigger {name}"] = True
            continue
        out[f"table {name}"] = [list(r[1:]) for r in con.execute(f'PRAGMA table_xinfo("{name}")')]
        out[f"fk {name}"] = sorted([list(r[2:]) for r in con.execute(f'PRAGMA foreign_key_list("{name}")')])
        for idx in con.execute(f'PRAGMA index_list("{name}")').fetchall():
            cols = [r[2] for r in con.execute(f'PRAGMA index_xinfo("{idx[1]}")') if r[5]]
            descs = [r[3] for r in con.execute(f'PRAGMA index_xinfo("{idx[1]}")') if r[5]]
            key = f"index {name} {idx[1]}" if not idx[1].startswith("sqlite_autoindex") else f"index {name} auto {cols}"
            out[key] = [idx[2], idx[3], cols, descs]
    version = con.execute("SELECT version_num FROM alembic_version").fetchall()
    con.close()
    return out, version


fresh_dir = tempfile.mkdtemp()
fresh = os.path.join(fresh_dir, "fresh.db")
MlflowClient(tracking_uri=f"sqlite:///{fresh}").search_experiments()
theirs, their_version = describe(fresh)
ours, our_version = describe(os.path.join(work, "mlflow.db"))
diff = []
for k in sorted(set(theirs) | set(ours)):
    if theirs.get(k) != ours.get(k):
        diff.append({"what": k, "mlflow": theirs.get(k), "lab": ours.get(k)})


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def call(url, body=None):
    req = urllib.request.Request(url, data=json.dumps(body).encode() if body is not None else None, method="POST" if body is not None else "GET")
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=30) as res:
        return json.loads(res.read().decode())


server = {}
port = free_port()
env = {k: v for k, v in os.environ.items() if k != "MLFLOW_ALLOW_FILE_STORE"}
bin_dir = os.path.dirname(sys.executable)
proc = subprocess.Popen(
    [os.path.join(bin_dir, "mlflow"), "server", "--backend-store-uri", "sqlite:///mlflow.db", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
    cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
)
try:
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 240
    while True:
        if proc.poll() is not None:
            server["error"] = proc.stderr.read().decode("utf-8", "replace")[-3000:]
            break
        try:
            urllib.request.urlopen(base + "/health", timeout=5)
            break
        except OSError:
            if time.time() > deadline:
                server["error"] = "no answer on /health"
                break
            time.sleep(0.3)
    if "error" not in server:
        exps = call(base + "/api/2.0/mlflow/experiments/search", {"max_results": 1000, "view_type": "ALL"})
        server["experiments"] = sorted(e["name"] for e in exps.get("experiments", []))
        if run_id:
            listed = call(base + f"/api/2.0/mlflow/artifacts/list?run_id={run_id}")
            server["artifacts"] = sorted(f["path"] for f in listed.get("files", []))
finally:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()

print(json.dumps({"mlflow": mlflow.__version__, "schema_diff": diff, "alembic": {"mlflow": their_version, "lab": our_version}, "server": server}))

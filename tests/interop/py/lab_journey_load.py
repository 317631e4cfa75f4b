"""Loads the lab's exported models with mlflow.pyfunc through the tracking store of an unpacked
export, and optionally serves one with `mlflow models serve`.

argv: TRACKING_URI (a path to mlruns/, or sqlite:///…/mlflow.db) and the folder holding the
export, which becomes the working directory (artifact locations are relative to it).
stdin: {"models": [{"id", "uri", "columns", "rows"}], "serve": {"uri", "port", "columns", "rows"} | null}
Prints one JSON line: {"mlflow": version, "loaded": {id: {"columns": {name: [values]}} | {"error"}},
"served": {"status", "body"} | null}.
"""
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings

warnings.filterwarnings("ignore")
job = json.load(sys.stdin)
uri = sys.argv[1]
os.chdir(sys.argv[2])
os.environ["MLFLOW_TRACKING_URI"] = uri
os.environ["MLFLOW_REGISTRY_URI"] = uri

import mlflow  # noqa: E402
import pandas as pd  # noqa: E402


def failure(e):
    return f"{type(e).__name__}: {e}"[:800]


def plain(v):
    return v.item() if hasattr(v, "item") else v


loaded = {}
for m in job["models"]:
    try:
        model = mlflow.pyfunc.load_model(m["uri"])
        pred = model.predict(pd.DataFrame(m["rows"], columns=m["columns"], dtype="float64"))
        if hasattr(pred, "columns"):
            loaded[m["id"]] = {"columns": {c: [plain(v) for v in pred[c].tolist()] for c in pred.columns}}
        else:
            loaded[m["id"]] = {"columns": {"predictions": [plain(v) for v in list(pred)]}}
    except Exception as e:  # noqa: BLE001
        loaded[m["id"]] = {"error": failure(e)}


def request(url, body=None):
    req = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET")
    if body is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=60) as res:
            return res.status, res.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8")


served = None
s = job.get("serve")
if s:
    bin_dir = os.path.dirname(sys.executable)
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    server = subprocess.Popen(
        [os.path.join(bin_dir, "mlflow"), "models", "serve", "-m", s["uri"], "--env-manager", "local", "-h", "127.0.0.1", "-p", str(s["port"]), "-w", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
    )
    base = f"http://127.0.0.1:{s['port']}"
    try:
        deadline = time.time() + 480  # a loaded CI machine starts the server slowly
        ready = False
        while not ready and time.time() < deadline:
            if server.poll() is not None:
                raise SystemExit("mlflow models serve exited: " + server.stderr.read().decode("utf-8", "replace")[-2000:])
            try:
                ready = request(base + "/ping")[0] == 200
            except OSError:
                pass
            time.sleep(0.25)
        if not ready:
            raise SystemExit("mlflow models serve did not answer /ping in time")
        body = json.dumps({"dataframe_split": {"columns": s["columns"], "data": s["rows"]}}).encode("utf-8")
        status, text = request(base + "/invocations", body)
        served = {"status": status, "body": json.loads(text)}
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()

print(json.dumps({"mlflow": mlflow.__version__, "loaded": loaded, "served": served}))

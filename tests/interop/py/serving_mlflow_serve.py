"""Starts the real scoring server, `mlflow models serve --env-manager local`, on a model folder
and sends it HTTP requests.

argv: model_dir port. stdin: JSON list of {"name", "body", "content_type"}.
Prints one JSON line: {"ping": status, "answers": [{"name", "status", "content_type", "body"}]}.
The server is stopped before printing.
"""
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request


def request(url, body=None, content_type=None):
    req = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET")
    if content_type:
        req.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(req, timeout=60) as res:
            return res.status, res.headers.get("Content-Type", ""), res.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read().decode("utf-8")


def main():
    model_dir, port = sys.argv[1], sys.argv[2]
    cases = json.load(sys.stdin)
    bin_dir = os.path.dirname(sys.executable)
    mlflow_cli = os.path.join(bin_dir, "mlflow")
    # The server runs `uvicorn` by name: the virtualenv's bin must come first on PATH.
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    # Run beside the model (a temporary folder), so nothing the CLI creates lands in the repo.
    work = os.path.dirname(os.path.abspath(model_dir))
    env["MLFLOW_TRACKING_URI"] = "file://" + os.path.join(work, "mlruns")
    server = subprocess.Popen(
        [mlflow_cli, "models", "serve", "-m", model_dir, "--env-manager", "local", "-h", "127.0.0.1", "-p", port, "-w", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=work,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 120
        ping = None
        while time.time() < deadline:
            if server.poll() is not None:
                raise SystemExit("mlflow models serve exited: " + server.stderr.read().decode("utf-8", "replace")[-2000:])
            try:
                ping = request(base + "/ping")[0]
                if ping == 200:
                    break
            except OSError:
                pass
            time.sleep(0.25)
        answers = []
        for c in cases:
            status, ctype, body = request(base + "/invocations", c["body"].encode("utf-8"), c["content_type"])
            answers.append({"name": c["name"], "status": status, "content_type": ctype, "body": body})
        version = request(base + "/version")
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    print(json.dumps({"ping": ping, "version": version[:1] + version[2:], "answers": answers}))


if __name__ == "__main__":
    main()

"""Sends scoring requests to MLflow's own scoring server app (mlflow models serve), in process.

stdin: {"columns": [...], "cases": [{"body": str, "content_type": str}, ...]}
stdout (last line): {"coef": [...], "intercept": x, "answers": [{"status": int, "body": str}, ...]}
The model is an sklearn ElasticNet with an 11-column double signature, saved and loaded with
mlflow.pyfunc, so the server enforces the signature the way it does for the tutorial model.
"""
import asyncio
import json
import os
import sys
import tempfile

import numpy as np
import pandas as pd
import mlflow.pyfunc
import mlflow.sklearn
from mlflow.models import infer_signature
from mlflow.pyfunc import scoring_server
from sklearn.linear_model import ElasticNet


async def call(app, body: bytes, content_type: str):
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": "/invocations", "raw_path": b"/invocations", "query_string": b"", "root_path": "",
        "headers": [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())],
        "client": ("test", 1), "server": ("test", 80),
    }
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive():
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    out = {"status": 0, "body": b""}

    async def send(message):
        if message["type"] == "http.response.start":
            out["status"] = message["status"]
        elif message["type"] == "http.response.body":
            out["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return {"status": out["status"], "body": out["body"].decode("utf-8", "replace")}


def main():
    req = json.load(sys.stdin)
    columns = req["columns"]
    rng = np.random.default_rng(0)
    x = pd.DataFrame(rng.normal(size=(50, len(columns))), columns=columns)
    y = x.to_numpy() @ np.linspace(-1, 1, len(columns)) + 5
    model = ElasticNet(alpha=0.01).fit(x, y)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "model")
        mlflow.sklearn.save_model(model, path, signature=infer_signature(x, model.predict(x)))
        app = scoring_server.init(mlflow.pyfunc.load_model(path))
        answers = [asyncio.run(call(app, c["body"].encode("utf-8"), c["content_type"])) for c in req["cases"]]
    print(json.dumps({"coef": model.coef_.tolist(), "intercept": float(model.intercept_), "answers": answers}))


if __name__ == "__main__":
    main()

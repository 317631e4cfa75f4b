"""Checks and runs ONNX files written by the lab's exporter.

stdin: JSON list of jobs {id, path, dtype: float32|float64, rows: [[...]], pyfunc_dir?, columns?}.
For each job: onnx.checker (full check, with shape inference), an onnxruntime CPU session fed
`rows`, and, when pyfunc_dir is given, mlflow.pyfunc.load_model(pyfunc_dir).predict(DataFrame)
with a float64 frame, as a scoring client would send it.
stdout (last line): JSON list of {id, inputs, outputs, ort, pyfunc?}.
"""
import json
import sys

import numpy as np
import onnx
import onnxruntime as ort
import pandas as pd


def plain(values):
    arr = np.asarray(values)
    if arr.dtype == object:
        return [str(v) for v in arr.tolist()]
    return arr.tolist()


def run(job):
    model = onnx.load(job["path"])
    onnx.checker.check_model(model, full_check=True)
    sess = ort.InferenceSession(job["path"], providers=["CPUExecutionProvider"])
    dtype = np.float64 if job["dtype"] == "float64" else np.float32
    rows = np.asarray(job["rows"], dtype=dtype)
    names = [o.name for o in sess.get_outputs()]
    result = {
        "id": job["id"],
        "inputs": [[i.name, i.type, [str(d) for d in i.shape]] for i in sess.get_inputs()],
        "outputs": [[o.name, o.type] for o in sess.get_outputs()],
        "ort": {n: plain(v) for n, v in zip(names, sess.run(None, {sess.get_inputs()[0].name: rows}))},
    }
    if job.get("pyfunc_dir"):
        import mlflow.pyfunc

        frame = pd.DataFrame(np.asarray(job["rows"], dtype=np.float64), columns=job.get("columns"))
        predicted = mlflow.pyfunc.load_model(job["pyfunc_dir"]).predict(frame)
        result["pyfunc"] = {c: plain(predicted[c].to_numpy()) for c in predicted.columns}
    return result


print(json.dumps([run(job) for job in json.load(sys.stdin)]))

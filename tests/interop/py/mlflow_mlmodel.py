"""Loads a model folder whose MLmodel and input examples were written by our TypeScript code.

Usage: mlflow_mlmodel.py MODEL_DIR
Adds a tiny ONNX model (y = x @ w + b, float32) as model.onnx, then loads the folder with
mlflow.models.Model.load and mlflow.pyfunc.load_model, predicts on the saved input example,
and prints JSON of what MLflow understood.
"""
import json
import os
import sys
import warnings

warnings.filterwarnings("ignore")
import numpy as np  # noqa: E402
import onnx  # noqa: E402
from onnx import TensorProto, helper  # noqa: E402

d = sys.argv[1]
w = helper.make_tensor("w", TensorProto.FLOAT, [2, 1], [0.5, -1.0])
b = helper.make_tensor("b", TensorProto.FLOAT, [1], [2.0])
graph = helper.make_graph(
    [helper.make_node("MatMul", ["x", "w"], ["xw"]), helper.make_node("Add", ["xw", "b"], ["y"])],
    "lin", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 2])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 1])], [w, b])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
model.ir_version = 8
onnx.save(model, os.path.join(d, "model.onnx"))

import mlflow  # noqa: E402
from mlflow.models import Model  # noqa: E402

m = Model.load(d)
example = m.load_input_example(d)
pm = mlflow.pyfunc.load_model(d)
pred = pm.predict(example)
with open(os.path.join(d, "serving_input_example.json")) as fh:
    serving = json.load(fh)
print(json.dumps({
    "flavors": sorted(m.flavors),
    "model_uuid": m.model_uuid, "model_id": m.model_id, "run_id": m.run_id,
    "utc_time_created": str(m.utc_time_created), "mlflow_version": m.mlflow_version,
    "input_names": m.signature.inputs.input_names(), "input_types": [str(t) for t in m.signature.inputs.input_types()],
    "example_columns": list(example.columns), "example": example.values.tolist(),
    "prediction": np.asarray(pred.values if hasattr(pred, "values") else pred).ravel().tolist(),
    "serving": serving,
    "tfjs": m.flavors.get("tfjs"),
}))

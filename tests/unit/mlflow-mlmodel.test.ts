import { describe, expect, it } from 'vitest';
import { buildMLmodel, findModelDirs, parseMLmodel, pyJson, pyUtcTime, onnxFlavors } from '../../src/lib/mlflow/mlmodel';
import { FormatError } from '../../src/lib/mlflow/errors';

// Written by MLflow 3.17.2 (mlflow.sklearn.log_model), shortened; note PyYAML's folded JSON line.
const REAL = `artifact_path: /tmp/mlb/mlruns/1/models/m-d47f/artifacts
flavors:
  python_function:
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
    loader_module: mlflow.sklearn
    model_path: model.skops
    predict_fn: predict
    python_version: 3.11.7
  sklearn:
    code: null
    pickled_model: model.skops
    serialization_format: skops
    sklearn_version: 1.6.1
    skops_trusted_types: null
is_signature_from_type_hint: false
mlflow_version: 3.17.2
model_id: m-d47f
model_size_bytes: 9341
model_uuid: m-d47f
prompts: null
run_id: 42b55b1f471a49dcad48bbf617b99d13
saved_input_example_info:
  artifact_path: input_example.json
  pandas_orient: split
  serving_input_path: serving_input_example.json
  type: dataframe
signature:
  inputs: '[{"type": "double", "name": "alcohol", "required": true}, {"type": "double",
    "name": "acidity", "required": true}]'
  outputs: '[{"type": "double", "required": true}]'
  params: null
type_hint_from_example: false
utc_time_created: '2026-11-26 16:05:00.717981'
`;

describe('MLmodel', () => {
  it('parses what MLflow writes, keeping unknown keys', () => {
    const m = parseMLmodel(REAL);
    expect(Object.keys(m.flavors).sort()).toEqual(['python_function', 'sklearn']);
    expect(m.signature!.inputs).toEqual([{ type: 'double', name: 'alcohol', required: true }, { type: 'double', name: 'acidity', required: true }]);
    expect(m.signature!.params).toBeNull();
    expect([m.modelId, m.runId, m.utcTimeCreated, m.modelSizeBytes]).toEqual(['m-d47f', '42b55b1f471a49dcad48bbf617b99d13', '2026-11-26 16:05:00.717981', 9341]);
    expect(m.extra).toEqual({ is_signature_from_type_hint: false, prompts: null, type_hint_from_example: false });
  });

  it('refuses MLmodel files without flavors or with broken signatures, naming the field', () => {
    expect(() => parseMLmodel('model_uuid: x\n')).toThrow(/missing required key flavors/);
    expect(() => parseMLmodel("flavors: {}\nsignature:\n  inputs: '[oops'\n")).toThrow(FormatError);
    expect(() => parseMLmodel('flavors:\n  onnx: 3\n')).toThrow(/flavors.onnx must be a mapping/);
  });

  it('writes JSON with Python json.dumps spacing and ASCII escapes', () => {
    expect(pyJson({ a: [1, 'é', null, true], b: {} })).toBe('{"a": [1, "\\u00e9", null, true], "b": {}}');
    expect(pyJson({ a: [1] }, 2)).toBe('{\n  "a": [\n    1\n  ]\n}');
  });

  it('formats creation time as Python str(datetime) with microseconds', () => {
    expect(pyUtcTime(Date.UTC(2025, 0, 2, 3, 4, 5, 6))).toBe('2025-01-02 03:04:05.006000');
  });

  it('builds an MLmodel that parses back to the same fields, with the time quoted', () => {
    const text = buildMLmodel({ flavors: onnxFlavors({ onnxVersion: '1.18.0', pythonVersion: '3.11.7' }), modelUuid: 'u1', createdAt: 0, runId: 'r', signature: { inputs: [{ type: 'double', name: 'x' }], outputs: null, params: null } });
    expect(text).toContain("utc_time_created: '1970-01-01 00:00:00.000000'");
    expect(text).toContain(`inputs: '[{"type": "double", "name": "x"}]'`);
    const m = parseMLmodel(text);
    expect(m.flavors.python_function).toEqual({ data: 'model.onnx', loader_module: 'mlflow.onnx', python_version: '3.11.7' });
    expect(m.signature!.inputs).toEqual([{ type: 'double', name: 'x' }]);
  });

  it('finds MLflow 2 model folders among run artifacts', () => {
    expect(findModelDirs(['model/MLmodel', 'model/model.pkl', 'notes.txt', 'a/b/MLmodel', 'MLmodel'])).toEqual(['', 'a/b', 'model']);
  });
});

/**
 * `exportModel('runs:/<id>/model')`: an MLflow Model folder (docs/mlflow-formats.md §2) built from a
 * run's model files, as zip entries at the archive root:
 * - MLmodel with the `onnx` + `python_function` (loader_module mlflow.onnx) flavors, so
 *   `mlflow.pyfunc.load_model(dir)` and `mlflow models serve` work, next to our `tfjs` flavor
 *   (kept from the run's MLmodel) so the lab can reopen it; signature, input example, model_uuid
 *   (= model_id, as MLflow 3 writes), utc_time_created (when the run logged it), mlflow_version;
 * - model.onnx, always float64: the elastic net from linear.json (exactly the lab's predictions);
 *   the TF.js linear/logistic/MLP models from model.json + weights.bin, whose float32 weights are
 *   exact in float64. float64 rather than float32 because the saved networks take raw features
 *   (the scaler is folded into the first layer), where float32 sums lose ~1e-5 relative and two
 *   float32 engines disagree at that level; in float64 the ONNX model is the saved weights'
 *   function to ~1e-12, and pandas' float64 frames go in without a cast;
 * - the TF.js files, input_example.json, serving_input_example.json, requirements.txt,
 *   python_env.yaml.
 * Output is deterministic for a given run, so exporting twice gives the same bytes.
 */
import { dataFrameInputExample, buildMLmodel, onnxFlavors, parseMLmodel, type SignatureItem } from '../mlflow/mlmodel';
import { FormatError } from '../mlflow/errors';
import { isYamlMap, type YamlValue } from '../mlflow/yaml';
import { linearRegressionToOnnx, mlpToOnnx, probabilityOutputNames } from '../onnx';
import type { Run } from '../tracking/types';
import { dictGet, type Dict } from '../util/dict';
import { invalid } from '../util/errors';
import { loggedModelId } from './logged-models';
import { pyUtcToMs } from './prepare-import';
import { readDenseStack } from './tfjs-layers';

const enc = new TextEncoder();
const dec = new TextDecoder();
export const MODEL_EXPORT_VERSIONS = { mlflow: '3.1.0', onnx: '1.17.0', python: '3.11.7' } as const;

/** `runs:/<run id>/<path>` → its parts (the `models:/` scheme comes with the registry). */
export function parseRunsUri(uri: string): { runId: string; path: string } {
  const m = /^runs:\/([^/]+)\/(.+?)\/?$/.exec(uri.trim());
  if (!m) throw invalid(`"${uri}" is not a runs:/<run id>/<path> model URI`);
  return { runId: m[1], path: m[2] };
}

export interface ModelExportInput {
  run: Run;
  /** Folder of the model inside the run's artifacts (usually `model`). */
  dir: string;
  /** The folder's files, by path relative to it. */
  files: Map<string, Uint8Array>;
  /** Up to a few rows of the feature columns, in feature order, for the input example. */
  exampleRows?: number[][];
}

function str(v: YamlValue | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function stringList(v: YamlValue | undefined): string[] | undefined {
  return Array.isArray(v) ? v.map(String) : undefined;
}

function json(files: Map<string, Uint8Array>, name: string): unknown {
  const b = files.get(name);
  if (!b) throw new FormatError(name, 'is missing from the model folder');
  try {
    return JSON.parse(dec.decode(b));
  } catch {
    throw new FormatError(name, 'is not valid JSON');
  }
}

interface OnnxBuild { bytes: Uint8Array; outputs: SignatureItem[] }

function buildOnnx(kind: string, task: string, features: string[], classes: string[] | undefined, files: Map<string, Uint8Array>): OnnxBuild {
  if (kind === 'elasticnet' && files.has('linear.json')) {
    const lin = json(files, 'linear.json') as { coef: number[]; intercept: number; scaler: { mean: number[]; scale: number[] } | null };
    const bytes = linearRegressionToOnnx({ coef: lin.coef, intercept: lin.intercept, scaler: lin.scaler ?? undefined, featureNames: features, dtype: 'float64' });
    return { bytes, outputs: [{ type: 'double', name: 'predictions' }] };
  }
  const layers = readDenseStack(json(files, 'model.json'), (p) => files.get(p));
  if (task === 'classification') {
    if (!classes?.length) throw new FormatError('MLmodel', 'a classifier needs flavors.tfjs.classes');
    const bytes = mlpToOnnx({ layers, task: { kind: 'classification', classes, probabilities: true }, featureNames: features, dtype: 'float64' });
    return { bytes, outputs: [{ type: 'string', name: 'label' }, ...probabilityOutputNames(classes).map((name) => ({ type: 'double' as const, name }))] };
  }
  const bytes = mlpToOnnx({ layers, task: { kind: 'regression' }, featureNames: features, dtype: 'float64' });
  return { bytes, outputs: [{ type: 'double', name: 'predictions' }] };
}

const PYTHON_ENV = `python: ${MODEL_EXPORT_VERSIONS.python}
build_dependencies:
- pip
- setuptools
- wheel
dependencies:
- -r requirements.txt
`;
const REQUIREMENTS = 'mlflow\nonnx\nonnxruntime\npandas\n';

export interface MlflowModelInput {
  /** The folder's files, by path relative to it (the lab's tfjs MLmodel, model.json, ...). */
  files: Map<string, Uint8Array>;
  /** The folder's name, for messages and MLmodel's artifact_path. */
  dir: string;
  /** The run that logged it, when known (not at log time: the trainer does not know its run id). */
  runId?: string;
  /** When the model was logged (ms); default: the MLmodel's utc_time_created. */
  createdAt?: number;
  /** Up to a few rows of the feature columns, in feature order; default: the folder's input example. */
  exampleRows?: number[][];
}

function exampleRowsOf(files: Map<string, Uint8Array>): number[][] | undefined {
  const b = files.get('input_example.json');
  if (!b) return undefined;
  try {
    const data = (JSON.parse(dec.decode(b)) as { data?: unknown }).data;
    return Array.isArray(data) && data.every((r) => Array.isArray(r) && r.every((v) => typeof v === 'number')) ? (data as number[][]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A lab model folder as an MLflow Model folder: the trainer calls it when it logs `model/`
 * (so every run's model loads in pyfunc), export calls it on folders stored before that.
 * Rebuilding an already upgraded folder gives the same files.
 */
export function buildMlflowModel(input: MlflowModelInput): Map<string, Uint8Array> {
  const { files } = input;
  const src = files.get('MLmodel');
  if (!src) throw invalid(`no MLmodel in "${input.dir}/"`);
  const original = parseMLmodel(src, `${input.dir}/MLmodel`);
  const tfjs = dictGet(original.flavors, 'tfjs');
  if (!tfjs || !isYamlMap(tfjs)) throw invalid(`"${input.dir}" was not saved by the lab (no tfjs flavor); only the lab's models can be exported to ONNX`);
  const kind = str(dictGet(tfjs, 'model_kind')) ?? 'mlp';
  const task = str(dictGet(tfjs, 'task')) ?? 'regression';
  const features = stringList(dictGet(tfjs, 'feature_names'));
  if (!features?.length) throw new FormatError(`${input.dir}/MLmodel`, 'flavors.tfjs.feature_names is missing');
  const classes = stringList(dictGet(tfjs, 'classes'));
  const onnx = buildOnnx(kind, task, features, classes, files);

  const out = new Map<string, Uint8Array>();
  for (const [name, bytes] of files) if (name !== 'MLmodel' && !name.endsWith('/')) out.set(name, bytes);
  out.set('model.onnx', onnx.bytes);
  const given = input.exampleRows?.length ? input.exampleRows : exampleRowsOf(files);
  const rows = given?.length ? given : [features.map(() => 0)];
  const ex = dataFrameInputExample(features, rows);
  out.set('input_example.json', enc.encode(ex.inputExample));
  out.set('serving_input_example.json', enc.encode(ex.servingInputExample));
  out.set('requirements.txt', enc.encode(REQUIREMENTS));
  out.set('python_env.yaml', enc.encode(PYTHON_ENV));

  const flavors: Dict<{ [k: string]: YamlValue }> = onnxFlavors({ onnxVersion: MODEL_EXPORT_VERSIONS.onnx, pythonVersion: MODEL_EXPORT_VERSIONS.python });
  flavors.python_function = { ...flavors.python_function, env: { virtualenv: 'python_env.yaml' } };
  flavors.tfjs = tfjs;
  const size = [...out.values()].reduce((s, b) => s + b.length, 0);
  const runId = input.runId ?? original.runId;
  const modelId = runId ? loggedModelId(runId, input.dir) : null;
  const createdAt = input.createdAt ?? pyUtcToMs(original.utcTimeCreated) ?? Date.now();
  const inputs: SignatureItem[] = features.map((name) => ({ type: 'double', name, required: true }));
  out.set('MLmodel', enc.encode(buildMLmodel({
    flavors, modelUuid: modelId ?? (original.modelUuid || loggedModelId(String(createdAt), input.dir)), modelId, runId, artifactPath: input.dir, createdAt,
    mlflowVersion: MODEL_EXPORT_VERSIONS.mlflow, signature: { inputs, outputs: onnx.outputs, params: null }, inputExample: true, modelSizeBytes: size,
  })));
  return out;
}

/** True when the folder's MLmodel already has the python_function flavor (nothing to upgrade). */
export function hasPythonFunction(files: Map<string, Uint8Array>, dir: string): boolean {
  const src = files.get('MLmodel');
  return !!src && dictGet(parseMLmodel(src, `${dir}/MLmodel`).flavors, 'python_function') !== undefined;
}

/** The files of the MLflow Model zip, by name. */
export function buildModelExport(input: ModelExportInput): Map<string, Uint8Array> {
  const { run, files } = input;
  if (!files.get('MLmodel')) throw invalid(`run ${run.info.runId} has no MLmodel in "${input.dir}/"`);
  const original = parseMLmodel(files.get('MLmodel')!, `${input.dir}/MLmodel`);
  const createdAt = pyUtcToMs(original.utcTimeCreated) ?? run.info.endTime ?? run.info.startTime;
  return buildMlflowModel({ files, dir: input.dir, runId: run.info.runId, createdAt, exampleRows: input.exampleRows });
}

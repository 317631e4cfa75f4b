/**
 * The `model/` directory a training run logs: model.json + weights.bin (TF.js layers format)
 * and an MLmodel file with a `tfjs` flavor and a column signature.
 *
 * The MLmodel text comes from the shared builder (src/lib/mlflow/mlmodel.ts); this file only
 * says what goes into it.
 */
import { buildMLmodel, tfjsFlavor, type SignatureItem } from '../mlflow/mlmodel';
import type { YamlValue } from '../mlflow/yaml';
import { buildMlflowModel } from '../bundles/model-export';
import type { LoggedFile, RunLogger } from '../tracking/run-logger';
import { TFJS_VERSION, type LayersModelFiles } from './tfjs-format';

export interface ModelSignature {
  inputs: unknown[];
  outputs: unknown[];
}

/** Python `json.dumps` text, as MLflow writes signatures. */
export { pyJson } from '../mlflow/mlmodel';

/**
 * Inputs: one `double` column per feature, by name (what `infer_signature` gives for a
 * float64 DataFrame). Outputs: a float64 vector for regressors, class probabilities
 * [-1, k] float32 for classifiers.
 */
export function tabularSignature(features: readonly string[], output: { classes?: readonly string[] }): ModelSignature {
  const inputs = features.map((name) => ({ type: 'double', name, required: true }));
  const outputs = output.classes
    ? [{ type: 'tensor', 'tensor-spec': { dtype: 'float32', shape: [-1, output.classes.length] } }]
    : [{ type: 'tensor', 'tensor-spec': { dtype: 'float64', shape: [-1] } }];
  return { inputs, outputs };
}

export interface MlmodelOptions {
  signature: ModelSignature;
  /** Extra settings of the tfjs flavor (model kind, classes, exact-serving file, ...). */
  flavor: Record<string, YamlValue>;
  modelSizeBytes: number;
  now?: Date;
}

function uuidHex(): string {
  return globalThis.crypto.randomUUID().replace(/-/g, '');
}

export function buildMlmodel(opts: MlmodelOptions): string {
  const tfjs: { [key: string]: YamlValue } = {
    ...tfjsFlavor(TFJS_VERSION).tfjs,
    format: 'layers-model',
    ...opts.flavor,
  };
  return buildMLmodel({
    flavors: { tfjs },
    modelUuid: uuidHex(),
    artifactPath: 'model',
    createdAt: (opts.now ?? new Date()).getTime(),
    signature: { inputs: opts.signature.inputs as SignatureItem[], outputs: opts.signature.outputs as SignatureItem[], params: null },
    modelSizeBytes: opts.modelSizeBytes,
  });
}

export interface ModelDirectory {
  files: LayersModelFiles;
  signature: ModelSignature;
  flavor: Record<string, YamlValue>;
  /** More files in model/, e.g. linear.json, by name. */
  extra?: Record<string, Uint8Array>;
  /** A few rows of the features (in feature order) for input_example.json. */
  exampleRows?: number[][];
}

const CONTENT_TYPES: Record<string, string> = { json: 'application/json', MLmodel: 'text/yaml', yaml: 'text/yaml', txt: 'text/plain' };

/**
 * Logs the model as an MLflow Model folder: the TF.js files (model.json, weights.bin), the
 * extra files, and what buildMlflowModel adds to them (model.onnx, the python_function + onnx
 * flavors next to tfjs in MLmodel, signature, input example, python_env.yaml, requirements.txt),
 * so `mlflow.pyfunc.load_model('runs:/<id>/model')` works on any export of the run.
 */
export async function logModelDirectory(logger: RunLogger, dir: ModelDirectory, base = 'model'): Promise<void> {
  const enc = new TextEncoder();
  const files = new Map<string, Uint8Array>([
    ['model.json', enc.encode(JSON.stringify(dir.files.modelJson))],
    ['weights.bin', dir.files.weights],
  ]);
  for (const [name, bytes] of Object.entries(dir.extra ?? {})) files.set(name, bytes);
  const now = new Date();
  const size = [...files.values()].reduce((s, b) => s + b.byteLength, 0);
  files.set('MLmodel', enc.encode(buildMlmodel({ signature: dir.signature, flavor: dir.flavor, modelSizeBytes: size, now })));
  const folder = buildMlflowModel({ files, dir: base, createdAt: now.getTime(), exampleRows: dir.exampleRows });
  const file = (name: string): LoggedFile => {
    const ext = name === 'MLmodel' ? name : name.slice(name.lastIndexOf('.') + 1);
    return { path: `${base}/${name}`, bytes: folder.get(name)!, contentType: CONTENT_TYPES[ext] ?? 'application/octet-stream' };
  };
  // A folder with an MLmodel is a model, so it must appear only once complete. A logger that
  // takes files together gets the whole folder in one call (from a worker: one round trip, and
  // one transaction, all or none, on the page), MLmodel last; otherwise MLmodel is written last.
  const rest = [...folder.keys()].filter((n) => n !== 'MLmodel').map(file);
  const mlmodel = file('MLmodel');
  if (logger.logArtifacts) {
    await logger.logArtifacts([...rest, mlmodel]);
    return;
  }
  for (const f of rest) await logger.logArtifact(f.path, f.bytes, f.contentType);
  await logger.logArtifact(mlmodel.path, mlmodel.bytes, mlmodel.contentType);
}

/** Up to `n` rows of the features, in feature order, from the given rows (for the input example). */
export function exampleRowsOf(columns: readonly ArrayLike<number>[], rows: ArrayLike<number>, n = 5): number[][] {
  return Array.from({ length: Math.min(n, rows.length) }, (_, i) => columns.map((c) => c[rows[i]]));
}

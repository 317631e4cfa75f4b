/**
 * The `model/` directory a training run logs: model.json + weights.bin (TF.js layers format)
 * and an MLmodel file with a `tfjs` flavor and a column signature.
 *
 * `buildMlmodel` is the one place the MLmodel text is made here, so it can be switched to
 * the shared builder (src/lib/mlflow/mlmodel.ts) when that lands.
 */
import { dumpYaml, type YamlValue } from '../mlflow/yaml';
import type { RunLogger } from './logger';
import { TFJS_VERSION, type LayersModelFiles } from './tfjs-format';

export interface ModelSignature {
  inputs: unknown[];
  outputs: unknown[];
}

/** Python `json.dumps` text (", " and ": " separators, non-ASCII escaped), as MLflow writes signatures. */
export function pyJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') {
    return JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pyJson).join(', ')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj).map((k) => `${pyJson(k)}: ${pyJson(obj[k])}`).join(', ')}}`;
}

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

function utcNaive(d: Date): string {
  // Python's str() of a naive UTC datetime: 'YYYY-MM-DD HH:MM:SS.ffffff'.
  return `${d.toISOString().slice(0, 19).replace('T', ' ')}.${String(d.getUTCMilliseconds() * 1000).padStart(6, '0')}`;
}

function uuidHex(): string {
  return globalThis.crypto.randomUUID().replace(/-/g, '');
}

export function buildMlmodel(opts: MlmodelOptions): string {
  const doc: Record<string, YamlValue> = {
    artifact_path: 'model',
    flavors: {
      tfjs: {
        format: 'layers-model',
        model_json: 'model.json',
        tfjs_version: TFJS_VERSION,
        ...opts.flavor,
      },
    },
    model_size_bytes: opts.modelSizeBytes,
    model_uuid: uuidHex(),
    signature: {
      inputs: pyJson(opts.signature.inputs),
      outputs: pyJson(opts.signature.outputs),
      params: null,
    },
    utc_time_created: utcNaive(opts.now ?? new Date()),
  };
  return dumpYaml(doc);
}

export interface ModelDirectory {
  files: LayersModelFiles;
  signature: ModelSignature;
  flavor: Record<string, YamlValue>;
  /** More files in model/, e.g. linear.json, by name. */
  extra?: Record<string, Uint8Array>;
}

/** Logs model/model.json, model/weights.bin, the extra files and model/MLmodel. */
export async function logModelDirectory(logger: RunLogger, dir: ModelDirectory, base = 'model'): Promise<void> {
  const enc = new TextEncoder();
  const json = enc.encode(JSON.stringify(dir.files.modelJson));
  const files: [string, Uint8Array, string][] = [
    ['model.json', json, 'application/json'],
    ['weights.bin', dir.files.weights, 'application/octet-stream'],
  ];
  for (const [name, bytes] of Object.entries(dir.extra ?? {})) {
    files.push([name, bytes, name.endsWith('.json') ? 'application/json' : 'application/octet-stream']);
  }
  const size = files.reduce((s, [, b]) => s + b.byteLength, 0);
  const mlmodel = buildMlmodel({ signature: dir.signature, flavor: dir.flavor, modelSizeBytes: size });
  for (const [name, bytes, type] of files) await logger.logArtifact(`${base}/${name}`, bytes, type);
  await logger.logArtifact(`${base}/MLmodel`, enc.encode(mlmodel), 'text/yaml');
}

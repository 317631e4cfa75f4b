/**
 * The `model/` directory a training run logs: model.json + weights.bin (TF.js layers format)
 * and an MLmodel file with a `tfjs` flavor and a column signature.
 *
 * The MLmodel text comes from the shared builder (src/lib/mlflow/mlmodel.ts); this file only
 * says what goes into it.
 */
import { buildMLmodel, tfjsFlavor, type SignatureItem } from '../mlflow/mlmodel';
import type { YamlValue } from '../mlflow/yaml';
import type { RunLogger } from './logger';
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

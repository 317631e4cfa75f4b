/**
 * The MLmodel file (docs/mlflow-formats.md §2): building one for the lab's models (our `tfjs`
 * flavor; `onnx` + `python_function` so MLflow can serve an exported ONNX model) and parsing
 * the ones MLflow writes. Signature parts are JSON strings inside the YAML, in Python
 * `json.dumps` spacing; input examples follow §2.5.
 */
import { dictGet, dictHas, type Dict } from '../util/dict';
import { FormatError } from './errors';
import { Fields } from './fields';
import { dumpYaml, isYamlMap, parseYamlSafe, type YamlValue } from './yaml';

type YamlMap = { [key: string]: YamlValue };

export interface ColSpec {
  type: 'boolean' | 'integer' | 'long' | 'float' | 'double' | 'string' | 'binary' | 'datetime';
  name?: string;
  required?: boolean;
}
export interface TensorSpec {
  type: 'tensor';
  'tensor-spec': { dtype: string; shape: number[] };
  name?: string;
}
export type SignatureItem = ColSpec | TensorSpec | { [key: string]: unknown };

export interface ModelSignature {
  inputs: SignatureItem[];
  outputs: SignatureItem[] | null;
  params: { [key: string]: unknown }[] | null;
}

export interface MLmodel {
  flavors: Dict<YamlMap>;
  modelUuid: string;
  modelId: string | null;
  runId?: string;
  artifactPath?: string;
  utcTimeCreated: string;
  mlflowVersion: string;
  signature?: ModelSignature;
  savedInputExampleInfo?: YamlMap;
  modelSizeBytes?: number;
  /** Keys we do not model, kept so a parse → build round trip loses nothing. */
  extra: Dict<YamlValue>;
}

/** JSON text as Python's `json.dumps` writes it (`, ` and `: `, ASCII only; `indent` like Python). */
export function pyJson(v: unknown, indent?: number, level = 0): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return JSON.stringify(v).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const items: string[] = Array.isArray(v)
    ? v.map((x) => pyJson(x, indent, level + 1))
    : Object.keys(v as object).map((k) => `${pyJson(k)}: ${pyJson(dictGet(v as Dict<unknown>, k), indent, level + 1)}`);
  const [open, close] = Array.isArray(v) ? ['[', ']'] : ['{', '}'];
  if (items.length === 0) return open + close;
  if (indent === undefined) return open + items.join(', ') + close;
  const pad = ' '.repeat(indent * (level + 1));
  return `${open}\n${pad}${items.join(`,\n${pad}`)}\n${' '.repeat(indent * level)}${close}`;
}

/** `str(datetime.utcnow())`: naive UTC with microseconds. */
export function pyUtcTime(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2025-06-01T12:00:00.123Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000`;
}

export interface BuildMLmodelOptions {
  flavors: Dict<YamlMap>;
  modelUuid: string;
  modelId?: string | null;
  runId?: string;
  artifactPath?: string;
  createdAt: number;
  mlflowVersion?: string;
  signature?: ModelSignature;
  inputExample?: boolean;
  modelSizeBytes?: number;
}

export function buildMLmodel(o: BuildMLmodelOptions): string {
  const y: YamlMap = {
    flavors: o.flavors as YamlMap,
    mlflow_version: o.mlflowVersion ?? '3.1.0',
    model_id: o.modelId ?? null,
    model_uuid: o.modelUuid,
    utc_time_created: pyUtcTime(o.createdAt),
  };
  if (o.runId) y.run_id = o.runId;
  if (o.artifactPath) y.artifact_path = o.artifactPath;
  if (o.modelSizeBytes !== undefined) y.model_size_bytes = o.modelSizeBytes;
  if (o.signature) {
    y.signature = {
      inputs: pyJson(o.signature.inputs),
      outputs: o.signature.outputs ? pyJson(o.signature.outputs) : null,
      params: o.signature.params ? pyJson(o.signature.params) : null,
    };
    y.is_signature_from_type_hint = false;
    y.type_hint_from_example = false;
  }
  if (o.inputExample) {
    y.saved_input_example_info = { artifact_path: 'input_example.json', pandas_orient: 'split', serving_input_path: 'serving_input_example.json', type: 'dataframe' };
  }
  return dumpYaml(y);
}

/** Our TF.js flavor: MLflow ignores flavors it does not know, the lab reloads from it. */
export function tfjsFlavor(tfjsVersion: string, modelJson = 'model.json'): Dict<YamlMap> {
  return { tfjs: { model_json: modelJson, tfjs_version: tfjsVersion } };
}

/** `onnx` + `python_function` flavors, so `mlflow.pyfunc.load_model` and `mlflow models serve` work (§2.3–2.4). */
export function onnxFlavors(o: { onnxVersion: string; pythonVersion: string; data?: string; providers?: string[] }): Dict<YamlMap> {
  const data = o.data ?? 'model.onnx';
  return {
    onnx: { code: null, data, onnx_version: o.onnxVersion, providers: o.providers ?? ['CPUExecutionProvider'] },
    python_function: { data, loader_module: 'mlflow.onnx', python_version: o.pythonVersion },
  };
}

/** input_example.json and serving_input_example.json for a DataFrame example (split orient). */
export function dataFrameInputExample(columns: string[], rows: (number | string | boolean | null)[][]): { inputExample: string; servingInputExample: string } {
  return {
    inputExample: pyJson({ columns, data: rows }),
    servingInputExample: pyJson({ dataframe_split: { columns, data: rows } }, 2),
  };
}

function parseSigPart(file: string, key: string, v: YamlValue | undefined): unknown[] | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new FormatError(file, `signature.${key} must be a JSON string`, `signature.${key}`);
  let out: unknown;
  try {
    out = JSON.parse(v.replace(/\bNaN\b|-?\bInfinity\b/g, 'null'));
  } catch {
    throw new FormatError(file, `signature.${key} is not valid JSON`, `signature.${key}`);
  }
  if (!Array.isArray(out)) throw new FormatError(file, `signature.${key} must be a JSON list`, `signature.${key}`);
  return out;
}

const KNOWN = new Set(['flavors', 'model_uuid', 'model_id', 'run_id', 'artifact_path', 'utc_time_created', 'mlflow_version', 'signature', 'saved_input_example_info', 'model_size_bytes']);

export function parseMLmodel(input: string | Uint8Array, file = 'MLmodel'): MLmodel {
  const f = Fields.of(file, parseYamlSafe(input, file, { maxBytes: 16 << 20 }));
  const flavors: YamlMap = f.optMap('flavors') ?? f.missing('flavors');
  for (const k of Object.keys(flavors)) if (!isYamlMap(dictGet(flavors, k))) f.fail(`flavors.${k}`, 'a mapping', dictGet(flavors, k));
  const m: MLmodel = {
    flavors: flavors as Dict<YamlMap>,
    modelUuid: f.optString('model_uuid', '') ?? '',
    modelId: f.optString('model_id'),
    utcTimeCreated: f.optString('utc_time_created', '') ?? '',
    mlflowVersion: f.optString('mlflow_version', '') ?? '',
    extra: {},
  };
  const runId = f.optString('run_id');
  if (runId) m.runId = runId;
  const ap = f.optString('artifact_path');
  if (ap) m.artifactPath = ap;
  const size = f.optInt('model_size_bytes');
  if (size !== null) m.modelSizeBytes = size;
  const sig = f.optMap('signature');
  if (sig) {
    m.signature = {
      inputs: (parseSigPart(file, 'inputs', dictGet(sig, 'inputs')) ?? []) as SignatureItem[],
      outputs: parseSigPart(file, 'outputs', dictGet(sig, 'outputs')) as SignatureItem[] | null,
      params: parseSigPart(file, 'params', dictGet(sig, 'params')) as ModelSignature['params'],
    };
  }
  const ex = f.optMap('saved_input_example_info');
  if (ex) m.savedInputExampleInfo = ex;
  for (const k of Object.keys(f.map)) if (!KNOWN.has(k)) Object.defineProperty(m.extra, k, { value: f.map[k], enumerable: true, writable: true, configurable: true });
  return m;
}

/** Folders of an artifact list that hold a model (an `MLmodel` file), e.g. MLflow 2's `model`. */
export function findModelDirs(paths: string[]): string[] {
  return paths.filter((p) => p === 'MLmodel' || p.endsWith('/MLmodel')).map((p) => p.slice(0, Math.max(0, p.length - 'MLmodel'.length - 1))).sort();
}

export function hasFlavor(m: MLmodel, name: string): boolean {
  return dictHas(m.flavors, name);
}

/**
 * The predict worker's API (workers/predict-worker.ts exposes it with comlink) and the parts of
 * loading that need no TF.js: which kind of model a directory holds, read from its MLmodel.
 */
import { parseMLmodel, type MLmodel } from '../mlflow/mlmodel';
import { dictGet } from '../util/dict';
import { invalid } from '../util/errors';
import type { Prediction } from './scoring-response';

export type { Prediction };

/** A model directory's files by path relative to it: MLmodel, linear.json, model.json, weights.bin… */
export type ModelFiles = Record<string, Uint8Array>;

export interface LoadedModelInfo {
  /** `linear`: exact float64 path; `tfjs`: a TF.js layers model. */
  engine: 'linear' | 'tfjs';
  task: 'regression' | 'classification';
  featureNames: string[];
  classes: string[] | null;
  mlmodel: MLmodel;
}

export interface PredictWorkerApi {
  /** Parses and keeps a model under `modelKey` (e.g. `models:/wine/3` or `runs:/<id>/model`). */
  load(modelKey: string, files: ModelFiles): Promise<Omit<LoadedModelInfo, 'mlmodel'>>;
  /** Columns in feature order. Regression: one float64 per row; classification: labels and row-major probabilities. */
  predict(modelKey: string, columns: Float64Array[]): Promise<Prediction>;
  unload(modelKey: string): void;
}

export function fileText(files: ModelFiles, name: string): string {
  const bytes = files[name];
  if (!Object.prototype.hasOwnProperty.call(files, name) || !bytes) throw invalid(`The model has no ${name} file.`);
  return new TextDecoder().decode(bytes);
}

/** Reads MLmodel's `tfjs` flavor: the exact linear file when there is one, else model.json. */
export function describeModel(files: ModelFiles): LoadedModelInfo & { exactFile: string | null; modelJson: string } {
  const mlmodel = parseMLmodel(fileText(files, 'MLmodel'));
  const flavor = dictGet(mlmodel.flavors, 'tfjs');
  if (!flavor) throw invalid(`In-page serving needs a tfjs flavor; this model has ${Object.keys(mlmodel.flavors).join(', ') || 'none'}.`);
  const str = (k: string) => { const v = dictGet(flavor, k); return typeof v === 'string' ? v : null; };
  const list = (k: string) => { const v = dictGet(flavor, k); return Array.isArray(v) ? v.map(String) : null; };
  const classes = list('classes');
  const signatureNames = (mlmodel.signature?.inputs ?? []).map((c) => (c as { name?: unknown }).name).filter((n): n is string => typeof n === 'string');
  const exactFile = str('exact_model');
  return {
    engine: exactFile && Object.prototype.hasOwnProperty.call(files, exactFile) ? 'linear' : 'tfjs',
    task: str('task') === 'classification' || classes ? 'classification' : 'regression',
    featureNames: list('feature_names') ?? signatureNames,
    classes,
    mlmodel,
    exactFile: exactFile && Object.prototype.hasOwnProperty.call(files, exactFile) ? exactFile : null,
    modelJson: str('model_json') ?? 'model.json',
  };
}

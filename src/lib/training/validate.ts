/**
 * Checks a TrainSpec against a table before any work starts, and fills in the defaults.
 * Messages name the field and say what would be accepted, because they go straight to a form.
 */
import type { DataTable } from '../data/types';
import { MODEL_KINDS, type HyperValue, type ResolvedTrainSpec, type TrainSpec } from './contract';
import { coerceParam, paramSchema } from './params';

export interface FieldError {
  /** `model`, `target`, `features`, `split.testSize`, `params.alpha`, ... */
  field: string;
  message: string;
}

export type ValidationResult = { ok: true; spec: ResolvedTrainSpec } | { ok: false; errors: FieldError[] };

/** Most classes a classifier accepts; more usually means a continuous target by mistake. */
export const MAX_CLASSES = 100;

export function validateTrainSpec(spec: TrainSpec, table: DataTable): ValidationResult {
  const errors: FieldError[] = [];
  const err = (field: string, message: string) => errors.push({ field, message });

  const model = spec?.model;
  if (!MODEL_KINDS.includes(model)) {
    err('model', `unknown model "${String(model)}"; choose one of ${MODEL_KINDS.join(', ')}`);
    return { ok: false, errors };
  }
  const task = spec.task ?? (model === 'logistic' ? 'classification' : 'regression');
  if (task !== 'regression' && task !== 'classification') err('task', 'must be regression or classification');
  if (model === 'logistic' && task !== 'classification') err('task', 'logistic regression is a classifier');
  if (model === 'elasticnet' && task !== 'regression') err('task', 'the elastic net is a regressor');

  const colIndex = new Map(table.columns.map((c, i) => [c, i] as const));
  const target = spec.target;
  const targetIdx = typeof target === 'string' ? colIndex.get(target) : undefined;
  if (typeof target !== 'string' || target === '') err('target', 'choose a target column');
  else if (targetIdx === undefined) err('target', `no column named "${target}"`);
  else if (task === 'regression' && table.types[targetIdx] !== 'number') {
    err('target', `"${target}" is not numeric; regression needs a numeric target`);
  }

  let features: string[];
  if (spec.features === undefined) {
    features = table.columns.filter((c, i) => c !== target && table.types[i] === 'number');
  } else if (!Array.isArray(spec.features)) {
    features = [];
    err('features', 'must be a list of column names');
  } else {
    features = spec.features;
    const seen = new Set<string>();
    for (const f of features) {
      const i = colIndex.get(f);
      if (i === undefined) err('features', `no column named "${f}"`);
      else if (table.types[i] !== 'number') err('features', `"${f}" is not numeric`);
      if (f === target) err('features', `the target "${f}" cannot also be a feature`);
      if (seen.has(f)) err('features', `"${f}" is listed twice`);
      seen.add(f);
    }
  }
  if (features.length === 0 && !errors.some((e) => e.field === 'features')) {
    err('features', 'no numeric feature columns to train on');
  }

  const split = {
    testSize: spec.split?.testSize ?? 0.25,
    seed: spec.split?.seed ?? 40,
    shuffle: spec.split?.shuffle ?? 'numpy',
  };
  if (!(typeof split.testSize === 'number' && split.testSize > 0 && split.testSize < 1)) {
    err('split.testSize', 'must be a fraction between 0 and 1 (exclusive)');
  } else {
    const nTest = Math.ceil(split.testSize * table.rowCount);
    if (table.rowCount - nTest < 1 || nTest < 1) {
      err('split.testSize', `leaves no training or no test rows out of ${table.rowCount}`);
    }
  }
  if (!Number.isInteger(split.seed) || split.seed < 0 || split.seed > 0xffffffff) {
    err('split.seed', 'must be a whole number between 0 and 4294967295');
  }
  if (split.shuffle !== 'numpy' && split.shuffle !== 'none') err('split.shuffle', 'must be numpy or none');

  const params: Record<string, HyperValue> = {};
  const given = spec.params ?? {};
  const schema = paramSchema(model);
  for (const key of Object.keys(given)) {
    if (!schema.some((p) => p.name === key)) {
      err(`params.${key}`, `unknown parameter for ${model}; known: ${schema.map((p) => p.name).join(', ')}`);
    }
  }
  for (const p of schema) {
    const raw = Object.prototype.hasOwnProperty.call(given, p.name) ? given[p.name] : p.default;
    const res = coerceParam(p, raw);
    if ('error' in res) err(`params.${p.name}`, `${p.name} ${res.error}`);
    else params[p.name] = res.value;
  }
  if (model !== 'elasticnet' && typeof params.validation_split === 'number') {
    const nTrain = table.rowCount - Math.ceil(split.testSize * table.rowCount);
    if (params.validation_split > 0 && Math.floor(nTrain * (1 - params.validation_split)) < 1) {
      err('params.validation_split', 'leaves no rows to train on');
    }
    if (Number(params.early_stopping_patience) > 0 && params.validation_split === 0) {
      err('params.early_stopping_patience', 'early stopping watches val_loss: set validation_split above 0');
    }
  }

  if (task === 'classification' && targetIdx !== undefined) {
    const n = distinctCount(table.data[targetIdx]);
    if (n < 2) err('target', `"${target}" has ${n} distinct value; a classifier needs at least 2`);
    else if (n > MAX_CLASSES) err('target', `"${target}" has ${n} distinct values; at most ${MAX_CLASSES} classes`);
  }

  const standardize = spec.standardize ?? model !== 'elasticnet';
  if (typeof standardize !== 'boolean') err('standardize', 'must be true or false');
  const backend = spec.backend ?? 'wasm';
  if (backend !== 'wasm' && backend !== 'cpu') err('backend', 'must be wasm or cpu');

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    spec: { model, task, target, features: [...features], params, split, standardize, backend },
  };
}

function distinctCount(col: Float64Array | string[]): number {
  const seen = new Set<number | string>();
  for (const v of col) {
    if (typeof v === 'number' ? Number.isNaN(v) : v === '') continue;
    seen.add(v);
    if (seen.size > MAX_CLASSES) break;
  }
  return seen.size;
}

/**
 * The resolved spec, or an Error listing every field's problem: for callers with no form to
 * show field errors on (tests, scripts that hand a spec straight to a trainer).
 */
export function resolveTrainSpec(spec: TrainSpec, table: DataTable): ResolvedTrainSpec {
  const checked = validateTrainSpec(spec, table);
  if (!checked.ok) throw new Error(`invalid training spec: ${checked.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`);
  return checked.spec;
}

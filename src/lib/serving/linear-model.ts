/**
 * The elastic net's exact serving path: `model/linear.json` (workers/training/elastic-net-
 * trainer.ts writes it) evaluated in float64 without TF.js. The arithmetic is the training
 * code's (standardize, then Σ_j x̃_j·coef_j in feature order, then + intercept), so a served
 * prediction equals the one behind the run's logged metrics bit for bit.
 */
import { invalid } from '../util/errors';

export interface LinearModel {
  featureNames: string[];
  target: string;
  coef: Float64Array;
  intercept: number;
  /** null when the features were not standardised. */
  mean: Float64Array | null;
  scale: Float64Array | null;
}

function numbers(v: unknown, what: string, n?: number): Float64Array {
  if (!Array.isArray(v) || (n !== undefined && v.length !== n) || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw invalid(`linear.json: ${what} must be a list of ${n ?? ''} finite numbers.`);
  }
  return Float64Array.from(v as number[]);
}

export function parseLinearModel(input: string | Uint8Array): LinearModel {
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(typeof input === 'string' ? input : new TextDecoder().decode(input)) as Record<string, unknown>;
  } catch (e) {
    throw invalid(`linear.json is not JSON: ${(e as Error).message}`);
  }
  if (typeof j !== 'object' || j === null || j.format !== 'mfflow-linear' || j.version !== 1) throw invalid('linear.json: not an mfflow-linear version 1 model.');
  const names = j.feature_names;
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) throw invalid('linear.json: feature_names must be a list of strings.');
  const coef = numbers(j.coef, 'coef', names.length);
  if (typeof j.intercept !== 'number' || !Number.isFinite(j.intercept)) throw invalid('linear.json: intercept must be a finite number.');
  const s = j.scaler as { mean?: unknown; scale?: unknown } | null | undefined;
  const mean = s ? numbers(s.mean, 'scaler.mean', names.length) : null;
  const scale = s ? numbers(s.scale, 'scaler.scale', names.length) : null;
  if (scale && scale.some((x) => x === 0)) throw invalid('linear.json: scaler.scale has a zero.');
  return { featureNames: names as string[], target: String(j.target ?? ''), coef, intercept: j.intercept, mean, scale };
}

/**
 * Predictions for columns in feature order. `out` (length ≥ rows) avoids an allocation per call;
 * the loop is column-major like training's, so each input column is read once, in order.
 */
export function predictLinear(m: LinearModel, columns: readonly ArrayLike<number>[], out?: Float64Array): Float64Array {
  const p = m.coef.length;
  if (columns.length !== p) throw invalid(`The model takes ${p} features, got ${columns.length} columns.`);
  const n = p ? columns[0].length : 0;
  for (let j = 1; j < p; j++) if (columns[j].length !== n) throw invalid(`Column ${j} has ${columns[j].length} rows, column 0 has ${n}.`);
  const y = out ? out.subarray(0, n) : new Float64Array(n);
  if (out) y.fill(0);
  const { mean, scale, coef } = m;
  for (let j = 0; j < p; j++) {
    const c = columns[j];
    const w = coef[j];
    if (mean && scale) {
      const mu = mean[j], sc = scale[j];
      for (let i = 0; i < n; i++) y[i] += ((c[i] - mu) / sc) * w;
    } else {
      for (let i = 0; i < n; i++) y[i] += c[i] * w;
    }
  }
  const b = m.intercept;
  for (let i = 0; i < n; i++) y[i] += b;
  return y;
}

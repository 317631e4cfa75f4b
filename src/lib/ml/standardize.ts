/**
 * scikit-learn's `StandardScaler` on dense float64 columns: population variance (ddof = 0),
 * near-constant columns get scale 1 (sklearn's `_is_constant_feature` bound).
 */
import { pairwiseSum } from './pairwise-sum';

const EPS = 2.220446049250313e-16;

export interface StandardScaler {
  mean: Float64Array;
  /** Population variance per column. */
  variance: Float64Array;
  /** √variance, or 1 for near-constant columns. */
  scale: Float64Array;
  nSamples: number;
}

/** Fits on columns (optionally a row subset, e.g. the training split). */
export function fitStandardScaler(columns: readonly ArrayLike<number>[], rows?: ArrayLike<number>): StandardScaler {
  const p = columns.length;
  const n = rows ? rows.length : p ? columns[0].length : 0;
  const mean = new Float64Array(p), variance = new Float64Array(p), scale = new Float64Array(p);
  const buf = new Float64Array(n);
  for (let j = 0; j < p; j++) {
    const col = columns[j];
    if (!rows && col.length !== n) throw new RangeError('columns differ in length');
    for (let i = 0; i < n; i++) buf[i] = rows ? col[rows[i]] : col[i];
    const m = pairwiseSum(buf) / n;
    // sklearn's two-pass variance with the Chan–Golub–LeVeque correction term.
    for (let i = 0; i < n; i++) buf[i] -= m;
    const correction = pairwiseSum(buf);
    for (let i = 0; i < n; i++) buf[i] *= buf[i];
    const v = (pairwiseSum(buf) - (correction * correction) / n) / n;
    mean[j] = m;
    variance[j] = v;
    const constant = v <= n * EPS * v + (n * m * EPS) ** 2;
    scale[j] = constant ? 1 : Math.sqrt(v);
  }
  return { mean, variance, scale, nSamples: n };
}

/** (x − mean)/scale, new columns. */
export function standardize(s: StandardScaler, columns: readonly ArrayLike<number>[]): Float64Array[] {
  if (columns.length !== s.mean.length) throw new RangeError(`scaler has ${s.mean.length} columns, got ${columns.length}`);
  return columns.map((col, j) => {
    const out = new Float64Array(col.length);
    const m = s.mean[j], sc = s.scale[j];
    for (let i = 0; i < col.length; i++) out[i] = (col[i] - m) / sc;
    return out;
  });
}

/** x·scale + mean, new columns. */
export function unstandardize(s: StandardScaler, columns: readonly ArrayLike<number>[]): Float64Array[] {
  if (columns.length !== s.mean.length) throw new RangeError(`scaler has ${s.mean.length} columns, got ${columns.length}`);
  return columns.map((col, j) => {
    const out = new Float64Array(col.length);
    const m = s.mean[j], sc = s.scale[j];
    for (let i = 0; i < col.length; i++) out[i] = col[i] * sc + m;
    return out;
  });
}

/**
 * TensorBoard-style smoothing: an exponential moving average debiased by 1 − w^n, so the curve
 * starts at the first value instead of climbing from zero. Non-finite values pass through and
 * do not enter the average (as TensorBoard does). w = 0 is the raw series.
 */

/** Largest weight offered: at 1 the average would never move. */
export const MAX_SMOOTHING = 0.99;

export function clampSmoothing(w: number): number {
  if (!Number.isFinite(w) || w <= 0) return 0;
  return w > MAX_SMOOTHING ? MAX_SMOOTHING : w;
}

/** Smoothed copy of `values` with weight `w` (clamped to 0..0.99). */
export function smoothEma(values: Float64Array, w: number): Float64Array {
  const weight = clampSmoothing(w);
  const out = new Float64Array(values.length);
  if (weight === 0) {
    out.set(values);
    return out;
  }
  let last = 0;
  let decay = 1; // weight^count, kept as a running product instead of Math.pow per point
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    last = last * weight + (1 - weight) * v;
    decay *= weight;
    out[i] = last / (1 - decay);
  }
  return out;
}

/**
 * Shape-keeping downsampling for line charts. Evenly spaced sampling (MLflow's 320 points)
 * drops spikes; here every pixel column keeps its first, min, max and last point (the M4 idea),
 * so the drawn line has the same extremes as the raw one, and only the visible x range is
 * bucketed, so zooming in re-buckets down to every raw point.
 */

/** A series ready to draw: x ascending, y finite. */
export interface XY {
  x: Float64Array;
  y: Float64Array;
}

/** First index with x[i] >= v (x ascending). */
export function lowerBound(x: Float64Array, v: number): number {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index with x[i] > v (x ascending). */
export function upperBound(x: Float64Array, v: number): number {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Bucket width factor: buckets per x unit over [x0, x1] (0 when the range is empty). */
export function bucketScale(x0: number, x1: number, buckets: number): number {
  return x1 > x0 ? buckets / (x1 - x0) : 0;
}

/** The bucket (0 ≤ b < buckets) a value of [x0, x1] falls in; shared by every series of a chart. */
export function bucketOf(x: number, x0: number, x1: number, buckets: number): number {
  const b = Math.floor((x - x0) * bucketScale(x0, x1, buckets));
  return b < 0 ? 0 : b >= buckets ? buckets - 1 : b;
}

/** Kept indices (ascending) and the bucket of each. */
export interface M4Result {
  idx: Uint32Array;
  bucket: Uint32Array;
}

/**
 * Indices (ascending) of the points of `s` kept when its part inside [x0, x1] is cut into
 * `buckets` equal x intervals: per bucket the first, the min, the max and the last point.
 * At most 4 per bucket, so the output never exceeds 4 × buckets points.
 */
export function m4Indices(s: XY, x0: number, x1: number, buckets: number): Uint32Array {
  return m4(s, x0, x1, buckets).idx;
}

export function m4(s: XY, x0: number, x1: number, buckets: number): M4Result {
  const { x, y } = s;
  const i0 = lowerBound(x, x0);
  const i1 = upperBound(x, x1);
  const cap = Math.min(i1 - i0, 4 * Math.max(1, buckets));
  const idx = new Uint32Array(cap);
  const bucket = new Uint32Array(cap);
  const scale = bucketScale(x0, x1, buckets);
  const top = buckets - 1;
  // Same arithmetic as bucketOf, inlined: this loop runs once per raw point.
  const bOf = (v: number) => { const b = Math.floor((v - x0) * scale); return b < 0 ? 0 : b > top ? top : b; };
  let n = 0;
  let i = i0;
  while (i < i1) {
    const b = bOf(x[i]);
    const first = i;
    let lo = i;
    let hi = i;
    let j = i + 1;
    while (j < i1 && bOf(x[j]) === b) {
      const v = y[j];
      if (v < y[lo]) lo = j;
      if (v > y[hi]) hi = j;
      j++;
    }
    const last = j - 1;
    // Emit in x order without repeats: first ≤ min/max ≤ last by index.
    const a = lo < hi ? lo : hi;
    const c = lo < hi ? hi : lo;
    bucket[n] = b; idx[n++] = first;
    if (a !== first) { bucket[n] = b; idx[n++] = a; }
    if (c !== a && c !== first) { bucket[n] = b; idx[n++] = c; }
    if (last !== c && last !== a && last !== first) { bucket[n] = b; idx[n++] = last; }
    i = j;
  }
  return { idx: idx.subarray(0, n), bucket: bucket.subarray(0, n) };
}

/** Linear interpolation of `s` at `at`, or undefined when `at` lies outside the series. */
export function interpolateAt(s: XY, at: number): number | undefined {
  const { x, y } = s;
  const n = x.length;
  if (n === 0 || at < x[0] || at > x[n - 1]) return undefined;
  const i = lowerBound(x, at);
  if (x[i] === at) return y[i];
  const xa = x[i - 1];
  const xb = x[i];
  return y[i - 1] + ((y[i] - y[i - 1]) * (at - xa)) / (xb - xa);
}

/** A downsampled series with each point's bucket: -1 and `buckets` mark the interpolated edges. */
export interface Downsampled extends XY {
  bucket: Int32Array;
}

/**
 * The visible part of `s` downsampled to ≤ 4 × buckets points, plus, where the series goes on
 * beyond the range, its interpolated value at each edge, so the line reaches the frame.
 */
export function downsampleRange(s: XY, x0: number, x1: number, buckets: number): Downsampled {
  const { idx, bucket } = m4(s, x0, x1, buckets);
  const n = s.x.length;
  const left = n > 0 && s.x[0] < x0 && (idx.length === 0 || s.x[idx[0]] > x0) ? interpolateAt(s, x0) : undefined;
  const right = n > 0 && s.x[n - 1] > x1 && (idx.length === 0 || s.x[idx[idx.length - 1]] < x1) ? interpolateAt(s, x1) : undefined;
  const extra = (left === undefined ? 0 : 1) + (right === undefined ? 0 : 1);
  const x = new Float64Array(idx.length + extra);
  const y = new Float64Array(idx.length + extra);
  const b = new Int32Array(idx.length + extra);
  let o = 0;
  if (left !== undefined) { x[o] = x0; b[o] = -1; y[o++] = left; }
  for (let k = 0; k < idx.length; k++, o++) { x[o] = s.x[idx[k]]; y[o] = s.y[idx[k]]; b[o] = bucket[k]; }
  if (right !== undefined) { x[o] = x1; b[o] = buckets; y[o] = right; }
  return { x, y, bucket: b };
}

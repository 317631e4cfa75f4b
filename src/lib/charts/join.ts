/**
 * Several runs on one shared x for uPlot's aligned data ([x, y1, y2, ...]). Joining the raw
 * histories by their union of x values would make a 100 runs × 10,000 wall-time points chart a
 * 100 × 1,000,000 grid. Instead each series is first downsampled on a bucket grid common to the
 * whole chart (≤ 4 points per bucket), and then:
 *  - when all series have the same x (runs logged at the same steps), or the union is small, the
 *    x values are exact;
 *  - otherwise each kept point takes one of 4 slots inside its bucket, so the grid has at most
 *    4 × buckets columns whatever the data. A bucket is one pixel wide, so a slot moves a point by
 *    under a pixel.
 * Missing cells are `undefined`: uPlot spans them and its hover skips them.
 */
import { downsampleRange, type Downsampled, type XY } from './downsample';

export type Cell = number | undefined;

export interface JoinedFrame {
  /** uPlot aligned data: x then one column per series. */
  data: [Float64Array, ...Cell[][]];
  /** Points drawn, summed over series. */
  points: number;
}

function sameX(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Exact join on the sorted union of x values. */
export function joinExact(series: readonly XY[]): JoinedFrame {
  let union: Float64Array;
  if (series.length > 0 && series.every((s) => sameX(s.x, series[0].x))) union = series[0].x;
  else {
    const all = new Float64Array(series.reduce((n, s) => n + s.x.length, 0));
    let o = 0;
    for (const s of series) { all.set(s.x, o); o += s.x.length; }
    all.sort();
    let u = 0;
    for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[u - 1]) all[u++] = all[i];
    union = all.slice(0, u);
  }
  let points = 0;
  const cols = series.map((s) => {
    const col: Cell[] = new Array<Cell>(union.length);
    let j = 0;
    for (let i = 0; i < s.x.length; i++) {
      while (union[j] < s.x[i]) j++;
      col[j] = s.y[i];
    }
    points += s.x.length;
    return col;
  });
  return { data: [union, ...cols], points };
}

/**
 * Slot join: 4 slots per bucket of [x0, x1], plus one slot at each edge (x0 and x1 exactly) for
 * the interpolated edge points. Each series holds ≤ 4 points per bucket (downsampleRange's
 * bucket ids say which), so the k-th point of a bucket takes slot k, the last one slot 3.
 */
export function joinSlots(series: readonly Downsampled[], x0: number, x1: number, buckets: number): JoinedFrame {
  const inner = 4 * buckets;
  const slots = inner + 2;
  const width = (x1 - x0) / inner;
  const xs = new Float64Array(slots);
  for (let k = 0; k < inner; k++) xs[k + 1] = x0 + (k + 0.5) * width;
  xs[0] = x0;
  xs[slots - 1] = x1;
  let points = 0;
  const cols: Cell[][] = [];
  for (const s of series) {
    // A holey array: holes read as undefined, which uPlot spans and its hover skips.
    const col: Cell[] = new Array<Cell>(slots);
    const { bucket: bk, y } = s;
    const n = y.length;
    let rank = 0;
    for (let i = 0; i < n; i++) {
      const b = bk[i];
      if (b < 0) { col[0] = y[i]; continue; }
      if (b >= buckets) { col[slots - 1] = y[i]; continue; }
      rank = i > 0 && bk[i - 1] === b ? rank + 1 : 0;
      const last = i + 1 >= n || bk[i + 1] !== b;
      col[1 + b * 4 + (last && rank > 0 ? 3 : rank)] = y[i];
    }
    points += n;
    cols.push(col);
  }
  return { data: [xs, ...cols], points };
}

export interface FrameOptions {
  x0: number;
  x1: number;
  /** Pixel columns of the plot: one bucket each. */
  buckets: number;
}

/** Downsamples every series to [x0, x1] and joins them onto one x (exact when cheap, else slots). */
export function buildFrame(series: readonly XY[], opts: FrameOptions): JoinedFrame {
  const buckets = Math.max(1, Math.floor(opts.buckets));
  const parts = series.map((s) => downsampleRange(s, opts.x0, opts.x1, buckets));
  const total = parts.reduce((n, p) => n + p.x.length, 0);
  const allSame = parts.every((p) => sameX(p.x, parts[0].x));
  if (allSame || total <= 4 * buckets || !(opts.x1 > opts.x0)) return joinExact(parts);
  return joinSlots(parts, opts.x0, opts.x1, buckets);
}

/** The x extent of several series (min of firsts, max of lasts), or null when all are empty. */
export function xExtent(series: readonly XY[]): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    if (s.x.length === 0) continue;
    if (s.x[0] < lo) lo = s.x[0];
    if (s.x[s.x.length - 1] > hi) hi = s.x[s.x.length - 1];
  }
  return lo <= hi ? [lo, hi] : null;
}

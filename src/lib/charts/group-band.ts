/**
 * Runs grouped (seeds of one configuration) drawn as one line, the mean per x, inside a band
 * from the min to the max per x. Runs of a group rarely log at the same steps (one logs every
 * 10 steps, another was stopped early, another has a NaN at step 40), so each run is read at
 * every x of the group by linear interpolation between its two nearest finite points, and only
 * inside its own x range: a run stopped at step 50 does not pull the band after 50. NaN and
 * ±Infinity points are skipped (the line of that run spans them, as a run's own line does).
 */
import { lowerBound, upperBound, type XY } from './downsample';
import { joinExact, type JoinedFrame } from './join';
import { sortByX } from './prepare';

export interface Band {
  /** x ascending, distinct. */
  x: Float64Array;
  /** Per x; NaN where no run of the group covers x. */
  mean: Float64Array;
  min: Float64Array;
  max: Float64Array;
  /** How many runs contributed at each x. */
  count: Uint32Array;
}

/** A run's finite points, sorted by x. */
function finitePoints(s: XY): XY {
  let n = 0;
  for (let i = 0; i < s.x.length; i++) if (Number.isFinite(s.x[i]) && Number.isFinite(s.y[i])) n++;
  let out: XY = s;
  if (n !== s.x.length) {
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    let o = 0;
    for (let i = 0; i < s.x.length; i++) if (Number.isFinite(s.x[i]) && Number.isFinite(s.y[i])) { x[o] = s.x[i]; y[o++] = s.y[i]; }
    out = { x, y };
  }
  return sortByX(out);
}

/** The sorted distinct finite x values of several series. */
export function unionX(series: readonly XY[]): Float64Array {
  const all: number[] = [];
  for (const s of series) for (let i = 0; i < s.x.length; i++) if (Number.isFinite(s.x[i]) && Number.isFinite(s.y[i])) all.push(s.x[i]);
  const xs = Float64Array.from(all).sort();
  let u = 0;
  for (let i = 0; i < xs.length; i++) if (u === 0 || xs[i] !== xs[u - 1]) xs[u++] = xs[i];
  return xs.slice(0, u);
}

/**
 * Mean, min and max of several series at the x values `at` (default: the union of their x).
 * At an x a run logged more than once, its last value there counts.
 */
export function aggregateBand(series: readonly XY[], at?: Float64Array): Band {
  const runs = series.map(finitePoints);
  const x = at ?? unionX(runs);
  const n = x.length;
  const sum = new Float64Array(n);
  const min = new Float64Array(n).fill(Infinity);
  const max = new Float64Array(n).fill(-Infinity);
  const count = new Uint32Array(n);
  for (const r of runs) {
    const m = r.x.length;
    if (m === 0) continue;
    // Only the x values inside this run's range; a pointer walks the run's points alongside.
    const lo = lowerBound(x, r.x[0]);
    const hi = upperBound(x, r.x[m - 1]);
    let j = 0;
    for (let i = lo; i < hi; i++) {
      const xi = x[i];
      while (j + 1 < m && r.x[j + 1] <= xi) j++;
      let v: number;
      if (r.x[j] === xi) v = r.y[j];
      else {
        // r.x[j] < xi < r.x[j + 1]
        const t = (xi - r.x[j]) / (r.x[j + 1] - r.x[j]);
        v = r.y[j] + t * (r.y[j + 1] - r.y[j]);
      }
      sum[i] += v;
      count[i]++;
      if (v < min[i]) min[i] = v;
      if (v > max[i]) max[i] = v;
    }
  }
  const mean = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (count[i] === 0) { mean[i] = min[i] = max[i] = NaN; continue; }
    // The rounded sum of equal values can land an ulp outside them ((0.1 + 0.1 + 0.1) / 3).
    mean[i] = Math.min(max[i], Math.max(min[i], sum[i] / count[i]));
  }
  return { x, mean, min, max, count };
}

/**
 * A band thinned for drawing over [x0, x1] with `buckets` pixel columns: when it has more
 * points in view than 2 per column, each column keeps one point whose min is the lowest min
 * in it, whose max the highest max (so the band's envelope is kept) and whose mean the mean of
 * the means. One point on each side outside the range is kept so the lines reach the edges.
 */
export function thinBand(b: Band, x0: number, x1: number, buckets: number): Band {
  const start = Math.max(0, lowerBound(b.x, x0) - 1);
  const end = Math.min(b.x.length, upperBound(b.x, x1) + 1);
  const nb = Math.max(1, Math.floor(buckets));
  if (end - start <= 2 * nb || !(x1 > x0)) {
    return { x: b.x.slice(start, end), mean: b.mean.slice(start, end), min: b.min.slice(start, end), max: b.max.slice(start, end), count: b.count.slice(start, end) };
  }
  const x: number[] = [];
  const mean: number[] = [];
  const min: number[] = [];
  const max: number[] = [];
  const count: number[] = [];
  const keep = (i: number) => { x.push(b.x[i]); mean.push(b.mean[i]); min.push(b.min[i]); max.push(b.max[i]); count.push(b.count[i]); };
  const scale = nb / (x1 - x0);
  let i = start;
  if (b.x[i] < x0) keep(i++);
  while (i < end && b.x[i] <= x1) {
    const bucket = Math.min(nb - 1, Math.floor((b.x[i] - x0) * scale));
    let sx = 0, sm = 0, n = 0, nm = 0, lo = Infinity, hi = -Infinity, c = 0;
    for (; i < end && b.x[i] <= x1 && Math.min(nb - 1, Math.floor((b.x[i] - x0) * scale)) === bucket; i++) {
      sx += b.x[i];
      n++;
      if (b.count[i] > 0) { sm += b.mean[i]; nm++; lo = Math.min(lo, b.min[i]); hi = Math.max(hi, b.max[i]); c = Math.max(c, b.count[i]); }
    }
    x.push(sx / n);
    if (nm === 0) { mean.push(NaN); min.push(NaN); max.push(NaN); count.push(0); }
    else { mean.push(Math.min(hi, Math.max(lo, sm / nm))); min.push(lo); max.push(hi); count.push(c); }
  }
  if (i < end) keep(i);
  return { x: Float64Array.from(x), mean: Float64Array.from(mean), min: Float64Array.from(min), max: Float64Array.from(max), count: Uint32Array.from(count) };
}

/** A band's three lines (mean, min, max) without the x where no run covers, for joining. */
export function bandLines(b: Band): [XY, XY, XY] {
  const keep: number[] = [];
  for (let i = 0; i < b.x.length; i++) if (b.count[i] > 0) keep.push(i);
  const x = Float64Array.from(keep, (i) => b.x[i]);
  return [
    { x, y: Float64Array.from(keep, (i) => b.mean[i]) },
    { x, y: Float64Array.from(keep, (i) => b.min[i]) },
    { x, y: Float64Array.from(keep, (i) => b.max[i]) },
  ];
}

/**
 * uPlot data for groups of runs over [x0, x1]: per group three columns, mean, min and max, on
 * one x (the union of the groups' thinned x values; a group's own three columns share theirs,
 * so its band has no holes the others' lines do not also span).
 */
export function groupFrame(groups: readonly (readonly XY[])[], x0: number, x1: number, buckets: number): JoinedFrame {
  return joinExact(groups.flatMap((g) => bandLines(thinBand(aggregateBand(g), x0, x1, buckets))));
}

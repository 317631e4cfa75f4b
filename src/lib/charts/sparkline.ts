/**
 * A metric history as a tiny inline line (the run page's metrics table): the M4 downsampling of
 * the charts keeps spikes at one bucket per pixel column, so a 1,000,000-point history is a path
 * of at most 4 × width points. Non-finite values are skipped; one point is a dot.
 */
import { m4Indices } from './downsample';
import { filterPoints, sortByX } from './prepare';

export interface Sparkline {
  /** SVG path data ('' when there is nothing or a single point). */
  d: string;
  /** The single point, when there is exactly one x. */
  dot: { cx: number; cy: number } | null;
}

const r1 = (v: number) => Math.round(v * 10) / 10;

export function sparkline(x: Float64Array, y: Float64Array, width: number, height: number, pad = 1.5): Sparkline {
  const s = sortByX(filterPoints({ x, y }, Number.isFinite));
  const n = s.x.length;
  if (n === 0) return { d: '', dot: null };
  const x0 = s.x[0];
  const x1 = s.x[n - 1];
  const idx = x1 > x0 ? m4Indices(s, x0, x1, Math.max(1, Math.floor(width - 2 * pad))) : Uint32Array.from({ length: n }, (_, i) => i);
  let lo = Infinity;
  let hi = -Infinity;
  for (const i of idx) { if (s.y[i] < lo) lo = s.y[i]; if (s.y[i] > hi) hi = s.y[i]; }
  const py = (v: number) => (hi > lo ? pad + (1 - (v - lo) / (hi - lo)) * (height - 2 * pad) : height / 2);
  if (!(x1 > x0)) return { d: '', dot: { cx: width / 2, cy: r1(py(s.y[idx[idx.length - 1]])) } };
  const px = (v: number) => pad + ((v - x0) / (x1 - x0)) * (width - 2 * pad);
  const parts: string[] = [];
  for (let k = 0; k < idx.length; k++) parts.push(`${k === 0 ? 'M' : 'L'}${r1(px(s.x[idx[k]]))},${r1(py(s.y[idx[k]]))}`);
  return { d: parts.join(''), dot: null };
}

/**
 * From a stored metric history to a drawable series: pick the x axis, smooth, drop what the
 * axis cannot show (non-finite values; values ≤ 0 on a log scale) and count what was dropped so
 * the chart can say so, and sort by x when the chosen x is not already ascending.
 */
import type { MetricColumns } from '../tracking/types';
import type { XY } from './downsample';
import { smoothEma } from './smoothing';

export type XMode = 'step' | 'wall' | 'relative';
export const X_MODES: readonly XMode[] = ['step', 'wall', 'relative'];

export const X_MODE_LABELS: Record<XMode, string> = {
  step: 'Step',
  wall: 'Wall time',
  relative: 'Relative time',
};

export function parseXMode(text: string | null | undefined): XMode {
  return (X_MODES as readonly string[]).includes(text ?? '') ? (text as XMode) : 'step';
}

export interface PrepareOptions {
  xMode: XMode;
  /** 0..0.99; 0 draws the raw values. */
  smoothing: number;
  logY: boolean;
  /** Origin of relative time (ms); defaults to the history's earliest timestamp. */
  startTime?: number;
}

export interface PreparedSeries extends XY {
  /** Points not drawn because the value is NaN or ±Infinity. */
  droppedNonFinite: number;
  /** Points not drawn because the value is ≤ 0 and the y axis is logarithmic. */
  droppedNonPositive: number;
}

/** x values of a history for a mode: steps, wall time in seconds (uPlot's time unit), or seconds since start. */
export function xValues(cols: MetricColumns, mode: XMode, startTime?: number): Float64Array {
  const n = cols.steps.length;
  if (mode === 'step') return cols.steps;
  const out = new Float64Array(n);
  let origin = 0;
  if (mode === 'relative') {
    origin = startTime ?? Infinity;
    if (startTime === undefined) for (let i = 0; i < n; i++) if (cols.timestamps[i] < origin) origin = cols.timestamps[i];
  }
  for (let i = 0; i < n; i++) out[i] = (cols.timestamps[i] - origin) / 1000;
  return out;
}

/** Keeps the points whose y passes `keep`; returns the kept columns and how many went. */
export function filterPoints(s: XY, keep: (y: number) => boolean): XY & { dropped: number } {
  let n = 0;
  for (let i = 0; i < s.y.length; i++) if (keep(s.y[i])) n++;
  if (n === s.y.length) return { x: s.x, y: s.y, dropped: 0 };
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  let o = 0;
  for (let i = 0; i < s.y.length; i++) {
    if (keep(s.y[i])) { x[o] = s.x[i]; y[o++] = s.y[i]; }
  }
  return { x, y, dropped: s.y.length - n };
}

/** Stable sort of the points by x, skipped when x is already ascending (the usual case). */
export function sortByX(s: XY): XY {
  let sorted = true;
  for (let i = 1; i < s.x.length && sorted; i++) if (s.x[i] < s.x[i - 1]) sorted = false;
  if (sorted) return s;
  const order = Array.from({ length: s.x.length }, (_, i) => i);
  order.sort((a, b) => s.x[a] - s.x[b] || a - b);
  return { x: Float64Array.from(order, (i) => s.x[i]), y: Float64Array.from(order, (i) => s.y[i]) };
}

const isFiniteNumber = (v: number) => Number.isFinite(v);
const isPositive = (v: number) => v > 0;

/** One series (raw or smoothed) of a history, ready for downsampling. */
export function prepareSeries(cols: MetricColumns, opts: PrepareOptions): PreparedSeries {
  const x = xValues(cols, opts.xMode, opts.startTime);
  const finite = filterPoints({ x, y: cols.values }, isFiniteNumber);
  // Smoothing runs over the finite points in logging order, before the log filter, so the
  // curve is the same on both y scales wherever it is positive.
  const y = opts.smoothing > 0 ? smoothEma(finite.y, opts.smoothing) : finite.y;
  let s: XY = { x: finite.x, y };
  let droppedNonPositive = 0;
  if (opts.logY) {
    const pos = filterPoints(s, isPositive);
    droppedNonPositive = pos.dropped;
    s = pos;
  }
  s = sortByX(s);
  return { x: s.x, y: s.y, droppedNonFinite: finite.dropped, droppedNonPositive };
}

/** Human note about dropped points, or '' when nothing was dropped. */
export function droppedNote(nonFinite: number, nonPositive: number): string {
  const parts: string[] = [];
  if (nonPositive > 0) parts.push(`${nonPositive.toLocaleString('en-US')} value${nonPositive === 1 ? '' : 's'} ≤ 0 not shown on the log scale`);
  if (nonFinite > 0) parts.push(`${nonFinite.toLocaleString('en-US')} NaN/∞ value${nonFinite === 1 ? '' : 's'} not drawn`);
  return parts.join('; ');
}

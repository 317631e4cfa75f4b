/**
 * Metric histories as Float64Array column chunks (performance.md §3.2: one record per point is
 * 100× slower). Pure functions; the store runs them inside its transactions.
 */
import type { MetricColumns, MetricSummary } from '../tracking/types';
import type { MetricChunk } from './schema';

/** Points per chunk; the open (last) chunk is rewritten on append until it is full. */
export const CHUNK_POINTS = 1000;

export interface PointColumns {
  values: ArrayLike<number>;
  steps: ArrayLike<number>;
  timestamps: ArrayLike<number>;
}

/**
 * Appends points after `last` (the key's chunk with the highest seq, if any). Returns the chunks
 * to put: `last` rewritten with as many points as fit, then new full-or-partial chunks.
 */
export function appendToChunks(runId: string, key: string, last: MetricChunk | undefined,
  cols: PointColumns, capacity = CHUNK_POINTS): MetricChunk[] {
  const n = cols.values.length;
  const out: MetricChunk[] = [];
  let taken = 0;
  let seq = 0;
  if (last) {
    seq = last.seq + 1;
    const room = Math.max(0, capacity - last.values.length);
    if (room > 0) {
      taken = Math.min(room, n);
      out.push(concatChunk(last, cols, 0, taken));
    }
  }
  while (taken < n) {
    const end = Math.min(n, taken + capacity);
    out.push({
      runId, key, seq: seq++,
      values: copyRange(cols.values, taken, end),
      steps: copyRange(cols.steps, taken, end),
      timestamps: copyRange(cols.timestamps, taken, end),
    });
    taken = end;
  }
  return out;
}

function copyRange(src: ArrayLike<number>, start: number, end: number): Float64Array {
  const a = new Float64Array(end - start);
  for (let i = start; i < end; i++) a[i - start] = src[i];
  return a;
}

function concatChunk(last: MetricChunk, cols: PointColumns, start: number, end: number): MetricChunk {
  const join = (head: Float64Array, tail: ArrayLike<number>) => {
    const a = new Float64Array(head.length + end - start);
    a.set(head);
    for (let i = start; i < end; i++) a[head.length + i - start] = tail[i];
    return a;
  };
  return {
    runId: last.runId, key: last.key, seq: last.seq,
    values: join(last.values, cols.values),
    steps: join(last.steps, cols.steps),
    timestamps: join(last.timestamps, cols.timestamps),
  };
}

/**
 * True when point (s, t, v) is later than the current latest, comparing (step, timestamp, value)
 * as MLflow does. With NaN the value comparison is false, so the earlier point is kept.
 */
function isLater(s: number, t: number, v: number, cur: MetricSummary): boolean {
  if (s !== cur.step) return s > cur.step;
  if (t !== cur.timestamp) return t > cur.timestamp;
  return v > cur.latest;
}

/** a < b, with -0 below +0 as in Math.min/Math.max. */
const below = (a: number, b: number) => a < b || (a === 0 && b === 0 && Object.is(a, -0) && !Object.is(b, -0));

/** Folds new points into a run's per-key summary. min/max ignore NaN (NaN if every value is). */
export function updateSummary(prev: MetricSummary | undefined, cols: PointColumns): MetricSummary | undefined {
  const n = cols.values.length;
  if (n === 0) return prev;
  const s: MetricSummary = prev
    ? { ...prev }
    : { latest: cols.values[0], step: cols.steps[0], timestamp: cols.timestamps[0], min: NaN, max: NaN, count: 0 };
  for (let i = 0; i < n; i++) {
    const v = cols.values[i];
    if (isLater(cols.steps[i], cols.timestamps[i], v, s)) {
      s.latest = v; s.step = cols.steps[i]; s.timestamp = cols.timestamps[i];
    }
    if (!Number.isNaN(v)) {
      if (Number.isNaN(s.min) || below(v, s.min)) s.min = v;
      if (Number.isNaN(s.max) || below(s.max, v)) s.max = v;
    }
  }
  s.count += n;
  return s;
}

/**
 * Joins a key's chunks (in seq order) into one history ordered by step, then timestamp; points
 * equal in both keep their logging order. Sorting is skipped when already ordered (the usual case).
 */
export function assembleHistory(key: string, chunks: readonly MetricChunk[]): MetricColumns {
  const total = chunks.reduce((n, c) => n + c.values.length, 0);
  const values = new Float64Array(total);
  const steps = new Float64Array(total);
  const timestamps = new Float64Array(total);
  let o = 0;
  for (const c of [...chunks].sort((a, b) => a.seq - b.seq)) {
    values.set(c.values, o); steps.set(c.steps, o); timestamps.set(c.timestamps, o);
    o += c.values.length;
  }
  let sorted = true;
  for (let i = 1; i < total && sorted; i++) {
    if (steps[i] < steps[i - 1] || (steps[i] === steps[i - 1] && timestamps[i] < timestamps[i - 1])) sorted = false;
  }
  if (sorted) return { key, values, steps, timestamps };
  const order = Array.from({ length: total }, (_, i) => i);
  order.sort((a, b) => steps[a] - steps[b] || timestamps[a] - timestamps[b] || a - b);
  const pick = (src: Float64Array) => Float64Array.from(order, (i) => src[i]);
  return { key, values: pick(values), steps: pick(steps), timestamps: pick(timestamps) };
}

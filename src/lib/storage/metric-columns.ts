/**
 * Metric histories as Float64Array column chunks (docs/performance.md §3.2: one record per point is
 * 100× slower). Pure functions; the store runs them inside its transactions.
 */
import { validateMetricColumns, validateMetricKey } from '../tracking/validation';
import type { MetricColumns, MetricSummary } from '../tracking/types';
import type { MetricChunk } from './schema';
import { chunkColumns, chunkLength, joinedColumns, packChunk, type ChunkColumns } from './metric-chunk-codec';

/** Most points in one chunk: few records per history, each small enough to rewrite. */
export const CHUNK_POINTS = 16_384;
/**
 * The last chunk of a key is extended (rewritten) only while it holds fewer points than this;
 * so a training loop flushing a few points every 250 ms rewrites at most ~2k points per key,
 * not a 16k chunk, while one large flush fills whole chunks.
 */
export const OPEN_CHUNK_POINTS = 2_048;

export interface PointColumns {
  values: ArrayLike<number>;
  steps: ArrayLike<number>;
  timestamps: ArrayLike<number>;
}

/**
 * Checks a column set in one tight pass: equal lengths, values are numbers (NaN and ±Infinity
 * are legal), steps are safe integers, timestamps safe integers ≥ 0. On a bad point it defers
 * to validateMetricColumns, which throws MLflow's message for it.
 */
export function checkMetricColumns(cols: { key: string } & PointColumns): void {
  validateMetricKey(cols.key);
  const { values, steps, timestamps } = cols;
  const n = values.length;
  if (steps.length !== n || timestamps.length !== n) validateMetricColumns(cols);
  let ok = true;
  if (!(values instanceof Float64Array) && !(values instanceof Float32Array)) {
    for (let i = 0; i < n && ok; i++) ok = typeof values[i] === 'number';
  }
  for (let i = 0; i < n && ok; i++) {
    const t = timestamps[i];
    ok = Number.isSafeInteger(steps[i]) && Number.isSafeInteger(t) && t >= 0;
  }
  if (!ok) validateMetricColumns(cols);
}

/** `head` followed by `tail[0, count)`, each column. */
function joinHead(head: ChunkColumns, tail: PointColumns, count: number): PointColumns {
  const join = (a: Float64Array, b: ArrayLike<number>) => {
    const out = new Float64Array(a.length + count);
    out.set(a);
    for (let i = 0; i < count; i++) out[a.length + i] = b[i];
    return out;
  };
  return { values: join(head.values, tail.values), steps: join(head.steps, tail.steps), timestamps: join(head.timestamps, tail.timestamps) };
}

/**
 * Appends points after `last` (the key's chunk with the highest seq, if any). Returns the chunks
 * to put: `last` rewritten with as many points as fit when it is still small (OPEN_CHUNK_POINTS),
 * then new chunks of at most `capacity` points.
 */
export function appendToChunks(runId: string, key: string, last: MetricChunk | undefined,
  cols: PointColumns, capacity = CHUNK_POINTS, openLimit = OPEN_CHUNK_POINTS): MetricChunk[] {
  const n = cols.values.length;
  const out: MetricChunk[] = [];
  let taken = 0;
  let seq = 0;
  if (last) {
    seq = last.seq + 1;
    const had = chunkLength(last);
    const room = had < openLimit ? Math.max(0, capacity - had) : 0;
    if (room > 0 && n > 0) {
      taken = Math.min(room, n);
      out.push(packChunk(last.runId, last.key, last.seq, joinHead(chunkColumns(last), cols, taken)));
    }
  }
  while (taken < n) {
    const end = Math.min(n, taken + capacity);
    out.push(packChunk(runId, key, seq++, cols, taken, end));
    taken = end;
  }
  return out;
}

/** a < b, with -0 below +0 as in Math.min/Math.max. */
const below = (a: number, b: number) => a < b || (a === 0 && b === 0 && Object.is(a, -0) && !Object.is(b, -0));

/**
 * Folds new points into a run's per-key summary in one pass. "Latest" is the point with the
 * largest (step, timestamp, value), as MLflow compares them; with NaN the value comparison is
 * false, so on a (step, timestamp) tie the earlier point stays. min/max ignore NaN (NaN if
 * every value is).
 */
export function updateSummary(prev: MetricSummary | undefined, cols: PointColumns): MetricSummary | undefined {
  const { values, steps, timestamps } = cols;
  const n = values.length;
  if (n === 0) return prev;
  let latest = prev ? prev.latest : values[0];
  let step = prev ? prev.step : steps[0];
  let ts = prev ? prev.timestamp : timestamps[0];
  let min = prev ? prev.min : NaN;
  let max = prev ? prev.max : NaN;
  // A summary from before sums were kept cannot gain one from new points alone.
  const knowsSum = !prev || prev.sum !== undefined;
  let sum = prev?.sum ?? 0, nans = prev?.nans ?? 0;
  for (let i = 0; i < n; i++) {
    const v = values[i], s = steps[i];
    if (s > step || (s === step && (timestamps[i] > ts || (timestamps[i] === ts && v > latest)))) {
      latest = v; step = s; ts = timestamps[i];
    }
    if (v === v) { // not NaN
      if (min !== min || v < min || (v === min && below(v, min))) min = v;
      if (max !== max || v > max || (v === max && below(max, v))) max = v;
      sum += v;
    } else nans++;
  }
  const out: MetricSummary = { latest, step, timestamp: ts, min, max, count: (prev ? prev.count : 0) + n };
  if (knowsSum) {
    out.sum = sum;
    if (nans) out.nans = nans;
  }
  return out;
}

/**
 * Joins a key's chunks (in seq order) into one history ordered by step, then timestamp; points
 * equal in both keep their logging order. Sorting is skipped when already ordered (the usual case).
 */
export function assembleHistory(key: string, chunks: readonly MetricChunk[]): MetricColumns {
  const { values, steps, timestamps } = joinedColumns(chunks);
  const total = values.length;
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

/**
 * How a metric chunk's columns are stored. IndexedDB's cost is its bytes: a put clones them and a
 * read copies them back, so a chunk keeps only what it cannot recompute. Steps that count up by
 * one from `stepFrom` (every training loop's and most imports') are not stored; timestamps are
 * stored as Uint32 offsets from `timeFrom` when they fit (a run's points span less than 49 days).
 * A chunk of 1,000 points takes 12 KB instead of 24 KB. Every stored column lives in one buffer
 * (values | steps | times), so IndexedDB clones one buffer per chunk.
 *
 * Chunks written before this form (three Float64Arrays) read the same: `chunkColumns` takes both.
 */
import type { MetricChunk } from './schema';

export interface ChunkColumns {
  values: Float64Array;
  steps: Float64Array;
  timestamps: Float64Array;
}

const U32_LIMIT = 2 ** 32;

/** A view of `src[start, end)` as Float64Array, copied only when `src` is not one already. */
function f64(src: ArrayLike<number>, start: number, end: number): Float64Array {
  if (src instanceof Float64Array) return src.subarray(start, end);
  const a = new Float64Array(end - start);
  for (let i = start; i < end; i++) a[i - start] = src[i];
  return a;
}

/** True when steps[i] is exactly steps[0] + i (Object.is, so a -0 step is kept as stored). */
function countsUp(steps: Float64Array): boolean {
  const from = steps[0];
  for (let i = 0; i < steps.length; i++) if (!Object.is(steps[i], from + i)) return false;
  return true;
}

/** The smallest timestamp when every timestamp is it plus a Uint32 offset, exactly; else undefined. */
function offsetBase(ts: Float64Array): number | undefined {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i];
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  if (!(hi - lo < U32_LIMIT) || !Number.isSafeInteger(lo)) return undefined;
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i];
    // Integral and not -0: lo + (t - lo) gives t back.
    if (!Number.isInteger(t) || Object.is(t, -0)) return undefined;
  }
  return lo;
}

/**
 * The stored chunk for `cols[start, end)`: the values copied into a fresh buffer of its own,
 * followed by whatever steps and timestamps cannot be recomputed. Columns are already valid
 * (checkMetricColumns): steps and timestamps safe integers.
 */
export function packChunk(runId: string, key: string, seq: number,
  cols: { values: ArrayLike<number>; steps: ArrayLike<number>; timestamps: ArrayLike<number> },
  start = 0, end = cols.values.length): MetricChunk {
  const n = end - start;
  const values = f64(cols.values, start, end);
  const steps = f64(cols.steps, start, end);
  const timestamps = f64(cols.timestamps, start, end);
  const stepsImplicit = n > 0 && countsUp(steps);
  const timeFrom = n > 0 ? offsetBase(timestamps) : undefined;
  const bytes = n * 8 + (stepsImplicit ? 0 : n * 8) + (timeFrom === undefined ? n * 8 : n * 4);
  const buf = new ArrayBuffer(bytes);
  const chunk: MetricChunk = { runId, key, seq, values: new Float64Array(buf, 0, n) };
  chunk.values.set(values);
  let at = n * 8;
  if (stepsImplicit) chunk.stepFrom = steps[0];
  else {
    chunk.steps = new Float64Array(buf, at, n);
    chunk.steps.set(steps);
    at += n * 8;
  }
  if (timeFrom === undefined) {
    chunk.timestamps = new Float64Array(buf, at, n);
    chunk.timestamps.set(timestamps);
  } else {
    chunk.timeFrom = timeFrom;
    const times = new Uint32Array(buf, at, n);
    for (let i = 0; i < n; i++) times[i] = timestamps[i] - timeFrom;
    chunk.times = times;
  }
  return chunk;
}

/** A stored chunk that does not follow either form. */
export class DamagedChunkError extends Error {
  constructor(c: MetricChunk, what: string) {
    super(`metric chunk ${c.seq} of "${c.key}" in run ${c.runId} is damaged: ${what}`);
    this.name = 'DamagedChunkError';
  }
}

/** Number of points in a stored chunk. */
export const chunkLength = (c: MetricChunk): number => c.values.length;

/**
 * A chunk's three columns, recomputed where they were not stored. Stored columns are returned
 * as they are (a read's arrays belong to the reader); recomputed ones share one new buffer.
 */
export function chunkColumns(c: MetricChunk): ChunkColumns {
  const n = c.values.length;
  let steps = c.steps;
  let timestamps = c.timestamps;
  const missing = (steps ? 0 : 1) + (timestamps ? 0 : 1);
  const buf = missing ? new ArrayBuffer(missing * n * 8) : undefined;
  let at = 0;
  if (!steps) {
    const from = c.stepFrom;
    if (typeof from !== 'number') throw new DamagedChunkError(c, 'neither steps nor stepFrom');
    steps = new Float64Array(buf!, at, n);
    at += n * 8;
    for (let i = 0; i < n; i++) steps[i] = from + i;
  } else if (steps.length !== n) throw new DamagedChunkError(c, `${steps.length} steps for ${n} values`);
  if (!timestamps) {
    const from = c.timeFrom, times = c.times;
    if (typeof from !== 'number' || !(times instanceof Uint32Array)) throw new DamagedChunkError(c, 'neither timestamps nor timeFrom and times');
    if (times.length !== n) throw new DamagedChunkError(c, `${times.length} times for ${n} values`);
    timestamps = new Float64Array(buf!, at, n);
    for (let i = 0; i < n; i++) timestamps[i] = from + times[i];
  } else if (timestamps.length !== n) throw new DamagedChunkError(c, `${timestamps.length} timestamps for ${n} values`);
  return { values: c.values, steps, timestamps };
}

/**
 * A key's chunks, in seq order, as one set of columns. One chunk gives its own columns (a read's
 * arrays belong to the reader), more are copied into new ones.
 */
export function joinedColumns(chunks: readonly MetricChunk[]): ChunkColumns {
  if (chunks.length === 1) return chunkColumns(chunks[0]);
  const total = chunks.reduce((n, c) => n + chunkLength(c), 0);
  const out = { values: new Float64Array(total), steps: new Float64Array(total), timestamps: new Float64Array(total) };
  let o = 0;
  for (const c of [...chunks].sort((a, b) => a.seq - b.seq)) {
    const cc = chunkColumns(c);
    out.values.set(cc.values, o); out.steps.set(cc.steps, o); out.timestamps.set(cc.timestamps, o);
    o += cc.values.length;
  }
  return out;
}

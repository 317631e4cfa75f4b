import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { openDB } from 'idb';
import { chunkColumns, DamagedChunkError, packChunk } from '../../src/lib/storage/metric-chunk-codec';
import type { MetricChunk } from '../../src/lib/storage/schema';
import { cols, openStore, uniqueDbName } from './storage-helpers';

const same = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  a.length === b.length && Array.from(a).every((x, i) => Object.is(x, b[i]));

/** Columns as a logger could send them: any doubles, safe-integer steps and timestamps ≥ 0. */
const columns = fc.integer({ min: 0, max: 60 }).chain((n) => fc.record({
  values: fc.array(fc.double(), { minLength: n, maxLength: n }),
  steps: fc.oneof(
    fc.tuple(fc.integer({ min: -1e6, max: 1e6 }), fc.constant(n)).map(([from, len]) => Array.from({ length: len }, (_, i) => from + i)),
    fc.array(fc.oneof(fc.integer(), fc.constant(-0), fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER)), { minLength: n, maxLength: n }),
  ),
  timestamps: fc.oneof(
    fc.tuple(fc.integer({ min: 0, max: 2 ** 45 }), fc.array(fc.nat({ max: 2 ** 32 - 1 }), { minLength: n, maxLength: n }))
      .map(([from, offs]) => offs.map((o) => from + o)),
    fc.array(fc.oneof(fc.nat(), fc.constant(-0), fc.constant(Number.MAX_SAFE_INTEGER)), { minLength: n, maxLength: n }),
  ),
}));

describe('metric chunk codec', () => {
  it('gives back every column exactly (-0, NaN, ±Infinity, spans beyond 2^32, steps that do not count up)', () => {
    fc.assert(fc.property(columns, (cols) => {
      const c = packChunk('r', 'k', 3, cols);
      const back = chunkColumns(structuredClone(c));
      expect(same(back.values, cols.values)).toBe(true);
      expect(same(back.steps, cols.steps)).toBe(true);
      expect(same(back.timestamps, cols.timestamps)).toBe(true);
      // Everything stored sits in one buffer.
      const stored = [c.values, c.steps, c.timestamps, c.times].filter((a) => a !== undefined);
      expect(new Set(stored.map((a) => a!.buffer)).size).toBe(1);
    }), { numRuns: 500 });
  });

  it('stores half the bytes for a training loop (steps counting up, timestamps within 49 days)', () => {
    const n = 1000;
    const c = packChunk('r', 'loss', 0, {
      values: Float64Array.from({ length: n }, (_, i) => 1 / (i + 1)),
      steps: Float64Array.from({ length: n }, (_, i) => i),
      timestamps: Float64Array.from({ length: n }, (_, i) => 1_700_000_000_000 + 37 * i),
    });
    expect(c.steps).toBeUndefined();
    expect(c.timestamps).toBeUndefined();
    expect(c.values.buffer.byteLength).toBe(n * 12);
    const wide = packChunk('r', 'loss', 0, { values: [1, 2], steps: [0, 5], timestamps: [0, 2 ** 32] });
    expect(wide.steps).toBeDefined();
    expect(wide.timestamps).toBeDefined();
  });

  it('packs a range of longer columns without keeping the rest', () => {
    const v = Float64Array.from({ length: 100 }, (_, i) => i);
    const c = packChunk('r', 'k', 0, { values: v, steps: v, timestamps: v }, 10, 20);
    expect(Array.from(chunkColumns(c).steps)).toEqual(Array.from(v.subarray(10, 20)));
    expect(c.values.buffer.byteLength).toBe(10 * 12);
  });

  it('names a damaged chunk instead of returning wrong points', () => {
    const base = { runId: 'r1', key: 'loss', seq: 2, values: Float64Array.of(1, 2) };
    expect(() => chunkColumns(base as MetricChunk)).toThrow(DamagedChunkError);
    expect(() => chunkColumns({ ...base, stepFrom: 0 })).toThrow(/chunk 2 of "loss" in run r1 is damaged: neither timestamps/);
    expect(() => chunkColumns({ ...base, stepFrom: 0, timeFrom: 0, times: Uint32Array.of(1) })).toThrow(/1 times for 2 values/);
    expect(() => chunkColumns({ ...base, steps: Float64Array.of(1), timestamps: Float64Array.of(1, 2) })).toThrow(/1 steps for 2 values/);
  });

  it('a store reads and extends a chunk written in the earlier form (three Float64Arrays)', async () => {
    const dbName = uniqueDbName('chunk-forms');
    const s = await openStore({ dbName });
    const { runId } = await s.createRun({ experimentId: '0' });
    await s.logBatch(runId, { metrics: [cols('m', [[0, 1, 10]])] });
    // The same point as the earlier version stored it.
    const raw = await openDB(dbName);
    await raw.put('metricChunks', { runId, key: 'm', seq: 0, values: Float64Array.of(1), steps: Float64Array.of(0), timestamps: Float64Array.of(10) });
    await s.logBatch(runId, { metrics: [cols('m', [[1, 2, 11], [5, 3, 12]])] });
    const h = await s.getMetricHistory(runId, 'm');
    expect([Array.from(h.values), Array.from(h.steps), Array.from(h.timestamps)]).toEqual([[1, 2, 3], [0, 1, 5], [10, 11, 12]]);
    const [stored] = await raw.getAll('metricChunks');
    expect(stored).toMatchObject({ seq: 0, timeFrom: 10 });
    expect(Array.from(stored.times)).toEqual([0, 1, 2]);
    raw.close();
    s.close();
  });
});

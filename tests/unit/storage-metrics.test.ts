import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { openDB } from 'idb';
import { TrackingStore } from '../../src/lib/storage/tracking-store';
import { appendToChunks, CHUNK_POINTS, checkMetricColumns, OPEN_CHUNK_POINTS } from '../../src/lib/storage/metric-columns';
import type { MetricChunk } from '../../src/lib/storage/schema';
import { chunkColumns } from '../../src/lib/storage/metric-chunk-codec';
import { validateMetricColumns } from '../../src/lib/tracking/validation';
import type { MetricSummary } from '../../src/lib/tracking/types';
import { cols, uniqueDbName } from './storage-helpers';

const dbName = uniqueDbName('metrics');
let storePromise: Promise<TrackingStore> | null = null;
const getStore = () => (storePromise ??= TrackingStore.open({ dbName }));
afterAll(async () => (await getStore()).close());

async function newRun() {
  const s = await getStore();
  return { s, runId: (await s.createRun({ experimentId: '0' })).runId };
}

/** Brute-force reference: MLflow's "latest" is the max (step, timestamp, value); NaN never wins a tie. */
function referenceSummary(points: [number, number, number][]): MetricSummary {
  let best = points[0];
  for (const p of points.slice(1)) {
    const later = p[0] !== best[0] ? p[0] > best[0] : p[2] !== best[2] ? p[2] > best[2] : p[1] > best[1];
    if (later) best = p;
  }
  const finite = points.map((p) => p[1]).filter((v) => !Number.isNaN(v));
  const out: MetricSummary = {
    latest: best[1], step: best[0], timestamp: best[2],
    min: finite.length ? Math.min(...finite) : NaN, max: finite.length ? Math.max(...finite) : NaN,
    count: points.length, sum: finite.reduce((a, v) => a + v, 0),
  };
  if (finite.length < points.length) out.nans = points.length - finite.length;
  return out;
}

describe('metric history', () => {
  it('round-trips NaN, ±Infinity, -0 and extreme doubles through IndexedDB', async () => {
    const { s, runId } = await newRun();
    const special = [NaN, Infinity, -Infinity, -0, 5e-324, Number.MAX_VALUE, 0.1 + 0.2];
    await s.logBatch(runId, { metrics: [cols('m', special.map((v, i) => [i, v, 1000 + i]))] });
    // A fresh connection, so values come from IndexedDB and not from any in-memory copy.
    const other = await TrackingStore.open({ dbName });
    const h = await other.getMetricHistory(runId, 'm');
    other.close();
    expect(h.values).toBeInstanceOf(Float64Array);
    special.forEach((v, i) => expect(Object.is(h.values[i], v)).toBe(true));
    const summary = (await other.getRun(runId)).metrics.m;
    expect(summary).toEqual({ latest: 0.1 + 0.2, step: 6, timestamp: 1006, min: -Infinity, max: Infinity, count: 7, sum: NaN, nans: 1 });
  });

  it('returns points ordered by step, then timestamp, ties in logging order', async () => {
    const { s, runId } = await newRun();
    await s.logBatch(runId, { metrics: [cols('loss', [[2, 0.2, 50], [0, 1.0, 40], [1, 0.5, 60]])] });
    await s.logBatch(runId, { metrics: [cols('loss', [[1, 0.4, 30], [0, 0.9, 40], [5, 0.1, 1]])] });
    const h = await s.getMetricHistory(runId, 'loss');
    expect([...h.steps]).toEqual([0, 0, 1, 1, 2, 5]);
    expect([...h.timestamps]).toEqual([40, 40, 30, 60, 50, 1]);
    expect([...h.values]).toEqual([1.0, 0.9, 0.4, 0.5, 0.2, 0.1]);
    expect(h.key).toBe('loss');
  });

  it('an unknown key has an empty history; an unknown run is an error', async () => {
    const { s, runId } = await newRun();
    expect((await s.getMetricHistory(runId, 'nothing')).values.length).toBe(0);
    await expect(s.getMetricHistory('f'.repeat(32), 'x')).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' });
  });

  it('one large batch fills whole chunks', async () => {
    const { s, runId } = await newRun();
    const n = CHUNK_POINTS * 2 + 345;
    const points: [number, number, number][] = Array.from({ length: n }, (_, i) => [i, i / 7, 10 * i]);
    await s.logBatch(runId, { metrics: [cols('acc', points)] });
    const h = await s.getMetricHistory(runId, 'acc');
    expect([...h.values]).toEqual(points.map((p) => p[1]));
    const raw = await openDB(dbName);
    const chunks = await raw.getAll('metricChunks', IDBKeyRange.bound([runId, 'acc', 0], [runId, 'acc', Infinity]));
    raw.close();
    expect(chunks.map((c) => c.values.length)).toEqual([CHUNK_POINTS, CHUNK_POINTS, 345]);
  });

  it('small batches share chunks, never one record per batch or per point', async () => {
    const { s, runId } = await newRun();
    const n = OPEN_CHUNK_POINTS * 3 + 100;
    const points: [number, number, number][] = Array.from({ length: n }, (_, i) => [i, i / 7, 10 * i]);
    for (let start = 0; start < n; start += 300) {
      await s.logBatch(runId, { metrics: [cols('acc', points.slice(start, start + 300))] });
    }
    expect([...(await s.getMetricHistory(runId, 'acc')).values]).toEqual(points.map((p) => p[1]));
    const raw = await openDB(dbName);
    const chunks = await raw.getAll('metricChunks', IDBKeyRange.bound([runId, 'acc', 0], [runId, 'acc', Infinity]));
    raw.close();
    const sizes = chunks.map((c) => c.values.length);
    expect(sizes.length).toBeLessThanOrEqual(Math.ceil(n / OPEN_CHUNK_POINTS));
    sizes.slice(0, -1).forEach((size) => expect(size).toBeGreaterThanOrEqual(OPEN_CHUNK_POINTS));
  });

  it('appendToChunks: any batches keep every point in order, chunks ≤ capacity, closed chunks ≥ the open limit', () => {
    const capacity = 8, openLimit = 3;
    fc.assert(fc.property(fc.array(fc.nat({ max: 20 }), { maxLength: 12 }), fc.boolean(), (sizes, typed) => {
      const stored: MetricChunk[] = [];
      const all: number[] = [];
      for (const size of sizes) {
        const values = Array.from({ length: size }, () => all.push(all.length) - 1);
        const batch = { values: typed ? Float64Array.from(values) : values, steps: values, timestamps: values };
        for (const c of appendToChunks('r', 'k', stored.at(-1), batch, capacity, openLimit)) {
          if (stored.length && stored[stored.length - 1].seq === c.seq) stored[stored.length - 1] = c;
          else stored.push(c);
        }
      }
      expect(stored.map((c) => c.seq)).toEqual(stored.map((_, i) => i));
      expect(stored.flatMap((c) => [...c.values])).toEqual(all);
      expect(stored.flatMap((c) => [...chunkColumns(c).steps])).toEqual(all);
      expect(stored.flatMap((c) => [...chunkColumns(c).timestamps])).toEqual(all);
      for (const c of stored) expect(c.values.length).toBeLessThanOrEqual(capacity);
      for (const c of stored.slice(0, -1)) expect(c.values.length).toBeGreaterThanOrEqual(openLimit);
    }), { numRuns: 300 });
  });

  it('checkMetricColumns accepts what validateMetricColumns accepts and throws its message otherwise', () => {
    const num = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(NaN, Infinity, -Infinity, -0, 0.5, -1, 2 ** 53, 1e300));
    const anyValue = fc.oneof({ weight: 8, arbitrary: num }, { weight: 1, arbitrary: fc.constantFrom('1', null, undefined) });
    fc.assert(fc.property(fc.array(fc.tuple(anyValue, num, num), { maxLength: 8 }), fc.nat({ max: 2 }), fc.boolean(),
      (points, extra, typed) => {
        const values = points.map((p) => p[0]) as number[];
        const c = {
          key: 'm',
          values: typed && values.every((v) => typeof v === 'number') ? Float64Array.from(values) : values,
          steps: points.map((p) => p[1]),
          timestamps: [...points.map((p) => p[2]), ...Array.from({ length: extra === 2 ? 1 : 0 }, () => 0)],
        };
        const outcome = (f: () => void) => { try { f(); return 'ok'; } catch (e) { return (e as Error).message; } };
        expect(outcome(() => checkMetricColumns(c))).toBe(outcome(() => validateMetricColumns(c)));
      }), { numRuns: 500 });
    expect(() => checkMetricColumns({ key: 'bad key\n', values: [], steps: [], timestamps: [] })).toThrow();
  });

  it('summaries: latest by (step, timestamp, value), min/max ignore NaN, count', async () => {
    const { s, runId } = await newRun();
    await s.logBatch(runId, { metrics: [cols('m', [[3, NaN, 5], [3, 2, 4], [1, -7, 9]])] });
    expect((await s.getRun(runId)).metrics.m).toEqual({ latest: NaN, step: 3, timestamp: 5, min: -7, max: 2, count: 3, sum: -5, nans: 1 });
    await s.logBatch(runId, { metrics: [cols('m', [[3, 8, 5]])] }); // ties with the NaN point: NaN stays
    expect((await s.getRun(runId)).metrics.m).toMatchObject({ latest: NaN, max: 8, count: 4, sum: 3, nans: 1 });
    // -0 sorts below +0, as Math.min/Math.max have it, in either order.
    await s.logBatch(runId, { metrics: [cols('zeros', [[0, 0, 1], [1, -0, 1]]), cols('zeros2', [[0, -0, 1], [1, 0, 1]])] });
    for (const key of ['zeros', 'zeros2']) {
      const z = (await s.getRun(runId)).metrics[key];
      expect([Object.is(z.min, -0), Object.is(z.max, 0)]).toEqual([true, true]);
    }
    await s.logBatch(runId, { metrics: [cols('all-nan', [[0, NaN, 1]])] });
    expect((await s.getRun(runId)).metrics['all-nan']).toEqual({ latest: NaN, step: 0, timestamp: 1, min: NaN, max: NaN, count: 1, sum: 0, nans: 1 });
  });

  it('random batches: history is the ordered concatenation and the summary matches brute force', async () => {
    const point = fc.tuple(
      fc.integer({ min: -3, max: 20 }),
      fc.oneof(fc.double(), fc.constantFrom(NaN, Infinity, -Infinity, 0, -0)),
      fc.integer({ min: 0, max: 50 }),
    );
    const s = await getStore();
    await fc.assert(fc.asyncProperty(fc.array(fc.array(point, { minLength: 1, maxLength: 30 }), { minLength: 1, maxLength: 6 }), async (batches) => {
      const { runId } = await s.createRun({ experimentId: '0' });
      for (const b of batches) await s.logBatch(runId, { metrics: [cols('k', b)] });
      const all = batches.flat();
      const order = all.map((p, i) => [p, i] as const).sort((a, b) => a[0][0] - b[0][0] || a[0][2] - b[0][2] || a[1] - b[1]);
      const h = await s.getMetricHistory(runId, 'k');
      expect([...h.steps]).toEqual(order.map(([p]) => p[0]));
      expect([...h.timestamps]).toEqual(order.map(([p]) => p[2]));
      order.forEach(([p], i) => expect(Object.is(h.values[i], p[1])).toBe(true));
      expect((await s.getRun(runId)).metrics.k).toEqual(referenceSummary(all));
    }), { numRuns: 40 });
  });

  it('one batch may carry the same key twice and several keys at once', async () => {
    const { s, runId } = await newRun();
    await s.logBatch(runId, { metrics: [cols('a', [[0, 1, 1]]), cols('b', [[0, 5, 1]]), cols('a', [[1, 2, 2]])] });
    expect([...(await s.getMetricHistory(runId, 'a')).values]).toEqual([1, 2]);
    expect((await s.getRun(runId)).metrics.b.count).toBe(1);
  });
});

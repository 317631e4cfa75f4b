/**
 * logBatch adds a key's first chunks without looking for an earlier one (run-ops.ts writeBatch:
 * a key without a summary has no chunk), and puts them without a promise each (db.ts issuePuts).
 * Were a chunk there after all, the write fails with the store's own error and nothing is lost.
 */
import { openDB } from 'idb';
import { afterEach, describe, expect, it } from 'vitest';
import type { TrackingStore } from '../../src/lib/storage/tracking-store';
import { cols, openStore, uniqueDbName } from './storage-helpers';

const stores: TrackingStore[] = [];
afterEach(() => { for (const s of stores.splice(0)) s.close(); });

describe("a key's first metric chunks", () => {
  it('new keys next to extended ones: every point of every batch is kept, in order', async () => {
    const s = await openStore();
    stores.push(s);
    const { runId } = await s.createRun({ experimentId: '0' });
    await s.logBatch(runId, { metrics: [cols('loss', [[0, 1, 10], [1, 0.5, 11]])] });
    await s.logBatch(runId, { metrics: [cols('acc', [[0, 0.1, 12]]), cols('loss', [[2, 0.25, 13]]), cols('lr', [[0, 3, 14]])] });
    await s.logBatch(runId, { metrics: [cols('acc', [[1, 0.2, 15]])] });
    expect(Array.from((await s.getMetricHistory(runId, 'loss')).values)).toEqual([1, 0.5, 0.25]);
    expect(Array.from((await s.getMetricHistory(runId, 'acc')).values)).toEqual([0.1, 0.2]);
    expect(Array.from((await s.getMetricHistory(runId, 'lr')).steps)).toEqual([0]);
    const run = await s.getRun(runId);
    expect(run.metrics.acc).toMatchObject({ latest: 0.2, count: 2 });
    expect(run.metrics.loss).toMatchObject({ latest: 0.25, count: 3 });
  });

  it('a chunk stored without a summary is never overwritten: the batch fails with ConstraintError and changes nothing', async () => {
    const dbName = uniqueDbName('first-chunk');
    const s = await openStore({ dbName });
    stores.push(s);
    const { runId } = await s.createRun({ experimentId: '0' });
    await s.logBatch(runId, { metrics: [cols('loss', [[0, 1, 10]])] });
    // A chunk of `stray` the run's record does not know about (written behind the store's back).
    const raw = await openDB(dbName);
    await raw.put('metricChunks', { runId, key: 'stray', seq: 0, values: Float64Array.of(42), steps: Float64Array.of(0), timestamps: Float64Array.of(1) });
    raw.close();

    // `stray` first (its add fails), `loss` second: the failure surfaces as the add's own error,
    // not as the AbortError of the request that followed it.
    const write = s.logBatch(runId, { metrics: [cols('stray', [[5, 7, 20]]), cols('loss', [[1, 2, 21]])] });
    await expect(write).rejects.toMatchObject({ name: 'ConstraintError' });
    expect(Array.from((await s.getMetricHistory(runId, 'stray')).values)).toEqual([42]);
    expect(Array.from((await s.getMetricHistory(runId, 'loss')).values)).toEqual([1]);
    expect((await s.getRun(runId)).metrics.loss).toMatchObject({ latest: 1, count: 1 });
  });
});

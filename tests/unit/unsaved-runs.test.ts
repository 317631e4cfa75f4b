/**
 * A run active when the browser deletes the lab's data under the page (issue 14 item 4): it
 * ends KILLED in memory, a new run can start, and what only the page still held (params and tags
 * it had cached, metric points never written) becomes a bundle that imports back.
 */
import { afterEach, expect, it, vi } from 'vitest';
import { forceCloseDatabase } from 'fake-indexeddb';
import { TrackingStore } from '../../src/lib/storage/tracking-store';
import { Fluent, type AbandonedRun } from '../../src/lib/tracking/fluent';
import { unsavedRuns } from '../../src/lib/bundles/unsaved-runs';
import { exportMlflowZip, importMlflowZip } from '../../src/lib/mlflow/bundle-zip';
import type { Experiment, Run } from '../../src/lib/tracking/types';
import { uniqueDbName, captureConnections } from './storage-helpers';

const toClose: { close(): void }[] = [];
afterEach(() => { for (const c of toClose.splice(0)) c.close(); vi.restoreAllMocks(); });

it('S6: data deleted under an active run: KILLED in memory, unwritten points and cached params/tags become a bundle that imports back', async () => {
  const name = uniqueDbName('unsaved');
  const connections = captureConnections();
  let lost: { runs: Run[]; experiments: Experiment[] } | null = null;
  let abandoned: Promise<AbandonedRun[]> | null = null;
  let m: Fluent | null = null;
  const store = await TrackingStore.open({
    dbName: name,
    onRecordsLost: (runs, experiments) => { lost = { runs, experiments }; abandoned = m!.abandonRuns(); },
  });
  toClose.push(store);
  m = new Fluent(store, { flushIntervalMs: 10_000 });
  await m.setExperiment('soon gone');
  const run = await m.startRun({ runName: 'live' });
  await m.logParams({ alpha: 0.5 });
  await m.setTag('team', 'wine');
  for (let i = 0; i < 10; i++) m.logMetric('loss', 1 / (i + 1), i);
  await m.flush(); // steps 0..9 written (and deleted with the rest)
  for (let i = 10; i < 25; i++) m.logMetric('loss', 1 / (i + 1), i); // steps 10..24 only in the buffer

  forceCloseDatabase(connections.at(-1) as never);
  await new Promise<void>((res, rej) => { const r = indexedDB.deleteDatabase(name); r.onsuccess = () => res(); r.onerror = () => rej(r.error); });
  // The flush that finds out is refused; its batch goes back to the run before the run is given up.
  await expect(m.flush()).rejects.toMatchObject({ name: 'StoreClearedError' });
  await vi.waitFor(() => expect(abandoned).not.toBeNull());
  expect(m.activeRun()).toBeNull();
  expect(() => m!.logMetric('loss', 0, 25)).toThrow(/No active run/);

  const gone = await abandoned!;
  expect(gone.map((a) => [a.info.runId, a.info.status])).toEqual([[run.runId, 'KILLED']]);
  expect(Array.from(gone[0].unsaved[0].steps)).toEqual(Array.from({ length: 15 }, (_, i) => 10 + i));

  // A new run starts, in the Default experiment the store makes again.
  await vi.waitFor(async () => expect((await store.listExperiments()).map((e) => e.name)).toEqual(['Default']));
  const next = await m.startRun({ runName: 'next' });
  expect(next.experimentId).toBe('0');
  await m.endRun();

  const offer = unsavedRuns(gone, lost!.runs, lost!.experiments)!;
  expect(offer.runs).toEqual([{ runId: run.runId, runName: 'live', points: 15, params: 1, tags: expect.any(Number) }]);
  const back = importMlflowZip(exportMlflowZip(offer.bundle));
  const r = back.bundle.runs.find((b) => b.run.info.runId === run.runId)!;
  expect(r.run.info.status).toBe('KILLED');
  expect(r.run.params.alpha).toBe('0.5');
  expect(r.run.tags.team).toBe('wine');
  expect(Array.from(r.metrics.find((c) => c.key === 'loss')!.values)).toEqual(Array.from({ length: 15 }, (_, i) => 1 / (11 + i)));
  expect(back.bundle.experiments.map((e) => e.name)).toContain('soon gone');
});

it('no active run when the data goes: nothing to offer', () => {
  expect(unsavedRuns([], [], [])).toBeNull();
});

it('S6: a run started in the instant the data goes lands in the Default experiment, made on demand once', async () => {
  const name = uniqueDbName('unsaved-default');
  const connections = captureConnections();
  let m: Fluent | null = null;
  let started: Promise<unknown>[] = [];
  const store = await TrackingStore.open({
    dbName: name,
    // The page learns of the deletion and starts two runs at once (a script's loop, a training job).
    onRecordsLost: () => {
      void m!.abandonRuns();
      started = [m!.startRun({ runName: 'at-once' }), new Fluent(store).startRun({ runName: 'also-at-once' })];
    },
  });
  toClose.push(store);
  m = new Fluent(store, { flushIntervalMs: 10_000 });
  await m.setExperiment('soon gone');
  await m.startRun({ runName: 'live' });
  m.logMetric('loss', 1, 0);
  forceCloseDatabase(connections.at(-1) as never);
  await new Promise<void>((res, rej) => { const r = indexedDB.deleteDatabase(name); r.onsuccess = () => res(); r.onerror = () => rej(r.error); });
  await expect(m.flush()).rejects.toMatchObject({ name: 'StoreClearedError' });
  const runs = (await Promise.all(started)) as { experimentId: string; runName: string }[];
  expect(runs.map((r) => [r.runName, r.experimentId])).toEqual([['at-once', '0'], ['also-at-once', '0']]);
  await m.endRun();
  // One Default experiment, in the cache and in storage (the one the store also puts back on its own).
  await new Promise((r) => setTimeout(r, 50));
  expect((await store.listExperiments()).map((e) => [e.experimentId, e.name])).toEqual([['0', 'Default']]);
  const reopened = await TrackingStore.open({ dbName: name });
  toClose.push(reopened);
  expect((await reopened.listExperiments()).map((e) => [e.experimentId, e.name])).toEqual([['0', 'Default']]);
  expect((await reopened.getRun((runs[0] as unknown as { runId: string }).runId)).info.status).toBe('FINISHED');
});

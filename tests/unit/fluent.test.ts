import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TrackingStore } from '../../src/lib/storage/tracking-store';
import { Fluent } from '../../src/lib/tracking/fluent';

let n = 0;
let store: TrackingStore;
let m: Fluent;

beforeEach(async () => {
  store = await TrackingStore.open({ dbName: `fluent-${n++}-${Date.now()}` });
  m = new Fluent(store);
});
afterEach(() => {
  vi.useRealTimers();
  store.close();
});

describe('fluent API', () => {
  it('setExperiment creates by name once, then reuses it', async () => {
    const a = await m.setExperiment('wine');
    const b = await m.setExperiment('wine');
    expect(a.experimentId).toBe(b.experimentId);
    expect(a.experimentId).toMatch(/^[1-9]\d{17}$/);
    const run = await m.startRun();
    expect(run.experimentId).toBe(a.experimentId);
    await m.endRun();
  });

  it('refuses a deleted experiment, as MLflow does', async () => {
    const e = await m.setExperiment('gone');
    await store.deleteExperiment(e.experimentId);
    await expect(m.setExperiment('gone')).rejects.toThrow(/deleted/);
  });

  it('buffers metrics and writes them within the flush interval, not per point', async () => {
    await m.startRun();
    const runId = m.activeRun()!.runId;
    const spy = vi.spyOn(store, 'logBatch');
    for (let i = 0; i < 500; i++) m.logMetric('loss', 1 / (i + 1), i);
    expect(spy).not.toHaveBeenCalled();
    await vi.waitFor(async () => expect((await store.getMetricHistory(runId, 'loss')).values.length).toBe(500), { timeout: 2000, interval: 50 });
    expect(spy).toHaveBeenCalledTimes(1);
    await m.endRun();
  });

  it('endRun flushes every buffered point and records status and end time', async () => {
    const run = await m.startRun({ runName: 'r1', description: 'a **note**' });
    m.logMetrics({ a: 1, b: NaN, c: Infinity }, 0);
    m.logMetrics({ a: 2, b: -Infinity, c: 3 }, 1);
    const info = await m.endRun('FAILED');
    expect(info?.status).toBe('FAILED');
    expect(info?.endTime).toBeGreaterThanOrEqual(run.startTime);
    const stored = await store.getRun(run.runId);
    expect(stored.tags['mlflow.note.content']).toBe('a **note**');
    expect(stored.metrics.a.latest).toBe(2);
    const b = await store.getMetricHistory(run.runId, 'b');
    expect(Array.from(b.values)).toEqual([NaN, -Infinity]);
    expect(m.activeRun()).toBeNull();
  });

  it('nested runs carry mlflow.parentRunId; a second top-level run is refused', async () => {
    const parent = await m.startRun({ runName: 'parent' });
    await expect(m.startRun()).rejects.toThrow(/already active/);
    const child = await m.startRun({ nested: true, runName: 'child' });
    expect((await store.getRun(child.runId)).tags['mlflow.parentRunId']).toBe(parent.runId);
    await m.endRun();
    expect(m.activeRun()?.runId).toBe(parent.runId);
    await m.endRun();
  });

  it('withRun ends FAILED when the body throws, and rethrows', async () => {
    let id = '';
    await expect(m.withRun({}, async (r) => {
      id = r.runId;
      m.logMetric('x', 1);
      throw new Error('boom');
    })).rejects.toThrow('boom');
    const run = await store.getRun(id);
    expect(run.info.status).toBe('FAILED');
    expect(run.metrics.x.latest).toBe(1);
  });

  it('params are immutable through the fluent API too', async () => {
    await m.startRun();
    await m.logParams({ alpha: 0.5, fit_intercept: true });
    await m.logParam('alpha', '0.5');
    await expect(m.logParam('alpha', 0.6)).rejects.toThrow(/Changing param values is not allowed/);
    await m.endRun();
  });

  it('a failed flush keeps the points for the next one', async () => {
    await m.startRun();
    const runId = m.activeRun()!.runId;
    const real = store.logBatch.bind(store);
    let fail = true;
    vi.spyOn(store, 'logBatch').mockImplementation(async (id, batch) => {
      if (fail) {
        fail = false;
        throw new Error('disk full');
      }
      return real(id, batch);
    });
    m.logMetric('k', 1, 0);
    await expect(m.flush()).rejects.toThrow('disk full');
    m.logMetric('k', 2, 1);
    await m.endRun();
    expect(Array.from((await store.getMetricHistory(runId, 'k')).values)).toEqual([1, 2]);
  });

  it('logText, logDict and logArtifact land in the run artifact tree', async () => {
    const run = await m.startRun();
    await m.logText('hello', 'notes/readme.txt');
    await m.logDict({ a: [1, 2] }, 'config.json');
    await m.logArtifact('bin/data.bin', new Uint8Array([1, 2, 3]));
    const top = await store.listArtifacts(run.runId);
    expect(top.map((a) => [a.path, a.isDir])).toEqual([['bin', true], ['config.json', false], ['notes', true]]);
    expect(new TextDecoder().decode(await store.readArtifact(run.runId, 'notes/readme.txt'))).toBe('hello');
    expect(JSON.parse(new TextDecoder().decode(await store.readArtifact(run.runId, 'config.json')))).toEqual({ a: [1, 2] });
    await m.endRun();
  });
});

describe('size-triggered flushes', () => {
  it('past flushPoints, one flush is queued at a time and every point lands once', async () => {
    const small = new Fluent(store, { flushPoints: 100, flushIntervalMs: 10_000 });
    await small.startRun();
    const runId = small.activeRun()!.runId;
    const spy = vi.spyOn(store, 'logBatch');
    const flushes = vi.spyOn(small as unknown as { flushRun: () => Promise<void> }, 'flushRun');
    for (let i = 0; i < 1000; i++) small.logMetric('x', i, i);
    // 900 calls past the threshold, but a single flush queued: it drains all of them when it runs.
    expect(flushes).toHaveBeenCalledTimes(1);
    await small.endRun();
    expect(spy).toHaveBeenCalledTimes(1);
    expect(Array.from((await store.getMetricHistory(runId, 'x')).values)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });
});

describe('createFluent', () => {
  it('tags runs with their source and holds the run lock while RUNNING (page and worker alike)', async () => {
    const { createFluent } = await import('../../src/lib/tracking/create-fluent');
    const { TAG } = await import('../../src/lib/tracking/tags');
    for (const [source, name] of [['page', 'mfflow'], ['worker', 'mfflow-worker']] as const) {
      const f = createFluent(store, source);
      const info = await f.startRun();
      const run = await store.getRun(info.runId);
      expect(Object.fromEntries(Object.entries(run.tags))).toMatchObject({ [TAG.sourceName]: name, [TAG.sourceType]: 'LOCAL' });
      await f.endRun();
    }
  });
});

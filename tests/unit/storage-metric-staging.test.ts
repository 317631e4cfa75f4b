/**
 * A big import's metric chunks written while the workers decode (src/lib/storage/metric-staging.ts):
 * the real prepareArchive with lanes (in this process) sends decoded columns to a MetricStaging
 * over a real TrackingStore (fake-indexeddb), then importBundle commits the runs. What the store
 * holds must be what the one-transaction import stores; staged chunks stay unreachable until the
 * commit and go when the import fails.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { StreamedExport } from '../../src/lib/bundles/streamed-export';
import { finishExport } from '../../src/lib/bundles/export-finish';
import { decodeShare, type ImportLane, type MetricSink } from '../../src/lib/bundles/import-lanes';
import { prepareArchive } from '../../src/lib/bundles/prepare-archive';
import { TrackingStore } from '../../src/lib/storage/tracking-store';
import { withImportLock } from '../../src/lib/storage/metric-staging';
import { DEFAULT_EXPERIMENTS, finishedRun, history } from './bundles-helpers';
import { openDb } from './sqlite-helpers';
import { countRunRecords, FakeLocks, uniqueDbName } from './storage-helpers';

const RUNS = 12;
const KEYS = ['loss', 'nested/acc'];

async function labZip(): Promise<Blob> {
  const job = new StreamedExport();
  job.add(Array.from({ length: RUNS }, (_, i) => finishedRun('s', i, [
    history('loss', 30 + i * 7, (s) => 1 / (s + i + 1), 1_700_000_000_000 + i),
    history('nested/acc', 5 + i, (s) => (s % 4 === 0 ? NaN : Math.sin(s * i)), 1_700_000_100_000 + i),
  ])));
  return new Blob((await finishExport(job, DEFAULT_EXPERIMENTS)).parts as Uint8Array<ArrayBuffer>[]);
}

const runIds = Array.from({ length: RUNS }, (_, i) => finishedRun('s', i, []).run.info.runId);

/**
 * Reads `zip` with one lane, every decoded file going to a new staging of `store` (as the bundle
 * workers post them to the page), and waits until all of them are written.
 */
async function stagedPrepare(zip: Blob, store: TrackingStore) {
  const staging = store.metricStaging();
  // A copy per batch, as a message between threads would make (the columns are transferred there).
  const sink: MetricSink = (files) => setTimeout(() => staging.add(structuredClone(files)), 0);
  const lane: ImportLane = { decodeShare: (blob, items) => decodeShare(blob, items, {}, sink) };
  const { prep } = await prepareArchive(zip, { openDb, wholeReadLimit: 0, lanes: [lane], stage: sink });
  await staging.settled(prep.stagedFiles!);
  return { staging, prep };
}

async function open() {
  const dbName = uniqueDbName();
  return { dbName, store: await TrackingStore.open({ dbName }) };
}

async function histories(store: TrackingStore) {
  const out: Record<string, unknown> = {};
  for (const id of runIds) {
    const run = await store.getRun(id);
    out[id] = { metrics: run.metrics, ...Object.fromEntries(await Promise.all(KEYS.map(async (k) => [k, await store.getMetricHistory(id, k)]))) };
  }
  return out;
}

describe('metric staging', () => {
  it('stores what the one-transaction import stores; staged chunks are unreachable until the commit', async () => {
    const zip = await labZip();
    const plain = await open();
    const plainReport = await plain.store.importBundle((await prepareArchive(zip, { openDb, wholeReadLimit: 0 })).prep);

    const { dbName, store } = await open();
    const { staging, prep } = await stagedPrepare(zip, store);
    expect(prep.stagedFiles).toBe(RUNS * KEYS.length);
    expect(prep.runs.every((r) => r.metrics.length === 0)).toBe(true);
    // Written already, and no run shows them yet.
    expect(await countRunRecords(dbName, 'metricChunks', runIds[3])).toBeGreaterThan(0);
    expect(store.listRuns()).toHaveLength(0);
    const report = await store.importBundle(prep, undefined, undefined, staging);
    expect(report.addedRuns.sort()).toEqual(plainReport.addedRuns.sort());
    expect(await histories(store)).toEqual(await histories(plain.store));
  });

  it('settled waits for the files the workers counted, which may come after the prepared import', async () => {
    const { store } = await open();
    const staging = store.metricStaging();
    let done = false;
    const wait = staging.settled(2).then(() => (done = true));
    staging.add([{ runId: 'r1', key: 'k', values: Float64Array.of(1), steps: Float64Array.of(0), timestamps: Float64Array.of(5) }]);
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    staging.add([{ runId: 'r2', key: 'k', values: Float64Array.of(2), steps: Float64Array.of(0), timestamps: Float64Array.of(5) }]);
    await wait;
    expect(staging.written('r2')?.k?.latest).toBe(2);
    const aborted = new AbortController();
    const stuck = staging.settled(3, aborted.signal);
    aborted.abort(new Error('cancelled'));
    await expect(stuck).rejects.toThrow('cancelled');
  });

  it('a failed import leaves none of its staged chunks; a run committed meanwhile keeps its own', async () => {
    const zip = await labZip();
    const { dbName, store } = await open();
    const { staging, prep } = await stagedPrepare(zip, store);
    // Another import committed run 0 in the meantime (its chunks are the same keys).
    const other = await store.importBundle({ ...prep, runs: [{ ...prep.runs[0], metrics: [history('loss', 3, (s) => s, 1)] }] });
    expect(other.addedRuns).toEqual([runIds[0]]);
    await staging.discard();
    for (const id of runIds.slice(1)) expect(await countRunRecords(dbName, 'metricChunks', id)).toBe(0);
    expect(await countRunRecords(dbName, 'metricChunks', runIds[0])).toBeGreaterThan(0);
  });

  it('runs the lab has are held, not written, and compared by content: importing again adds nothing', async () => {
    const zip = await labZip();
    const { dbName, store } = await open();
    const { staging: first, prep } = await stagedPrepare(zip, store);
    await store.importBundle(prep, undefined, undefined, first);
    const before = await histories(store);
    const chunks = await countRunRecords(dbName, 'metricChunks', runIds[5]);

    const { staging: again, prep: prep2 } = await stagedPrepare(zip, store);
    expect(again.written(runIds[5])).toBeUndefined();
    expect(again.held(runIds[5])?.map((m) => m.key).sort()).toEqual([...KEYS].sort());
    const report = await store.importBundle(prep2, undefined, undefined, again);
    expect(report.addedRuns).toEqual([]);
    expect(report.unchanged.sort()).toEqual([...runIds].sort());
    expect(report.conflicts).toEqual([]);
    expect(await countRunRecords(dbName, 'metricChunks', runIds[5])).toBe(chunks);
    expect(await histories(store)).toEqual(before);
  });

  it('a history an interrupted import left behind is cleared, not joined, and skipped runs keep nothing', async () => {
    const zip = await labZip();
    const { dbName, store } = await open();
    // A longer, unreachable history of run 2 (as a tab that died mid-import leaves one).
    const stale = store.metricStaging();
    stale.add([{ runId: runIds[2], key: 'loss', values: new Float64Array(40_000).fill(7), steps: Float64Array.from({ length: 40_000 }, (_, s) => s), timestamps: new Float64Array(40_000).fill(1) }]);
    await stale.settled(1);
    const { staging, prep } = await stagedPrepare(zip, store);
    // Run 4 is left out of the commit (as a run whose experiment is missing would be).
    prep.runs = prep.runs.filter((r) => r.run.info.runId !== runIds[4]);
    await store.importBundle(prep, undefined, undefined, staging);
    const loss = await store.getMetricHistory(runIds[2], 'loss');
    expect(loss.values.length).toBe(30 + 2 * 7);
    expect(loss.values[0]).toBe(1 / 3);
    expect(await countRunRecords(dbName, 'metricChunks', runIds[4])).toBe(0);
  });
});

describe('the import lock', () => {
  it('runs imports one after the other where Web Locks exist, and at once where they do not', async () => {
    const log: string[] = [];
    const body = (name: string) => async () => {
      log.push(`${name} start`);
      await new Promise((r) => setTimeout(r, 10));
      log.push(`${name} end`);
      return name;
    };
    const g = globalThis as { navigator?: unknown };
    const had = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    Object.defineProperty(globalThis, 'navigator', { value: { locks: new FakeLocks() }, configurable: true });
    try {
      expect(await Promise.all([withImportLock(body('a')), withImportLock(body('b'))])).toEqual(['a', 'b']);
      expect(log).toEqual(['a start', 'a end', 'b start', 'b end']);
    } finally {
      if (had) Object.defineProperty(globalThis, 'navigator', had);
      else delete g.navigator;
    }
    log.length = 0;
    if (!(g.navigator as { locks?: unknown } | undefined)?.locks) {
      await Promise.all([withImportLock(body('c')), withImportLock(body('d'))]);
      expect(log).toEqual(['c start', 'd start', 'c end', 'd end']);
    }
  });
});

// An import of many runs writes the run index in its own transaction, so the first open after it
// reads the index instead of every run record (issue 9: first open after importing 100,000 runs).
import { prepareZip } from './bundles-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { openDB } from 'idb';
import { exportMlflowZip } from '../../src/lib/mlflow/bundle-zip';
import { collectBundle } from '../../src/lib/bundles/collect';
import { TrackingStore } from '../../src/lib/storage/tracking-store';
import { cols, tickingClock, uniqueDbName } from './storage-helpers';

const open: TrackingStore[] = [];
let restore = () => {};
afterEach(() => { for (const s of open.splice(0)) s.close(); restore(); });

/** A store that never rewrites the index on its own, and rewrites "soon" past 3 dirty runs. */
async function store(dbName: string) {
  const s = await TrackingStore.open({ dbName, now: tickingClock(), runIndexDelayMs: -1, runIndexDirtyLimit: 3 });
  open.push(s);
  return s;
}

/** Counts getAll calls on `runs`: the full read the index exists to avoid. */
function countFullReads(): { n: number } {
  const proto = IDBObjectStore.prototype;
  const original = proto.getAll;
  const counter = { n: 0 };
  proto.getAll = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['getAll']>) {
    if (this.name === 'runs') counter.n++;
    return original.apply(this, args);
  };
  restore = () => { proto.getAll = original; restore = () => {}; };
  return counter;
}

async function raw(dbName: string) {
  const db = await openDB(dbName);
  const [dirty, header] = await Promise.all([db.getAllKeys('runDirty'), db.get('runIndex', 'header')]);
  db.close();
  return { dirty: dirty as string[], header };
}

/** A zip of `n` finished runs with a param and a metric each, exported by another lab. */
async function zipOf(n: number) {
  const src = await store(uniqueDbName('source'));
  const exp = await src.createExperiment('imported');
  for (let i = 0; i < n; i++) {
    const { runId } = await src.createRun({ experimentId: exp, runName: `r${i}` });
    await src.logBatch(runId, { params: [{ key: 'i', value: String(i) }], metrics: [cols('rmse', [[0, i / 10, 1_700_000_000_000 + i]])] });
    await src.updateRun(runId, { status: 'FINISHED', endTime: 1_700_000_100_000 });
  }
  return exportMlflowZip(await collectBundle(src, { kind: 'experiment', experimentId: exp }));
}

const summary = (s: TrackingStore) => s.listRuns().map((r) => [r.info.runId, r.info.runName, r.params, r.metrics.rmse?.latest]).sort();

describe('run index written by an import', () => {
  it('a big import leaves the index holding every run, so the next open reads no run record', async () => {
    const name = uniqueDbName('import-index');
    const lab = await store(name);
    const local = await lab.createRun({ experimentId: '0', runName: 'made here' }); // dirty before the import
    const report = await lab.importBundle(await prepareZip(await zipOf(6)));
    expect(report.addedRuns).toHaveLength(6);
    const after = await raw(name);
    expect(after.dirty).toEqual([]);
    expect(after.header).toMatchObject({ count: 7 });

    const reads = countFullReads();
    const reopened = await store(name);
    expect(reads.n).toBe(0);
    expect(summary(reopened)).toEqual(summary(lab));
    expect(summary(reopened).map((r) => r[1])).toContain('made here');
    expect((await reopened.getRun(local.runId)).info.runName).toBe('made here');
  });

  it('a small import leaves its runs dirty for the usual upkeep, and the next open still lists them', async () => {
    const name = uniqueDbName('import-small');
    const lab = await store(name);
    const before = (await raw(name)).header;
    await lab.importBundle(await prepareZip(await zipOf(2)));
    const after = await raw(name);
    expect(after.dirty).toHaveLength(2);
    expect(after.header).toEqual(before);
    const reopened = await store(name);
    expect(summary(reopened)).toEqual(summary(lab));
  });

  it('does not overwrite an index another store rewrote since this one opened', async () => {
    const name = uniqueDbName('import-race');
    const lab = await store(name);
    const other = await store(name);
    await other.createRun({ experimentId: '0', runName: 'other tab' });
    expect(await other.writeRunIndex()).toBe(true);
    const theirs = (await raw(name)).header;
    await lab.importBundle(await prepareZip(await zipOf(5)));
    const after = await raw(name);
    expect(after.header).toEqual(theirs); // left alone: this store's cache was built on an older index
    expect(after.dirty).toHaveLength(5);
    const reopened = await store(name);
    expect(reopened.listRuns()).toHaveLength(6);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { openDB } from 'idb';
import { TrackingStore } from '../../src/lib/storage/tracking-store';
import { makeOwnerProbe } from '../../src/lib/tracking/run-lock';
import type { StoredRun } from '../../src/lib/storage/schema';
import { FakeLocks, cols, tickingClock, uniqueDbName } from './storage-helpers';

const open: TrackingStore[] = [];
/** Stores that never rewrite the index on their own: the tests say when. */
async function store(dbName: string, opts: Parameters<typeof TrackingStore.open>[0] = {}) {
  const s = await TrackingStore.open({ dbName, now: tickingClock(), runIndexDelayMs: -1, ...opts });
  open.push(s);
  return s;
}
afterEach(() => { for (const s of open.splice(0)) s.close(); restoreSpy(); });

/** Counts getAll calls on the `runs` store (the full read the index exists to avoid). */
let restoreSpy = () => {};
function countFullReads(): { n: number } {
  const proto = IDBObjectStore.prototype;
  const original = proto.getAll;
  const counter = { n: 0 };
  proto.getAll = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['getAll']>) {
    if (this.name === 'runs') counter.n++;
    return original.apply(this, args);
  };
  restoreSpy = () => { proto.getAll = original; restoreSpy = () => {}; };
  return counter;
}

async function raw(dbName: string) {
  const db = await openDB(dbName);
  const [runs, dirty, header] = await Promise.all([db.getAll('runs'), db.getAllKeys('runDirty'), db.get('runIndex', 'header')]);
  db.close();
  return { runs: runs as StoredRun[], dirty: (dirty as string[]).sort(), header };
}

const byId = (runs: readonly { info: { runId: string } }[]) => [...runs].sort((a, b) => (a.info.runId < b.info.runId ? -1 : 1));

describe('run index', () => {
  it('a reopened store reads the index plus the runs written since, never every record', async () => {
    const name = uniqueDbName('index');
    const s = await store(name);
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await s.createRun({ experimentId: '0', runName: `r${i}` })).runId);
    expect((await raw(name)).dirty).toEqual([...ids].sort());
    expect(await s.writeRunIndex()).toBe(true);
    expect((await raw(name)).dirty).toEqual([]);
    await s.logBatch(ids[2], { params: [{ key: 'p', value: '1' }], metrics: [cols('m', [[0, 1, 1]])] });
    const fresh = await s.createRun({ experimentId: '0', runName: 'late' });
    expect((await raw(name)).dirty).toEqual([ids[2], fresh.runId].sort());

    const reads = countFullReads();
    const again = await store(name);
    expect(reads.n).toBe(0);
    expect(byId(again.listRuns())).toEqual(byId(s.listRuns()));
    expect((await again.getRun(ids[2])).params).toEqual({ p: '1' });
  });

  it.each([
    ['logBatch', (s: TrackingStore, id: string) => s.logBatch(id, { metrics: [cols('m', [[0, 1, 1]])] })],
    ['setTag', (s: TrackingStore, id: string) => s.setTag(id, 'k', 'v')],
    ['deleteTag', (s: TrackingStore, id: string) => s.deleteTag(id, 'mlflow.user')],
    ['updateRun', (s: TrackingStore, id: string) => s.updateRun(id, { status: 'FAILED', endTime: 5 })],
    ['deleteRun', (s: TrackingStore, id: string) => s.deleteRun(id)],
    ['heartbeat', (s: TrackingStore, id: string) => s.heartbeat(id)],
    ['logInputs', (s: TrackingStore, id: string) => s.logInputs(id, [{ dataset: { name: 'w', digest: 'd', sourceType: 'local', source: '{}', schema: null, profile: null }, tags: {} }])],
    ['killOrphanedRuns', (s: TrackingStore) => s.killOrphanedRuns(makeOwnerProbe({ locks: new FakeLocks() }))],
    ['deleteExperiment', (s: TrackingStore, _id: string, exp: string) => s.deleteExperiment(exp)],
  ] as const)('%s after the index is written is seen by the next open', async (_label, write) => {
    const name = uniqueDbName('paths');
    const s = await store(name);
    const exp = await s.createExperiment('e');
    const { runId } = await s.createRun({ experimentId: exp, ownerLock: 'nobody-holds-this' });
    await s.createRun({ experimentId: exp });
    await s.writeRunIndex();
    const record = async () => (await raw(name)).runs.find((r) => r.info.runId === runId);
    const before = await record();
    await write(s, runId, exp);
    const after = await record();
    expect(after).not.toEqual(before);
    expect((await raw(name)).dirty).toContain(runId);
    const reopened = await store(name);
    expect((reopened as unknown as { runs: Map<string, StoredRun> }).runs.get(runId)).toEqual(after);
  });

  it('every kind of write marks its runs, so the index plus dirty records always equals the records', async () => {
    const op = fc.constantFrom('create', 'log', 'tag', 'untag', 'status', 'delete', 'restore', 'heartbeat', 'inputs',
      'expDelete', 'expRestore', 'kill', 'index');
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(op, fc.nat()), { minLength: 1, maxLength: 25 }), async (ops) => {
      const name = uniqueDbName('ops');
      const s = await store(name);
      const locks = new FakeLocks();
      const exp = await s.createExperiment('e');
      const runs: string[] = [(await s.createRun({ experimentId: exp, ownerLock: 'gone' })).runId];
      const pick = (n: number) => runs[n % runs.length];
      for (const [kind, n] of ops) {
        const id = pick(n);
        const ignore = (p: Promise<unknown>) => p.catch(() => undefined); // e.g. logging to a deleted run
        if (kind === 'create') runs.push((await ignore(s.createRun({ experimentId: n % 2 ? exp : '0', ownerLock: n % 3 ? 'gone' : undefined })) as { runId: string } | undefined)?.runId ?? id);
        if (kind === 'log') await ignore(s.logBatch(id, { metrics: [cols('m', [[n, n / 3, n]])], tags: [{ key: '__proto__', value: String(n) }] }));
        if (kind === 'tag') await ignore(s.setTag(id, `t${n % 3}`, 'v'));
        if (kind === 'untag') await ignore(s.deleteTag(id, `t${n % 3}`));
        if (kind === 'status') await ignore(s.updateRun(id, { status: 'FINISHED', endTime: n }));
        if (kind === 'delete') await ignore(s.deleteRun(id));
        if (kind === 'restore') await ignore(s.restoreRun(id));
        if (kind === 'heartbeat') await ignore(s.heartbeat(id));
        if (kind === 'inputs') {
          const dataset = { name: 'wine', digest: `d${n % 2}`, sourceType: 'local', source: '{}', schema: null, profile: null };
          await ignore(s.logInputs(id, [{ dataset, tags: { 'mlflow.data.context': 'training' } }]));
        }
        if (kind === 'expDelete') await s.deleteExperiment(exp);
        if (kind === 'expRestore') await s.restoreExperiment(exp);
        if (kind === 'kill') await s.killOrphanedRuns(makeOwnerProbe({ locks }));
        if (kind === 'index') await s.writeRunIndex();
      }
      const truth = await raw(name);
      const reopened = await store(name);
      expect(byId(reopened.listRuns())).toEqual(byId(truth.runs));
      expect(byId(s.listRuns())).toEqual(byId(truth.runs));
    }), { numRuns: 25 });
  });

  it('a write from another store before the rewrite is encoded, even if this store never heard of it', async () => {
    const name = uniqueDbName('race');
    const a = await store(name);
    const { runId } = await a.createRun({ experimentId: '0' });
    for (let i = 0; i < 3; i++) await a.createRun({ experimentId: '0' }); // so the rewrite reads dirty runs one by one
    expect(await a.writeRunIndex()).toBe(true);
    (a as unknown as { feed: { close(): void } }).feed.close(); // a hears no broadcast: its cache goes stale
    const b = await store(name);
    await b.setTag(runId, 'from', 'b');
    await new Promise((r) => setTimeout(r, 20));
    expect((await a.getRun(runId)).tags.from).toBeUndefined();
    // The rewrite re-reads every dirty run inside its transaction, so the index gets b's write.
    expect(await a.writeRunIndex()).toBe(true);
    expect((await raw(name)).dirty).toEqual([]);
    const c = await store(name);
    expect((await c.getRun(runId)).tags.from).toBe('b');
    expect((await a.getRun(runId)).tags.from).toBe('b');
  });

  it('a write racing the rewrite lands either in the index or in the dirty set', async () => {
    const name = uniqueDbName('race2');
    const s = await store(name);
    const { runId } = await s.createRun({ experimentId: '0' });
    const writes = [s.writeRunIndex(), s.setTag(runId, 'a', '1'), s.writeRunIndex(), s.setTag(runId, 'b', '2')];
    await Promise.all(writes);
    const reopened = await store(name);
    expect((await reopened.getRun(runId)).tags).toMatchObject({ a: '1', b: '2' });
  });

  it('does not overwrite an index another store rewrote meanwhile', async () => {
    const name = uniqueDbName('generation');
    const a = await store(name);
    const b = await store(name);
    await a.createRun({ experimentId: '0' });
    expect(await b.writeRunIndex()).toBe(true);
    expect(await a.writeRunIndex()).toBe(false);
    const { header } = await raw(name);
    expect(header).toMatchObject({ count: 1 });
  });

  it('a damaged or missing index falls back to reading every record, and that open writes a new one', async () => {
    const name = uniqueDbName('damaged');
    const s = await store(name);
    const { runId } = await s.createRun({ experimentId: '0', runName: 'kept' });
    await s.writeRunIndex();
    const db = await openDB(name);
    const body = await db.get('runIndex', 'body');
    body.body.refs = body.body.refs.slice(1);
    await db.put('runIndex', body, 'body');
    db.close();

    const reads = countFullReads();
    const healed = await store(name);
    expect(reads.n).toBe(1);
    expect((await healed.getRun(runId)).info.runName).toBe('kept');
    reads.n = 0;
    const after = await store(name);
    expect(reads.n).toBe(0);
    expect((await after.getRun(runId)).info.runName).toBe('kept');

    const db2 = await openDB(name);
    await db2.delete('runIndex', 'header');
    db2.close();
    const lost = await store(name);
    expect(reads.n).toBe(1);
    expect(lost.listRuns()).toHaveLength(1);
  });

  it('a store that writes many runs rewrites the index on its own', async () => {
    const name = uniqueDbName('limit-here');
    const s = await store(name, { runIndexDelayMs: 0, runIndexDirtyLimit: 3 });
    for (let i = 0; i < 3; i++) await s.createRun({ experimentId: '0' });
    await new Promise((r) => setTimeout(r, 30));
    expect((await raw(name)).dirty).toHaveLength(3); // at the limit: nothing yet
    await s.createRun({ experimentId: '0' });
    for (let i = 0; i < 500 && (await raw(name)).dirty.length > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect((await raw(name)).header).toMatchObject({ count: 4 });
  });

  it('many runs written since the index trigger a rewrite after open', async () => {
    const name = uniqueDbName('limit');
    const s = await store(name);
    await s.writeRunIndex();
    for (let i = 0; i < 4; i++) await s.createRun({ experimentId: '0' });
    s.close();
    await store(name, { runIndexDelayMs: 0, runIndexDirtyLimit: 3 });
    for (let i = 0; i < 500 && (await raw(name)).dirty.length > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect((await raw(name)).dirty).toEqual([]);
    expect((await raw(name)).header).toMatchObject({ count: 4 });
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { TrackingStore } from '../../src/lib/storage/tracking-store';
import type { StoreChange } from '../../src/lib/storage/change-feed';
import { holdRunLock, makeOwnerProbe } from '../../src/lib/tracking/run-lock';
import { FakeLocks, cols, uniqueDbName } from './storage-helpers';

const open: TrackingStore[] = [];
async function store(dbName: string, now?: () => number) {
  const s = await TrackingStore.open({ dbName, now });
  open.push(s);
  return s;
}
afterEach(() => { for (const s of open.splice(0)) s.close(); });

function nextChange(s: TrackingStore, pred: (c: StoreChange) => boolean): Promise<StoreChange> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error('no change notification within 2 s')); }, 2000);
    const off = s.subscribe((c) => { if (pred(c)) { clearTimeout(timer); off(); resolve(c); } });
  });
}

describe('change notifications across stores (tabs)', () => {
  it('a write in one store is re-read by another store on the same database', async () => {
    const name = uniqueDbName('sync');
    const a = await store(name);
    const b = await store(name);
    const created = nextChange(b, (c) => c.origin === 'remote' && c.runIds.length > 0);
    const { runId } = await a.createRun({ experimentId: '0', runName: 'shared' });
    expect((await created).runIds).toEqual([runId]);
    expect((await b.getRun(runId)).info.runName).toBe('shared');
    expect(b.listRuns(['0']).map((r) => r.info.runId)).toEqual([runId]);

    const logged = nextChange(b, (c) => c.origin === 'remote' && c.runIds.includes(runId));
    await a.logBatch(runId, { metrics: [cols('loss', [[0, 0.5, 1]])], params: [{ key: 'lr', value: '0.1' }] });
    await logged;
    expect(await b.getRun(runId)).toEqual(await a.getRun(runId));

    const exp = nextChange(b, (c) => c.origin === 'remote' && c.experimentIds.length > 0);
    const id = await a.createExperiment('from-a');
    await exp;
    expect((await b.getExperiment(id)).name).toBe('from-a');
  });

  it('local listeners hear about local commits, and not about failed writes', async () => {
    const a = await store(uniqueDbName('local'));
    const seen: StoreChange[] = [];
    const off = a.subscribe((c) => seen.push(c));
    const { runId } = await a.createRun({ experimentId: '0' });
    await a.logBatch(runId, { params: [{ key: 'p', value: '1' }] });
    await a.logBatch(runId, { params: [{ key: 'p', value: '2' }] }).catch(() => {});
    off();
    await a.setTag(runId, 't', 'v');
    expect(seen).toEqual([
      { runIds: [runId], experimentIds: [], origin: 'local' },
      { runIds: [runId], experimentIds: [], origin: 'local' },
    ]);
  });

  it('stores on other databases ignore the message', async () => {
    const a = await store(uniqueDbName('one'));
    const other = await store(uniqueDbName('two'));
    const heard: StoreChange[] = [];
    other.subscribe((c) => heard.push(c));
    await a.createRun({ experimentId: '0' });
    await new Promise((r) => setTimeout(r, 50));
    expect(heard).toEqual([]);
  });
});

describe('orphaned runs', () => {
  it('M1: marks RUNNING runs whose owner lock is free as KILLED, keeping metrics; leaves the rest alone', async () => {
    let t = 1000;
    const s = await store(uniqueDbName('orphans'), () => t);
    const locks = new FakeLocks();
    const releaseAlive = await holdRunLock('tab:alive', locks);
    await holdRunLock('tab:dead', locks);

    const alive = await s.createRun({ experimentId: '0', ownerLock: 'tab:alive' });
    const dead = await s.createRun({ experimentId: '0', ownerLock: 'tab:dead' });
    const imported = await s.createRun({ experimentId: '0' });
    const finished = await s.createRun({ experimentId: '0', ownerLock: 'tab:dead' });
    await s.updateRun(finished.runId, { status: 'FINISHED', endTime: 1500 });
    t = 2000;
    await s.logBatch(dead.runId, { metrics: [cols('loss', [[0, 1, 1990], [1, 0.5, 1995]])] }); // heartbeat at 2000
    expect((await s.getRun(dead.runId)).info.status).toBe('RUNNING');

    locks.crashHolder('tab:dead'); // the owning tab crashed
    t = 9000;
    const killed = await s.killOrphanedRuns(makeOwnerProbe({ locks }));
    expect(killed).toEqual([dead.runId]);
    const run = await s.getRun(dead.runId);
    expect(run.info).toMatchObject({ status: 'KILLED', endTime: 2000 });
    expect(run.metrics.loss.count).toBe(2);
    expect([...(await s.getMetricHistory(dead.runId, 'loss')).values]).toEqual([1, 0.5]);
    expect((await s.getRun(alive.runId)).info.status).toBe('RUNNING');
    expect((await s.getRun(imported.runId)).info.status).toBe('RUNNING');
    expect((await s.getRun(finished.runId)).info).toMatchObject({ status: 'FINISHED', endTime: 1500 });

    // Persisted, and a second sweep has nothing left to do.
    const fresh = await store(s['conn'].name);
    expect((await fresh.getRun(dead.runId)).info.status).toBe('KILLED');
    expect(await s.killOrphanedRuns(makeOwnerProbe({ locks }))).toEqual([]);
    releaseAlive();
  });

  it('M4: without Web Locks, a run whose heartbeat is older than 3× the interval is killed; endTime is the newest sign of life', async () => {
    let t = 10_000;
    const s = await store(uniqueDbName('heartbeat'), () => t);
    const stale = await s.createRun({ experimentId: '0', ownerLock: 'run:stale' });
    const fresh = await s.createRun({ experimentId: '0', ownerLock: 'run:fresh' });
    await s.logBatch(stale.runId, { metrics: [cols('m', [[0, 1, 12_345]])] }); // metric ts after the heartbeat
    t = 20_000;
    await s.heartbeat(fresh.runId);
    t = 22_000;
    const killed = await s.killOrphanedRuns(makeOwnerProbe({ locks: null, heartbeatIntervalMs: 1000, now: () => t }));
    expect(killed).toEqual([stale.runId]);
    expect((await s.getRun(stale.runId)).info).toMatchObject({ status: 'KILLED', endTime: 12_345 });
    expect((await s.getRun(fresh.runId)).info.status).toBe('RUNNING');
  });
});

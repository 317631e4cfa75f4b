import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDB, type IDBPDatabase } from 'idb';
import { forceCloseDatabase } from 'fake-indexeddb';
import { Connection, MESSAGES } from '../../src/lib/storage/db';
import { DB_VERSION, type StoredRun } from '../../src/lib/storage/schema';
import { dictGet, dictSet } from '../../src/lib/util/dict';
import { StaleDatabaseError, StorageUnavailableError, UpgradeBlockedError } from '../../src/lib/storage/errors';
import { TrackingStore } from '../../src/lib/storage/tracking-store';
import { cols, uniqueDbName, captureConnections } from './storage-helpers';

/** What each schema version must contain: store → [keyPath, indexes (name → keyPath, unique)]. */
const SHAPE_AT: Record<number, Record<string, { keyPath: string | string[] | null; indexes: Record<string, [string, boolean]> }>> = {
  1: {
    experiments: { keyPath: 'experimentId', indexes: { byName: ['name', true] } },
    runs: { keyPath: 'info.runId', indexes: { byExperiment: ['info.experimentId', false] } },
    metricChunks: { keyPath: ['runId', 'key', 'seq'], indexes: {} },
    artifacts: { keyPath: ['runId', 'path'], indexes: {} },
    artifactChunks: { keyPath: ['runId', 'path', 'index'], indexes: {} },
    datasets: { keyPath: 'digest', indexes: {} },
    meta: { keyPath: 'key', indexes: {} },
  },
};
// v2 adds the run index and the set of runs written since it (out-of-line keys).
SHAPE_AT[2] = {
  ...SHAPE_AT[1],
  runIndex: { keyPath: null, indexes: {} },
  runDirty: { keyPath: null, indexes: {} },
};
SHAPE_AT[3] = {
  ...SHAPE_AT[2],
  registeredModels: { keyPath: 'name', indexes: {} },
};
// v4: tracking servers, the live mirror's outbox and per-run mirror states.
SHAPE_AT[4] = {
  ...SHAPE_AT[3],
  remoteServers: { keyPath: 'id', indexes: {} },
  outbox: { keyPath: 'seq', indexes: {} },
  mirrors: { keyPath: 'runId', indexes: {} },
};
// v5: projects kept in the lab (the script editor's "Keep in lab").
SHAPE_AT[5] = {
  ...SHAPE_AT[4],
  savedProjects: { keyPath: 'name', indexes: {} },
};

async function shapeOf(name: string) {
  const db = await openDB(name);
  const tx = db.transaction([...db.objectStoreNames], 'readonly');
  const shape: Record<string, { keyPath: unknown; indexes: Record<string, [unknown, boolean]> }> = {};
  for (const storeName of db.objectStoreNames) {
    const store = tx.objectStore(storeName);
    const indexes: Record<string, [unknown, boolean]> = {};
    for (const i of store.indexNames) indexes[i] = [store.index(i).keyPath, store.index(i).unique];
    shape[storeName] = { keyPath: store.keyPath, indexes };
  }
  const version = db.version;
  db.close();
  return { version, shape };
}

/**
 * Builds a database at `from` with `seed`, opens it with the current code, and checks the shape of
 * DB_VERSION and that `check` holds. A future v1 → v2 test is one call of this with v1 fixtures.
 */
async function upgradeCase(from: number, seed: (db: IDBPDatabase) => Promise<void>, check: (s: TrackingStore) => Promise<void>): Promise<string> {
  const name = uniqueDbName('upgrade');
  if (from > 0) {
    const old = await Connection.open({ name, version: from });
    old.close();
    const raw = await openDB(name);
    await seed(raw);
    raw.close();
  }
  const upgrades: [number, number][] = [];
  const store = await TrackingStore.open({ dbName: name, onUpgrade: (a, b) => upgrades.push([a, b]) });
  expect(upgrades).toEqual(from === DB_VERSION ? [] : [[from, DB_VERSION]]);
  await check(store);
  store.close();
  expect(await shapeOf(name)).toEqual({ version: DB_VERSION, shape: SHAPE_AT[DB_VERSION] });
  return name;
}

describe('schema', () => {
  it('creates every store and index from an empty database', async () => {
    await upgradeCase(0, async () => {}, async (s) => {
      expect((await s.listExperiments()).map((e) => e.name)).toEqual(['Default']);
    });
  });

  it('S9: opens a v1 database with data unchanged (the template for v1 → v2)', async () => {
    const run = {
      info: { runId: 'a'.repeat(32), experimentId: '0', runName: 'old', userId: 'u', status: 'FINISHED', startTime: 1,
        endTime: 2, lifecycleStage: 'active', deletedTime: null, artifactUri: 'x' },
      params: { p: '1' }, tags: {}, metrics: {}, inputs: [],
    };
    await upgradeCase(1, async (db) => { await db.put('runs', run); }, async (s) => {
      expect(await s.getRun(run.info.runId)).toEqual(run);
    });
  });
});

describe('v1 → v2 (run index)', () => {
  const v1Run = (id: string, extra: Partial<StoredRun> = {}): StoredRun => ({
    info: { runId: id.repeat(32), experimentId: '0', runName: `old-${id}`, userId: 'u', status: 'FINISHED', startTime: 1,
      endTime: 2, lifecycleStage: 'active', deletedTime: null, artifactUri: `mlflow-artifacts:/0/${id.repeat(32)}/artifacts` },
    params: { p: '1' }, tags: { 'mlflow.runName': `old-${id}` },
    metrics: { loss: { latest: NaN, step: 3, timestamp: 4, min: -Infinity, max: 0.5, count: 9 } }, inputs: [],
    ...extra,
  });

  it('S9: keeps v1 runs: the first open reads every record, writes the index, and later opens read the index', async () => {
    const runs = [v1Run('a'), v1Run('b', { ownerLock: 'mfflow-run:x', heartbeatAt: 7 }), v1Run('c')];
    dictSet(runs[2].params, '__proto__', 'odd');
    const name = await upgradeCase(1, async (db) => { for (const r of runs) await db.put('runs', r); }, async (s) => {
      for (const r of runs) expect(s.listRuns().find((x) => x.info.runId === r.info.runId)).toEqual(r);
      expect(await s.writeRunIndex()).toBe(true);
    });
    const db = await openDB(name);
    expect(await db.get('runIndex', 'header')).toMatchObject({ count: 3 });
    expect(await db.count('runDirty')).toBe(0); // the next open decodes the index alone
    db.close();
    const again = await TrackingStore.open({ dbName: name, runIndexDelayMs: -1 });
    const cached = new Map(again.listRuns().map((r) => [r.info.runId, r]));
    for (const r of runs) expect(cached.get(r.info.runId)).toEqual(r);
    expect(dictGet(cached.get(runs[2].info.runId)!.params, '__proto__')).toBe('odd');
    again.close();
  });
});

describe('connection lifecycle', () => {
  const toClose: { close(): void }[] = [];
  afterEach(() => { for (const c of toClose.splice(0)) c.close(); vi.restoreAllMocks(); });

  it('S4: blocked: an old tab that never closes gives a clear message, then UpgradeBlockedError instead of hanging', async () => {
    const name = uniqueDbName('blocked');
    const oldTab = await openDB(name, 1, { upgrade: (db) => { db.createObjectStore('x'); } }); // ignores versionchange
    const onBlocked = vi.fn();
    const err = await Connection.open({ name, version: 2, blockedTimeoutMs: 50, onBlocked }).then(() => null, (e: unknown) => e);
    expect(onBlocked).toHaveBeenCalledWith(MESSAGES.blocked);
    expect(err).toBeInstanceOf(UpgradeBlockedError);
    oldTab.close();
  });

  it('S4: blocked, then the other tab closes: the upgrade proceeds', async () => {
    const name = uniqueDbName('blocked2');
    const oldTab = await openDB(name, 1);
    const onBlocked = vi.fn(() => setTimeout(() => oldTab.close(), 10));
    const conn = await Connection.open({ name, version: 2, blockedTimeoutMs: 5000, onBlocked });
    toClose.push(conn);
    expect(onBlocked).toHaveBeenCalledTimes(1);
  });

  it('S4: blocking: our connection closes, tells the page to reload, and later calls fail with StaleDatabaseError', async () => {
    const name = uniqueDbName('blocking');
    const onBlocking = vi.fn();
    const store = await TrackingStore.open({ dbName: name, onBlocking });
    toClose.push(store);
    const onNewBlocked = vi.fn();
    const newTab = await openDB(name, DB_VERSION + 1, { blocked: onNewBlocked });
    expect(onBlocking).toHaveBeenCalledWith(MESSAGES.blocking);
    expect(onNewBlocked).not.toHaveBeenCalled(); // we closed in time, so the new tab was never stuck
    await expect(store.createRun({ experimentId: '0' })).rejects.toBeInstanceOf(StaleDatabaseError);
    newTab.close();
  });

  it('S6: terminated: reopens and retries, including a write issued at the moment of the close', async () => {
    const name = uniqueDbName('terminated');
    const connections = captureConnections();
    const onTerminated = vi.fn();
    const store = await TrackingStore.open({ dbName: name, onTerminated });
    toClose.push(store);
    const { runId } = await store.createRun({ experimentId: '0' });
    // Closed while idle: the next call reopens lazily.
    forceCloseDatabase(connections.at(-1) as never);
    expect(onTerminated).toHaveBeenCalledWith(MESSAGES.terminated);
    await store.setTag(runId, 'after', 'close');
    expect(connections.length).toBe(2);
    // Closed after the write took the connection but before its transaction started: retried once.
    const write = store.logBatch(runId, { metrics: [cols('m', [[0, 1, 1]])] });
    forceCloseDatabase(connections.at(-1) as never);
    await write;
    expect(connections.length).toBe(3);
    expect([...(await store.getMetricHistory(runId, 'm')).values]).toEqual([1]);
    const fresh = await TrackingStore.open({ dbName: name });
    expect((await fresh.getRun(runId)).tags.after).toBe('close');
    expect((await fresh.getRun(runId)).metrics.m.count).toBe(1);
    fresh.close();
  });

  it('S6: deleted under the open store (site data cleared): caches dropped, the write that finds out refused, then work goes on', async () => {
    const name = uniqueDbName('cleared');
    const connections = captureConnections();
    const onCleared = vi.fn();
    const store = await TrackingStore.open({ dbName: name, onCleared });
    toClose.push(store);
    const { runId } = await store.createRun({ experimentId: '0' });
    const exp = await store.createExperiment('soon gone');
    const changes: string[][] = [];
    store.subscribe((c) => changes.push([...c.runIds, ...c.experimentIds]));
    // What Chromium does on Storage.clearDataForOrigin: the connection is closed, the data deleted.
    forceCloseDatabase(connections.at(-1) as never);
    await new Promise<void>((res, rej) => { const r = indexedDB.deleteDatabase(name); r.onsuccess = () => res(); r.onerror = () => rej(r.error); });
    await expect(store.setTag(runId, 'late', 'x')).rejects.toMatchObject({ name: 'StoreClearedError' });
    await vi.waitFor(() => expect(onCleared).toHaveBeenCalledTimes(1));
    expect(store.listRuns()).toEqual([]);
    expect(changes.flat()).toEqual(expect.arrayContaining([runId, exp, '0']));
    await vi.waitFor(async () => expect((await store.listExperiments()).map((e) => e.name)).toEqual(['Default']));
    const again = await store.createRun({ experimentId: '0' });
    await store.logBatch(again.runId, { metrics: [cols('m', [[0, 1, 1]])] });
    expect(store.listRuns().map((r) => r.info.runId)).toEqual([again.runId]);
    const fresh = await TrackingStore.open({ dbName: name });
    expect(fresh.listRuns().map((r) => r.info.runId)).toEqual([again.runId]);
    fresh.close();
  });

  it('S6: terminated and the reopen fails: StorageUnavailableError, and the next call tries again', async () => {
    const name = uniqueDbName('terminated2');
    const connections = captureConnections();
    const store = await TrackingStore.open({ dbName: name });
    toClose.push(store);
    const { runId } = await store.createRun({ experimentId: '0' });
    forceCloseDatabase(connections.at(-1) as never);
    await new Promise((r) => setTimeout(r, 0)); // let the close event arrive
    const realOpen = indexedDB.open;
    indexedDB.open = () => { throw new DOMException('Internal error opening backing store', 'UnknownError'); };
    try {
      await expect(store.setTag(runId, 'a', 'b')).rejects.toBeInstanceOf(StorageUnavailableError);
    } finally {
      indexedDB.open = realOpen;
    }
    await store.setTag(runId, 'a', 'b');
    expect((await store.getRun(runId)).tags.a).toBe('b');
  });
});

describe('v2 → v3 (model registry)', () => {
  it('S9: keeps v2 runs, including ones only listed as dirty, and adds an empty registry', async () => {
    const run: StoredRun = {
      info: { runId: 'd'.repeat(32), experimentId: '0', runName: 'v2-run', userId: 'u', status: 'KILLED', startTime: 5,
        endTime: 6, lifecycleStage: 'active', deletedTime: null, artifactUri: 'mlflow-artifacts:/0/d/artifacts' },
      params: { alpha: '0.5' }, tags: { 'mlflow.runName': 'v2-run' },
      metrics: { rmse: { latest: 0.79, step: 0, timestamp: 5, min: 0.79, max: 0.79, count: 1 } }, inputs: [],
    };
    const name = await upgradeCase(2, async (db) => {
      await db.put('runs', run);
      await db.put('runDirty', 1, run.info.runId);
    }, async (s) => {
      expect(await s.getRun(run.info.runId)).toEqual(run);
    });
    const db = await openDB(name);
    expect(await db.count('registeredModels')).toBe(0);
    db.close();
  });
});

describe('v3 → v4 (servers and mirror outbox)', () => {
  it('S9: keeps v3 runs and registry and adds empty server, outbox and mirror stores', async () => {
    const run: StoredRun = {
      info: { runId: 'e'.repeat(32), experimentId: '0', runName: 'v3-run', userId: 'u', status: 'FINISHED', startTime: 5,
        endTime: 6, lifecycleStage: 'active', deletedTime: null, artifactUri: 'mlflow-artifacts:/0/e/artifacts' },
      params: {}, tags: { 'mlflow.runName': 'v3-run' }, metrics: {}, inputs: [],
    };
    const name = await upgradeCase(3, async (db) => {
      await db.put('runs', run);
      await db.put('runDirty', 1, run.info.runId);
      await db.put('registeredModels', { name: 'wine', versions: [], aliases: {}, tags: {}, nextVersion: 1 });
    }, async (s) => {
      expect(await s.getRun(run.info.runId)).toEqual(run);
    });
    const db = await openDB(name);
    expect(await db.count('registeredModels')).toBe(1);
    for (const store of ['remoteServers', 'outbox', 'mirrors']) expect(await db.count(store)).toBe(0);
    db.close();
  });
});

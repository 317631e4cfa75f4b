import { afterEach, describe, expect, it } from 'vitest';
import { TrackingStore } from '../../src/lib/storage/tracking-store';
import { Fluent } from '../../src/lib/tracking/fluent';
import { checkUserName, USER_NAME_MAX } from '../../src/lib/tracking/user-name';
import { leaderboard, leaderboardMetrics } from '../../src/lib/ui-model/leaderboard';

let n = 0;
const stores: TrackingStore[] = [];
afterEach(() => { for (const s of stores.splice(0)) s.close(); });
async function open(defaultUser?: string): Promise<TrackingStore> {
  const s = await TrackingStore.open({ dbName: `teach-${n++}-${Date.now()}`, defaultUser });
  stores.push(s);
  return s;
}

describe('the user name', () => {
  it('is trimmed, and an empty, long or control-character name is refused with a reason', () => {
    expect(checkUserName('  Ada   Lovelace ')).toBe('Ada Lovelace');
    expect(() => checkUserName('   ')).toThrow(/Type a name/);
    expect(() => checkUserName('x'.repeat(USER_NAME_MAX + 1))).toThrow(`at most ${USER_NAME_MAX} characters; this one has ${USER_NAME_MAX + 1}`);
    expect(() => checkUserName('a\u0007b')).toThrow(/control characters/);
  });

  it('is mlflow.user of runs created after it is set, and changing it leaves earlier runs alone', async () => {
    const store = await open();
    const m = new Fluent(store);
    const before = await m.startRun();
    await m.endRun();
    store.setDefaultUser('ada');
    const during = await m.startRun();
    await m.endRun();
    store.setDefaultUser('grace');
    const after = await m.startRun();
    await m.endRun();
    store.setDefaultUser(undefined);
    const cleared = await m.startRun();
    await m.endRun();
    const run = (id: string) => store.listRuns().find((r) => r.info.runId === id)!;
    expect(run(before.runId).info.userId).toBe('browser');
    expect(run(during.runId).info.userId).toBe('ada');
    expect(run(during.runId).tags['mlflow.user']).toBe('ada');
    expect(run(after.runId).tags['mlflow.user']).toBe('grace');
    expect(run(cleared.runId).info.userId).toBe('browser');
    // Still ada after a reopen: it is stored on the run, not read from the setting.
    expect((await store.getRun(during.runId)).info.userId).toBe('ada');
  });

  it('gives way to a user a run names itself', async () => {
    const store = await open('ada');
    const m = new Fluent(store);
    const r = await m.startRun({ tags: { 'mlflow.user': 'bot' } });
    await m.endRun();
    expect(store.listRuns().find((x) => x.info.runId === r.runId)!.info.userId).toBe('bot');
  });
});

describe('the leaderboard', () => {
  async function classRuns(): Promise<TrackingStore> {
    const store = await open();
    const m = new Fluent(store);
    const log = async (user: string, rmse: number | null, r2: number) => {
      store.setDefaultUser(user);
      await m.startRun();
      if (rmse !== null) await m.logMetric('rmse', rmse);
      await m.logMetric('r2', r2);
      await m.endRun();
    };
    await log('ada', 0.79, 0.11);
    await log('ada', 0.66, 0.36);
    await log('bob', 0.70, 0.40);
    await log('cy', 0.81, 0.05);
    await log('cy', NaN, 0.5);
    await log('dee', null, 0.2);
    return store;
  }

  it('ranks an error ascending: each person once, with their best run', async () => {
    const b = leaderboard((await classRuns()).listRuns(), 'rmse');
    expect(b.ascending).toBe(true);
    expect(b.rows.map((r) => [r.user, r.value, r.scored, r.runs])).toEqual([['ada', 0.66, 2, 2], ['bob', 0.7, 1, 1], ['cy', 0.81, 1, 2]]);
    expect(b.rows[0].best.metrics.rmse.latest).toBe(0.66);
    expect(b.unscored).toEqual([{ user: 'dee', runs: 1 }]);
  });

  it('ranks a score descending, and a chosen direction wins over the name', async () => {
    const runs = (await classRuns()).listRuns();
    expect(leaderboard(runs, 'r2').rows.map((r) => [r.user, r.value])).toEqual([['cy', 0.5], ['bob', 0.4], ['ada', 0.36], ['dee', 0.2]]);
    expect(leaderboard(runs, 'r2', 'asc').rows.map((r) => r.user)).toEqual(['cy', 'ada', 'dee', 'bob']);
    expect(leaderboardMetrics(runs)).toEqual(['r2', 'rmse']);
    // Among metrics every run has, the one people read first leads (not the alphabet's first).
    const all = runs.filter((r) => r.metrics.rmse !== undefined);
    expect(leaderboardMetrics(all)).toEqual(['rmse', 'r2']);
  });
});

describe('what Reset lab erases', () => {
  it('is the lab\'s own databases, caches, settings and service worker, not a neighbour\'s on the same origin', async () => {
    const { isLabCache, isLabDatabase, isLabRegistration, isLabStorageKey } = await import('../../src/lib/storage/lab-footprint');
    expect(['mfflow', 'mfflow-test-1', 'other', 'mfflowish', 'tensorflowjs'].filter(isLabDatabase)).toEqual(['mfflow', 'mfflow-test-1']);
    expect(['mfflow-shell-abc', 'mfflow-datasets', 'workbox-precache'].filter(isLabCache)).toEqual(['mfflow-shell-abc', 'mfflow-datasets']);
    expect(['mfflow:user', 'mfflow.serve.model', 'mfflow:tour', 'theme', 'mfflowx'].filter(isLabStorageKey)).toEqual(['mfflow:user', 'mfflow.serve.model', 'mfflow:tour']);
    expect(isLabRegistration('https://h.example/lab/', 'https://h.example/lab/index.html')).toBe(true);
    expect(isLabRegistration('https://h.example/', 'https://h.example/lab/')).toBe(false);
    expect(isLabRegistration('https://h.example/lab/other/', 'https://h.example/lab/')).toBe(false);
  });
});

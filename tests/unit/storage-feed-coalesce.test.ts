/**
 * The change feed merges its notices to other tabs (BROADCAST_MS): a burst of commits, as a
 * sweep makes, reaches another store as a few messages that still name every run written, while
 * this store's own listeners keep hearing each commit at once.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TrackingStore } from '../../src/lib/storage/tracking-store';
import { BROADCAST_MS, type StoreChange } from '../../src/lib/storage/change-feed';
import { cols, uniqueDbName } from './storage-helpers';

const open: TrackingStore[] = [];
async function store(dbName: string) {
  const s = await TrackingStore.open({ dbName });
  open.push(s);
  return s;
}
afterEach(() => { vi.useRealTimers(); for (const s of open.splice(0)) s.close(); });

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('change notices to other tabs are merged', () => {
  it('a burst of 60 commits reaches another store as a few notices naming every run, with every write re-read', async () => {
    const name = uniqueDbName('coalesce');
    const a = await store(name);
    const b = await store(name);
    const remote: StoreChange[] = [];
    b.subscribe((c) => { if (c.origin === 'remote') remote.push(c); });
    const local: StoreChange[] = [];
    a.subscribe((c) => local.push(c));

    const runs = await Promise.all(Array.from({ length: 20 }, (_, i) => a.createRun({ experimentId: '0', runName: `r${i}` })));
    await Promise.all(runs.map((r, i) => a.logBatch(r.runId, { params: [{ key: 'i', value: String(i) }], metrics: [cols('loss', [[0, i, 1]])] })));
    await Promise.all(runs.map((r) => a.updateRun(r.runId, { status: 'FINISHED', endTime: 2 })));
    expect(local).toHaveLength(60); // every local commit told here, one notice each

    const ids = runs.map((r) => r.runId).sort();
    for (let waited = 0; waited < 2000 && new Set(remote.flatMap((c) => c.runIds)).size < ids.length; waited += 20) await sleep(20);
    await sleep(BROADCAST_MS * 3); // and the last window's notice, if one is still coming
    expect([...new Set(remote.flatMap((c) => c.runIds))].sort()).toEqual(ids);
    expect(remote.length).toBeLessThan(10);
    for (const [i, r] of runs.entries()) {
      const seen = await b.getRun(r.runId);
      expect(seen.params).toEqual({ i: String(i) });
      expect(seen.info.status).toBe('FINISHED');
      expect(seen.metrics.loss.latest).toBe(i);
    }
  });

  it('a commit after a quiet window is told at once; one inside the window waits for its end', async () => {
    const name = uniqueDbName('coalesce-leading');
    const a = await store(name);
    const b = await store(name);
    const remote: StoreChange[] = [];
    b.subscribe((c) => { if (c.origin === 'remote') remote.push(c); });
    await sleep(BROADCAST_MS * 2); // quiet: what opening the stores wrote has been told
    remote.length = 0;
    // The window's timer and clock stand still: only a notice sent at once can arrive.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const first = await a.createRun({ experimentId: '0', runName: 'alias set, then the tab closed' });
    // Polled with setImmediate: vi.waitFor would advance the fake timers and send the window's notice itself.
    for (let i = 0; i < 2000 && remote.length === 0; i++) await new Promise<void>((r) => setImmediate(r));
    expect(remote.flatMap((c) => c.runIds)).toEqual([first.runId]);
    const second = await a.createRun({ experimentId: '0', runName: 'inside the window' });
    await new Promise<void>((r) => setImmediate(r));
    await new Promise<void>((r) => setImmediate(r));
    expect(remote.flatMap((c) => c.runIds)).toEqual([first.runId]);
    vi.advanceTimersByTime(BROADCAST_MS);
    await vi.waitFor(() => expect(remote.flatMap((c) => c.runIds)).toEqual([first.runId, second.runId]), { timeout: 2000, interval: 5 });
  });

  it('a store that closes before the window ends still tells the others what it wrote', async () => {
    const name = uniqueDbName('coalesce-close');
    const a = await store(name);
    const b = await store(name);
    const heard = new Promise<StoreChange>((resolve) => b.subscribe((c) => { if (c.origin === 'remote') resolve(c); }));
    const { runId } = await a.createRun({ experimentId: '0', runName: 'last words' });
    a.close();
    expect((await heard).runIds).toEqual([runId]);
    expect((await b.getRun(runId)).info.runName).toBe('last words');
  });
});

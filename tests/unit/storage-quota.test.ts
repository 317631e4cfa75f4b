import { afterEach, describe, expect, it } from 'vitest';
import { openDB } from 'idb';
import { TrackingStore } from '../../src/lib/storage/tracking-store';
import { StorageQuotaError, classifyStorageError, type StorageErrorKind } from '../../src/lib/storage/errors';
import { CHUNK_POINTS } from '../../src/lib/storage/metric-columns';
import { cols, uniqueDbName } from './storage-helpers';

const quota = (message = '') => new DOMException(message, 'QuotaExceededError');

describe('classifyStorageError', () => {
  const cases: [string, unknown, unknown, StorageErrorKind][] = [
    ['plain QuotaExceededError DOMException', quota('quota'), undefined, 'quota'],
    ['QuotaExceededError with an empty message (Chrome)', quota(), undefined, 'quota'],
    ['AbortError wrapping it as .inner (Dexie)', { name: 'AbortError', message: 'aborted', inner: quota() }, undefined, 'quota'],
    ['AbortError thrown, quota only on tx.error', new DOMException('', 'AbortError'), quota(), 'quota'],
    ['abort event whose target transaction has the error', { type: 'abort', target: { error: quota() } }, undefined, 'quota'],
    ['an IDBTransaction-like object with .error', { error: quota() }, undefined, 'quota'],
    ['Error with cause', new Error('save failed', { cause: quota() }), undefined, 'quota'],
    ['Firefox legacy name', { name: 'NS_ERROR_DOM_QUOTA_REACHED' }, undefined, 'quota'],
    ['plain AbortError', new DOMException('', 'AbortError'), null, 'other'],
    ['ConstraintError', new DOMException('key exists', 'ConstraintError'), undefined, 'other'],
    ['closing connection (Safari, Chrome)', new DOMException('The database connection is closing.', 'InvalidStateError'), undefined, 'connection-lost'],
    ['server lost (WebKit)', new DOMException('Connection to Indexed Database server lost. Refresh the page to try again', 'UnknownError'), undefined, 'connection-lost'],
    ['a string', 'QuotaExceededError', undefined, 'other'],
    ['null', null, undefined, 'other'],
    ['a TypeError', new TypeError('x is undefined'), undefined, 'other'],
  ];
  it.each(cases)('S2: %s', (_label, error, txError, expected) => {
    expect(classifyStorageError(error, txError)).toBe(expected);
  });
});

/**
 * Fault injection at the IndexedDB seam: the Nth `put` into `storeName` fails the way Chromium
 * fails on quota (the transaction aborts, tx.error = QuotaExceededError, requests get AbortError)
 * or with a synchronous throw.
 */
type Flavour = 'abort' | 'throw';
let restore: (() => void) | null = null;
function injectQuota(storeName: string, failAtPut: number, flavour: Flavour): void {
  const proto = IDBObjectStore.prototype;
  const original = proto.put;
  let puts = 0;
  proto.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
    if (this.name === storeName && ++puts === failAtPut) {
      if (flavour === 'throw') throw quota();
      const req = original.apply(this, args);
      // fake-indexeddb's internal abort-with-error, the shape Chromium produces on quota.
      (this.transaction as unknown as { _abort(name: string): void })._abort('QuotaExceededError');
      return req;
    }
    return original.apply(this, args);
  };
  restore = () => { proto.put = original; };
}
afterEach(() => { restore?.(); restore = null; });

describe.each<Flavour>(['abort', 'throw'])('quota failure (%s): nothing half-written', (flavour) => {
  it('S1: a metric batch that fails mid-way leaves the run, its chunks and the cache as they were', async () => {
    const dbName = uniqueDbName('quota');
    const s = await TrackingStore.open({ dbName });
    const { runId } = await s.createRun({ experimentId: '0' });
    const first = Array.from({ length: 10 }, (_, i) => [i, i, i] as [number, number, number]);
    await s.logBatch(runId, { params: [{ key: 'a', value: '1' }], metrics: [cols('loss', first)] });
    const before = await s.getRun(runId);

    // More than a chunk holds: the open chunk is rewritten (put 1), then a new chunk (put 2) fails.
    const big = Array.from({ length: CHUNK_POINTS + 500 }, (_, i) => [100 + i, i, 100 + i] as [number, number, number]);
    injectQuota('metricChunks', 2, flavour);
    const err = await s.logBatch(runId, {
      params: [{ key: 'b', value: '2' }], tags: [{ key: 't', value: 'x' }], metrics: [cols('loss', big)],
    }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(StorageQuotaError);
    const count = big.length.toLocaleString('en-US');
    expect((err as Error).message).toMatch(new RegExp(`^Could not save ${count} points of metric \`loss\`.*, 1 param\\(s\\), 1 tag\\(s\\) for run [0-9a-f]{8}…: the browser's storage quota is full\\. Export or delete old runs`));
    restore?.(); restore = null;

    expect(await s.getRun(runId)).toEqual(before); // cache untouched
    const fresh = await TrackingStore.open({ dbName });
    expect(await fresh.getRun(runId)).toEqual(before); // database untouched
    expect((await fresh.getMetricHistory(runId, 'loss')).values.length).toBe(10);
    const raw = await openDB(dbName);
    const chunks = await raw.getAll('metricChunks', IDBKeyRange.bound([runId, 'loss', 0], [runId, 'loss', Infinity]));
    raw.close();
    expect(chunks.map((c) => c.values.length)).toEqual([10]);
    fresh.close();

    // The same write succeeds once space is available again (the connection is reopened first).
    await s.logBatch(runId, { params: [{ key: 'b', value: '2' }], metrics: [cols('loss', big)] });
    expect((await s.getRun(runId)).metrics.loss.count).toBe(big.length + 10);
    s.close();
  });

  it('S1: an artifact that fails on its second chunk leaves no entry and no chunks', async () => {
    const dbName = uniqueDbName('quota-art');
    const s = await TrackingStore.open({ dbName });
    const { runId } = await s.createRun({ experimentId: '0' });
    injectQuota('artifactChunks', 2, flavour);
    const bytes = new Uint8Array(10 * 1024 * 1024);
    const err = await s.logArtifact(runId, 'model/weights.bin', bytes).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(StorageQuotaError);
    expect((err as Error).message).toContain('artifact "model/weights.bin" (10,485,760 bytes)');
    restore?.(); restore = null;
    expect(await s.listArtifacts(runId)).toEqual([]);
    const raw = await openDB(dbName);
    expect(await raw.count('artifactChunks')).toBe(0);
    expect(await raw.count('artifacts')).toBe(0);
    raw.close();
    s.close();
  });
});

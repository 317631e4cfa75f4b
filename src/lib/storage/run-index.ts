/**
 * Keeps the run index (run-index-codec.ts) right without making it the source of truth.
 *
 * The per-run records in `runs` stay authoritative. The index is a snapshot of them, and
 * `runDirty` names every run written since that snapshot: each transaction that puts a run
 * record also puts its id there (putRunRecords is the one way to do it). So at any moment
 * runs = index ∪ (dirty ids → their records), and open reads one big record plus the few
 * dirty ones.
 *
 * Rewriting the index happens in ONE readwrite transaction that re-reads the dirty ids and
 * their records, encodes, puts the new index and clears the dirty set. A write from another tab
 * either commits before it (its id is read and its record encoded) or after it (its id lands in
 * the fresh dirty set), so none is lost. Each index has a random generation; a store only
 * rewrites the index its cache was built on, because after another tab's rewrite it can no
 * longer tell which of its cached runs that tab's clear made invisible.
 */
import type { IDBPTransaction } from 'idb';
import { newRunId } from '../tracking/ids';
import { decodeRunIndex, encodeRunIndex, RUN_INDEX_FORMAT, RunIndexCorruptError } from './run-index-codec';
import type { Connection } from './db';
import type { RunIndexBodyRecord, RunIndexHeader, StoreName, StoredRun, TrackingDBSchema } from './schema';

type AnyTx<M extends IDBTransactionMode> = IDBPTransaction<TrackingDBSchema, StoreName[], M>;

/**
 * Puts (or adds) run records and marks them dirty, in the caller's transaction, whose scope
 * must include `runs` and `runDirty`. Every request is issued before any is awaited.
 */
export function putRunRecords<S extends StoreName[]>(txIn: IDBPTransaction<TrackingDBSchema, S, 'readwrite'>,
  runs: readonly StoredRun[], how: 'put' | 'add' = 'put'): Promise<unknown[]> {
  const tx = txIn as unknown as AnyTx<'readwrite'>;
  const store = tx.objectStore('runs');
  const dirty = tx.objectStore('runDirty');
  const pending: Promise<unknown>[] = [];
  for (const r of runs) {
    for (const p of [how === 'add' ? store.add(r) : store.put(r), dirty.put(1, r.info.runId)]) {
      p.catch(() => {}); // observed through Promise.all; avoids unhandled rejections after an abort
      pending.push(p);
    }
  }
  return Promise.all(pending);
}

/** Stores a load transaction reads. */
export const LOAD_STORES = ['runs', 'runDirty', 'runIndex'] as const satisfies readonly StoreName[];

export interface LoadedRuns {
  runs: StoredRun[];
  /** Generation of the index the runs were built on (null: none, or unreadable). */
  generation: string | null;
  /** How many runs were dirty. */
  dirty: number;
  /** False when no usable index existed and every record was read. */
  fromIndex: boolean;
}

function validHeader(h: unknown): h is RunIndexHeader {
  const x = h as RunIndexHeader | undefined;
  return typeof x === 'object' && x !== null && typeof x.generation === 'string' && x.format === RUN_INDEX_FORMAT &&
    Number.isSafeInteger(x.count);
}

/**
 * Every run, read inside `txIn` (scope ⊇ LOAD_STORES): the index plus dirty records when an
 * index exists and few runs are dirty, else every record. A damaged index is ignored.
 */
export async function loadRuns<S extends StoreName[]>(txIn: IDBPTransaction<TrackingDBSchema, S, IDBTransactionMode>): Promise<LoadedRuns> {
  const tx = txIn as unknown as AnyTx<'readonly'>;
  const runStore = tx.objectStore('runs');
  const [header, dirtyIds] = await Promise.all([tx.objectStore('runIndex').get('header'), tx.objectStore('runDirty').getAllKeys()]);
  const generation = validHeader(header) ? header.generation : null;
  // Reading dirty records one by one costs about what getAll costs per record: past half, read all.
  if (validHeader(header) && dirtyIds.length <= Math.max(1000, header.count / 2)) {
    const [bodyRec, ...records] = await Promise.all([
      tx.objectStore('runIndex').get('body') as Promise<RunIndexBodyRecord | undefined>,
      ...dirtyIds.map((id) => runStore.get(id)),
    ]);
    try {
      if (!bodyRec || bodyRec.generation !== header.generation) throw new RunIndexCorruptError('body of another generation');
      const base = decodeRunIndex(bodyRec.body);
      if (base.length !== header.count) throw new RunIndexCorruptError('run count');
      return { runs: merge(base, dirtyIds, records), generation, dirty: dirtyIds.length, fromIndex: true };
    } catch (e) {
      if (!(e instanceof RunIndexCorruptError) && !(e instanceof SyntaxError)) throw e;
      console.warn('Ignoring the run index:', e);
    }
  }
  return { runs: await runStore.getAll(), generation, dirty: dirtyIds.length, fromIndex: false };
}

/** `base` with the dirty records swapped in (a dirty id without a record is a run that is gone). */
function merge(base: StoredRun[], ids: readonly string[], records: readonly (StoredRun | undefined)[]): StoredRun[] {
  if (ids.length === 0) return base;
  const byId = new Map<string, StoredRun | undefined>();
  ids.forEach((id, i) => byId.set(id, records[i]));
  const out: StoredRun[] = [];
  for (const r of base) {
    if (!byId.has(r.info.runId)) out.push(r);
  }
  for (const r of records) if (r) out.push(r);
  return out;
}

export interface RewriteResult {
  generation: string;
  /** Records re-read inside the transaction (newer than or equal to the cache's). */
  fresh: Map<string, StoredRun | undefined>;
  /** performance.now() around the encoding (the page is busy meanwhile). */
  encodeStart: number;
  encodeEnd: number;
  count: number;
}

/**
 * Writes a new index from `cache` plus the dirty records re-read inside the same transaction,
 * and clears the dirty set. Returns null, writing nothing, when the stored index is no longer
 * `baseGeneration` (another tab rewrote it).
 */
export function rewriteRunIndex(conn: Connection, cache: ReadonlyMap<string, StoredRun>, baseGeneration: string | null,
  now: number): Promise<RewriteResult | null> {
  return conn.write(['runs', 'runDirty', 'runIndex'], () => 'the run index', async (tx) => {
    const index = tx.objectStore('runIndex');
    const dirty = tx.objectStore('runDirty');
    const header = await index.get('header');
    if ((validHeader(header) ? header.generation : null) !== baseGeneration) return null;
    const ids = await dirty.getAllKeys();
    const fresh = new Map<string, StoredRun | undefined>();
    if (ids.length > cache.size / 2) {
      for (const id of ids) fresh.set(id, undefined);
      for (const r of await tx.objectStore('runs').getAll()) if (fresh.has(r.info.runId)) fresh.set(r.info.runId, r);
    } else {
      const records = await Promise.all(ids.map((id) => tx.objectStore('runs').get(id)));
      ids.forEach((id, i) => fresh.set(id, records[i]));
    }
    const t0 = performance.now();
    const runs: StoredRun[] = [];
    for (const [id, r] of cache) if (!fresh.has(id)) runs.push(r);
    for (const r of fresh.values()) if (r) runs.push(r);
    const body = encodeRunIndex(runs);
    const encodeEnd = performance.now();
    const generation = newRunId();
    const head: RunIndexHeader = { generation, format: RUN_INDEX_FORMAT, count: runs.length, writtenAt: now };
    const record: RunIndexBodyRecord = { generation, body };
    await index.put(record, 'body');
    await index.put(head, 'header');
    // The dirty set can be cleared whole: this transaction read all of it and holds it locked.
    await dirty.clear();
    return { generation, fresh, encodeStart: t0, encodeEnd, count: runs.length };
  }, 'relaxed');
}

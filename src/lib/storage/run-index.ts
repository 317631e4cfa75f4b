/**
 * Keeps the run index (run-index-codec.ts) right without making it the source of truth.
 *
 * The per-run records in `runs` stay authoritative. The index is a snapshot of them, and
 * `runDirty` names every run written since that snapshot: each transaction that puts a run
 * record also puts its id there (putRunRecords, or issueRunRecords for small writes, is the one way to do it). So at any moment
 * runs = index ∪ (dirty ids → their records), and open reads one big record plus the few
 * dirty ones.
 *
 * Without a usable index (a v1 database, an import of many runs, a damaged index), open reads
 * every record and writes the index in that same transaction. Later rewrites (after many
 * writes) happen in ONE readwrite transaction that re-reads the dirty ids and their records,
 * encodes, puts the new index and clears the dirty set. A write from another tab
 * either commits before it (its id is read and its record encoded) or after it (its id lands in
 * the fresh dirty set), so none is lost. Each index has a random generation; a store only
 * rewrites the index its cache was built on, because after another tab's rewrite it can no
 * longer tell which of its cached runs that tab's clear made invisible.
 */
import type { IDBPTransaction } from 'idb';
import { newRunId } from '../tracking/ids';
import { decodeRunIndex, encodeRunIndex, RUN_INDEX_FORMAT, RunIndexCorruptError } from './run-index-codec';
import { issuePuts, type Connection } from './db';
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

/**
 * putRunRecords for the small writes of a running run (an edit, a new run): the same puts,
 * issued without a promise each (db.ts issuePuts); a failed put fails the transaction.
 */
export function issueRunRecords<S extends StoreName[]>(txIn: IDBPTransaction<TrackingDBSchema, S, 'readwrite'>,
  runs: readonly StoredRun[], how: 'put' | 'add' = 'put'): void {
  const tx = txIn as unknown as AnyTx<'readwrite'>;
  issuePuts(tx.objectStore('runs'), runs, how);
  issuePuts(tx.objectStore('runDirty'), runs.map(() => 1), 'put', runs.map((r) => r.info.runId));
}

/** Stores a load transaction reads. */
export const LOAD_STORES = ['runs', 'runDirty', 'runIndex'] as const satisfies readonly StoreName[];

export interface LoadedRuns {
  runs: StoredRun[];
  /** Generation of the index the runs were built on (null: none could be written). */
  generation: string | null;
  /** How many runs were dirty. */
  dirty: number;
  /** False when every record was read (and the index written from them). */
  fromIndex: boolean;
}

function validHeader(h: unknown): h is RunIndexHeader {
  const x = h as RunIndexHeader | undefined;
  return typeof x === 'object' && x !== null && typeof x.generation === 'string' && x.format === RUN_INDEX_FORMAT &&
    Number.isSafeInteger(x.count);
}

/**
 * Every run from the index plus the dirty records, read inside `txIn` (scope ⊇ LOAD_STORES).
 * Null when there is no usable index or so many runs are dirty that reading every record is
 * as cheap (one by one, a record costs about what getAll costs per record).
 */
export async function loadRunsFromIndex<S extends StoreName[]>(
  txIn: IDBPTransaction<TrackingDBSchema, S, IDBTransactionMode>): Promise<LoadedRuns | null> {
  const tx = txIn as unknown as AnyTx<'readonly'>;
  const t0 = performance.now();
  const index = tx.objectStore('runIndex');
  // The body is requested at once, not after the header: one round trip less on every open.
  const body = index.get('body') as Promise<RunIndexBodyRecord | undefined>;
  body.catch(() => {}); // awaited below, unless we return early
  const [header, dirtyIds] = await Promise.all([index.get('header'), tx.objectStore('runDirty').getAllKeys()]);
  if (!validHeader(header) || dirtyIds.length > Math.max(1000, header.count / 2)) return null;
  const runStore = tx.objectStore('runs');
  const [bodyRec, ...records] = await Promise.all([body, ...dirtyIds.map((id) => runStore.get(id))]);
  const t1 = performance.now();
  measure('mfflow:run-index-read', t0, t1);
  try {
    if (!bodyRec || bodyRec.generation !== header.generation) throw new RunIndexCorruptError('body of another generation');
    const base = decodeRunIndex(bodyRec.body);
    measure('mfflow:run-index-decode', t1);
    if (base.length !== header.count) throw new RunIndexCorruptError('run count');
    return { runs: merge(base, dirtyIds, records), generation: header.generation, dirty: dirtyIds.length, fromIndex: true };
  } catch (e) {
    if (!(e instanceof RunIndexCorruptError) && !(e instanceof SyntaxError)) throw e;
    console.warn('Ignoring the run index:', e);
    return null;
  }
}

/**
 * Reads every run record and, in the same transaction, writes the index from them and clears
 * the dirty set. Doing it here rather than later saves reading every record a second time
 * (a later transaction could not tell which cached runs another tab wrote meanwhile); it adds
 * the encoding to this (already slow) open. If the index cannot be written (quota), the runs
 * read are still returned, with no generation.
 */
export async function loadAllRunsAndWriteIndex(conn: Connection, now: number): Promise<LoadedRuns> {
  let read: { runs: StoredRun[]; dirty: number } | null = null;
  try {
    const generation = await conn.write(['runs', 'runDirty', 'runIndex'], () => 'the run index', async (tx) => {
      const [runs, dirty] = await Promise.all([tx.objectStore('runs').getAll(), tx.objectStore('runDirty').count()]);
      read = { runs, dirty };
      return putIndex(tx, runs, now);
    }, 'relaxed');
    return { ...read!, generation, fromIndex: false };
  } catch (e) {
    if (!read) throw e;
    console.warn('Could not write the run index', e);
    return { ...(read as { runs: StoredRun[]; dirty: number }), generation: null, fromIndex: false };
  }
}

type IndexTx = IDBPTransaction<TrackingDBSchema, ['runs', 'runDirty', 'runIndex'], 'readwrite'>;

/** Encodes `runs`, puts the index and clears the dirty set; returns the new generation. */
async function putIndex(tx: IndexTx, runs: StoredRun[], now: number): Promise<string> {
  const t0 = performance.now();
  const body = encodeRunIndex(runs);
  measure('mfflow:run-index-encode', t0);
  const generation = newRunId();
  const head: RunIndexHeader = { generation, format: RUN_INDEX_FORMAT, count: runs.length, writtenAt: now };
  const record: RunIndexBodyRecord = { generation, body };
  const index = tx.objectStore('runIndex');
  await index.put(record, 'body');
  await index.put(head, 'header');
  // The dirty set can be cleared whole: this transaction read what it needed and holds it locked.
  await tx.objectStore('runDirty').clear();
  return generation;
}

/** A User Timing entry, for the bench (bench/suites/10-tracking.mjs reads these names). */
export function measure(name: string, start: number, end = performance.now()): void {
  if (typeof performance.measure === 'function') {
    try { performance.measure(name, { start, end }); } catch { /* not supported */ }
  }
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
}

/**
 * Writes a new index from `cache` plus the dirty records re-read inside the same transaction,
 * and clears the dirty set. Returns null, writing nothing, when the stored index is no longer
 * `baseGeneration` (another tab rewrote it).
 */
export function rewriteRunIndex(conn: Connection, cache: ReadonlyMap<string, StoredRun>, baseGeneration: string | null,
  now: number): Promise<RewriteResult | null> {
  return conn.write(['runs', 'runDirty', 'runIndex'], () => 'the run index', (tx) => rebuildRunIndex(tx, cache, baseGeneration, now), 'relaxed');
}

/**
 * rewriteRunIndex's work inside the caller's readwrite transaction (scope ⊇ runs, runDirty,
 * runIndex), so a writer of many runs (an import) leaves an index that already holds them and
 * the next open reads one record instead of every run. `known` are records this transaction
 * put (dirty, but not re-read); every other dirty id is re-read. Null, writing nothing, when
 * the stored index is not `baseGeneration`.
 */
export async function rebuildRunIndex<S extends StoreName[]>(txIn: IDBPTransaction<TrackingDBSchema, S, 'readwrite'>,
  cache: ReadonlyMap<string, StoredRun>, baseGeneration: string | null, now: number,
  known: readonly StoredRun[] = []): Promise<RewriteResult | null> {
  const tx = txIn as unknown as IndexTx;
  const header = await tx.objectStore('runIndex').get('header');
  if ((validHeader(header) ? header.generation : null) !== baseGeneration) return null;
  const ids = await tx.objectStore('runDirty').getAllKeys();
  const fresh = new Map<string, StoredRun | undefined>();
  for (const r of known) fresh.set(r.info.runId, r);
  const unknown = ids.filter((id) => !fresh.has(id));
  if (unknown.length > cache.size / 2) {
    const wanted = new Set(unknown);
    for (const id of unknown) fresh.set(id, undefined);
    for (const r of await tx.objectStore('runs').getAll()) if (wanted.has(r.info.runId)) fresh.set(r.info.runId, r);
  } else {
    const records = await Promise.all(unknown.map((id) => tx.objectStore('runs').get(id)));
    unknown.forEach((id, i) => fresh.set(id, records[i]));
  }
  const runs: StoredRun[] = [];
  for (const [id, r] of cache) if (!fresh.has(id)) runs.push(r);
  for (const r of fresh.values()) if (r) runs.push(r);
  return { generation: await putIndex(tx, runs, now), fresh };
}

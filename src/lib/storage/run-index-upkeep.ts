/**
 * When a store rewrites the run index (run-index.ts): shortly after an open that found many
 * runs written since the index (or could not write one), and after the store itself wrote that
 * many. Rewrites are chained, never concurrent, and dropped when the store closes.
 */
import type { IDBPTransaction } from 'idb';
import type { Connection } from './db';
import { measure, rebuildRunIndex, rewriteRunIndex, type LoadedRuns, type RewriteResult } from './run-index';
import type { StoreName, StoredRun, TrackingDBSchema } from './schema';

export interface UpkeepOptions {
  /** Delay before a rewrite the store decides on; default 3,000 ms. Negative: never on its own. */
  delayMs?: number;
  /** More dirty runs than this call for a rewrite; default 2,000. */
  dirtyLimit?: number;
}

export class RunIndexUpkeep {
  /** Generation of the index the cache was built on or last wrote; null: none. */
  private generation: string | null = null;
  /** Runs written since that index, as far as this store knows (others' writes are not counted). */
  private dirtyCount = 0;
  private readonly dirtyHere = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private chain: Promise<boolean> = Promise.resolve(false);
  private closed = false;

  constructor(private readonly conn: Connection, private readonly cache: Map<string, StoredRun>,
    private readonly now: () => number, private readonly options: UpkeepOptions) {}

  private get dirtyLimit(): number {
    return this.options.dirtyLimit ?? 2000;
  }

  /** After open filled the cache. */
  loaded(l: LoadedRuns): void {
    this.generation = l.generation;
    this.dirtyCount = l.fromIndex ? l.dirty : 0;
    if (l.generation === null || this.dirtyCount > this.dirtyLimit) this.schedule();
  }

  /** After this store committed writes to these runs (they are in runDirty now). */
  written(runIds: readonly string[]): void {
    for (const id of runIds) {
      if (this.dirtyHere.has(id)) continue;
      this.dirtyHere.add(id);
      if (++this.dirtyCount > this.dirtyLimit) this.schedule();
    }
  }

  private schedule(): void {
    const delay = this.options.delayMs ?? 3000;
    if (delay < 0 || this.timer !== null || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.rewrite().catch((e: unknown) => console.warn('Could not write the run index', e));
    }, delay);
    (this.timer as { unref?: () => void }).unref?.(); // never keeps Node (tests) alive
  }

  /** Rewrites the index now; false when another store rewrote it since this cache was built. */
  rewrite(): Promise<boolean> {
    const next = this.chain.catch(() => false).then(async () => {
      const t0 = performance.now();
      const res = await rewriteRunIndex(this.conn, this.cache, this.generation, this.now());
      if (!res) return false;
      this.adopt(res);
      measure('mfflow:run-index-written', t0);
      return true;
    });
    this.chain = next;
    return next;
  }

  /**
   * For a writer of `runs` new records in one transaction (an import): whether they would make
   * this store rewrite the index anyway, so the writer should rather write it itself (inTx).
   */
  wouldRewriteAfter(runs: number): boolean {
    return this.dirtyCount + runs > this.dirtyLimit;
  }

  /**
   * Writes the index inside the writer's transaction, with `written` (records it put) in it.
   * Call `adopt` with the result once that transaction has committed (and after `written`).
   */
  inTx<S extends StoreName[]>(tx: IDBPTransaction<TrackingDBSchema, S, 'readwrite'>, written: readonly StoredRun[]): Promise<RewriteResult | null> {
    return rebuildRunIndex(tx, this.cache, this.generation, this.now(), written);
  }

  /** After a committed rewrite: the cache holds what the index holds, and nothing is dirty. */
  adopt(res: RewriteResult): void {
    // Records read inside the rewrite are at least as new as the cache's (another tab's write
    // may not have been broadcast yet); the index now holds them, so the cache must too.
    for (const [id, r] of res.fresh) {
      if (r) this.cache.set(id, r);
      else this.cache.delete(id);
    }
    this.generation = res.generation;
    this.dirtyCount = 0;
    this.dirtyHere.clear();
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  close(): void {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

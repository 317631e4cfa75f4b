/**
 * The metric chunks of a big import, written while the bundle workers are still decoding the
 * archive (lib/bundles/import-lanes.ts sends each batch of decoded metric files here as it is
 * ready). Written at the end, in the import's one transaction, a 1,000-run lab's 10,000 chunks
 * (~120 MB) kept IndexedDB busy ~1.1 s after the workers were done, with a core idle; written
 * here, that time overlaps the decoding.
 *
 * Why it is still all-or-nothing: a chunk is reached only through its run record, and run
 * records are added by the import's one transaction (bundle-import.ts), so a staged chunk stays
 * invisible until then. A failed or cancelled import deletes what was staged (`discard`); a tab
 * that dies mid-import leaves unreachable chunks (space, not data), and the next import of that
 * run clears each history's range before writing it, so no stale chunk joins a history.
 *
 * Only runs the lab does not have are staged. A run it has is compared by content digest by the
 * import, so its columns are held here instead (`held`). Imports, and pulls from a server, take
 * a Web Lock (withImportLock), so no two of them write the same new run at once.
 */
import type { MetricColumns, MetricSummary } from '../tracking/types';
import { dictSet, newDict, type Dict } from '../util/dict';
import { issueDeletes, issuePuts, type Connection } from './db';
import { appendToChunks, updateSummary } from './metric-columns';
import type { MetricChunk } from './schema';

/** A decoded run metric file, as a bundle worker sends it: the run folder's id, the key, the columns. */
export interface StagedMetricFile {
  runId: string;
  key: string;
  values: Float64Array;
  steps: Float64Array;
  timestamps: Float64Array;
}

/** What the import asks of a staging (importPrepared's `staged`). */
export interface StagedMetrics {
  /** Summaries of the histories written for a run, by key; undefined when none was written. */
  written(runId: string): Dict<MetricSummary> | undefined;
  /** Histories held (not written) for a run the lab had when they arrived. */
  held(runId: string): MetricColumns[] | undefined;
  /** Deletes what was written for runs not in `keep` (all of it without `keep`); best effort. */
  discard(keep?: ReadonlySet<string>): Promise<void>;
}

/** Chunk bytes gathered before a write: a few transactions per second of decoding, not one per file. */
const WRITE_BYTES = 16 << 20;

const range = (runId: string, key: string) => IDBKeyRange.bound([runId, key, -Infinity], [runId, key, Infinity]);

export class MetricStaging implements StagedMetrics {
  private readonly summaries = new Map<string, Dict<MetricSummary>>();
  private readonly holding = new Map<string, MetricColumns[]>();
  private queue: MetricChunk[] = [];
  private queuedBytes = 0;
  /** The writes so far, chained: one transaction at a time, in arrival order. */
  private tail: Promise<void> = Promise.resolve();
  private failure: unknown = null;
  private closed = false;
  /** Files received so far, and the wait of `settled` for more. */
  private received = 0;
  private wake: (() => void) | null = null;

  /** `isLocalRun`: whether the lab has a run of this id now. */
  constructor(private readonly conn: Connection, private readonly isLocalRun: (runId: string) => boolean) {}

  /** Takes a batch of decoded files: packs the chunks of new runs (written soon), holds the others. */
  add(files: readonly StagedMetricFile[]): void {
    this.received += files.length;
    this.wake?.();
    if (this.closed || this.failure) return;
    for (const f of files) {
      if (f.values.length === 0) continue;
      const cols: MetricColumns = { key: f.key, values: f.values, steps: f.steps, timestamps: f.timestamps };
      if (this.isLocalRun(f.runId)) {
        const list = this.holding.get(f.runId);
        if (list) list.push(cols);
        else this.holding.set(f.runId, [cols]);
        continue;
      }
      let sums = this.summaries.get(f.runId);
      if (!sums) this.summaries.set(f.runId, (sums = newDict()));
      dictSet(sums, f.key, updateSummary(undefined, cols)!);
      for (const c of appendToChunks(f.runId, f.key, undefined, cols)) {
        this.queue.push(c);
        this.queuedBytes += chunkBytes(c);
      }
    }
    if (this.queuedBytes >= WRITE_BYTES) this.flush();
  }

  /**
   * Resolves once `expected` files have come (the workers' count: they come on other ports than
   * the prepared import) and all are written; rejects with the first write failure, or when `signal` aborts.
   */
  async settled(expected: number, signal?: AbortSignal): Promise<void> {
    while (this.received < expected) {
      signal?.throwIfAborted();
      await new Promise<void>((resolve) => {
        const done = () => (signal?.removeEventListener('abort', done), (this.wake = null), resolve());
        this.wake = done;
        signal?.addEventListener('abort', done, { once: true });
      });
    }
    this.flush();
    await this.tail;
    if (this.failure) throw this.failure;
  }

  written(runId: string): Dict<MetricSummary> | undefined {
    return this.summaries.get(runId);
  }

  held(runId: string): MetricColumns[] | undefined {
    return this.holding.get(runId);
  }

  async discard(keep?: ReadonlySet<string>): Promise<void> {
    this.closed = true;
    this.queue = [];
    await this.tail;
    const drop = [...this.summaries].filter(([runId]) => !keep?.has(runId));
    if (!drop.length) return;
    await this.conn.write(['runs', 'metricChunks'], () => 'removing the metric chunks of an import', async (tx) => {
      const runs = tx.objectStore('runs');
      const chunks = tx.objectStore('metricChunks');
      // A run that exists by now is not ours to clean (see the header): its chunks stay.
      const present = await Promise.all(drop.map(([runId]) => runs.getKey(runId)));
      await Promise.all(drop.flatMap(([runId, sums], i) => present[i] !== undefined ? [] : Object.keys(sums).map((key) => chunks.delete(range(runId, key)))));
    }).catch(() => undefined);
  }

  private flush(): void {
    if (!this.queue.length || this.failure) return;
    const batch = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    this.tail = this.tail.then(() => this.write(batch)).catch((e: unknown) => {
      this.failure ??= e;
    });
  }

  private write(batch: MetricChunk[]): Promise<void> {
    if (this.failure) return Promise.resolve();
    return this.conn.write(['metricChunks'], () => `${batch.length} metric chunk(s) of an import`, async (tx) => {
      const store = tx.objectStore('metricChunks');
      // Each history is written from seq 0: clear what an import cut short left there first.
      issueDeletes(store, batch.filter((c) => c.seq === 0).map((c) => range(c.runId, c.key)));
      issuePuts(store, batch);
    }, 'relaxed');
  }
}

function chunkBytes(c: MetricChunk): number {
  let n = 64;
  for (const v of Object.values(c)) if (ArrayBuffer.isView(v)) n += v.byteLength;
  return n;
}

/**
 * Runs an import holding the origin's import lock (Web Locks), so imports in two tabs run one
 * after the other and never stage the same new run at once (see the header). Where Web Locks
 * are missing (Node), the import runs as it is.
 */
export function withImportLock<T>(body: () => Promise<T>): Promise<T> {
  // Typed by hand: the workers' lib (WebWorker) and Node's differ on navigator.
  const locks = (globalThis as { navigator?: { locks?: { request(name: string, options: object, cb: () => Promise<T>): Promise<T> } } }).navigator?.locks;
  return locks ? locks.request('mfflow:import', {}, body) : body();
}

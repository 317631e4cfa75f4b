/**
 * The one IndexedDB connection of a page, with the cross-tab and browser failure handling of
 * docs/reliability.md §1.3–1.5:
 * - `blocked` (an older tab keeps the old version open): tell the user, keep waiting, and give up
 *   with UpgradeBlockedError after `blockedTimeoutMs` instead of spinning forever;
 * - `blocking` (a newer tab wants to upgrade): close our connection, tell the page to reload, and
 *   fail later operations with StaleDatabaseError;
 * - `terminated` (the browser dropped the connection): reopen on the next operation and retry it
 *   once; a second failure surfaces StorageUnavailableError.
 */
import { openDB, unwrap, type IDBPObjectStore, type IDBPTransaction } from 'idb';
import {
  classifyStorageError, StaleDatabaseError, StorageQuotaError, StorageUnavailableError, StoreClearedError, UpgradeBlockedError,
} from './errors';
import { DB_VERSION, migrate, type StoreName, type TrackingDB, type TrackingDBSchema } from './schema';

export interface StorageCallbacks {
  /** Another tab holds an older version open; we keep waiting (until `blockedTimeoutMs`). */
  onBlocked?(message: string): void;
  /** Another tab opened a newer version; our connection is closed and the page should reload. */
  onBlocking?(message: string): void;
  /** The browser closed the connection; it is reopened on the next operation. */
  onTerminated?(message: string): void;
  /** The database was created (oldVersion 0) or upgraded. */
  onUpgrade?(oldVersion: number, newVersion: number): void;
  /** A write failed on quota (the error is thrown to the caller too); the page can say how full storage is. */
  onQuota?(error: StorageQuotaError): void;
  /**
   * The database was deleted while this page had it open (a reopen found it empty and created it
   * again). Called synchronously, before any operation runs on the new database.
   */
  onCleared?(): void;
}

export interface ConnectionOptions extends StorageCallbacks {
  name: string;
  /** Only tests open older versions, to build fixtures for upgrade tests. */
  version?: number;
  /** Reject with UpgradeBlockedError this long after `blocked` fired. Default 10 s; 0 waits forever. */
  blockedTimeoutMs?: number;
}

export const MESSAGES = {
  blocked: 'Another tab of this app is open with an older version of its data. Close the other tabs of this app to continue.',
  blocking: 'This app was updated in another tab. Reload this tab to keep working.',
  terminated: 'The browser closed the connection to local storage; reconnecting.',
} as const;

export type Tx<S extends StoreName[], M extends IDBTransactionMode> = IDBPTransaction<TrackingDBSchema, S, M>;

export class Connection {
  private db: TrackingDB | null = null;
  private stale = false;
  private closedByUs = false;
  /** Set after a quota error: Firefox can leave a connection read-only until it is reopened. */
  private reopenBeforeNextUse = false;
  /** Set once the first open succeeded: a later open that creates the database means it was deleted. */
  private everOpened = false;
  private recreated = false;

  private constructor(private readonly options: ConnectionOptions) {}

  static async open(options: ConnectionOptions): Promise<Connection> {
    const c = new Connection(options);
    c.db = await c.openOnce();
    return c;
  }

  get name(): string {
    return this.options.name;
  }

  get isStale(): boolean {
    return this.stale;
  }

  private openOnce(): Promise<TrackingDB> {
    const { name, blockedTimeoutMs = 10_000 } = this.options;
    const version = this.options.version ?? DB_VERSION;
    const cb = this.options;
    return new Promise<TrackingDB>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      let gaveUp = false;
      const t0 = performance.now();
      openDB<TrackingDBSchema>(name, version, {
        upgrade: (db, oldVersion, newVersion, tx) => {
          if (oldVersion === 0 && this.everOpened) this.recreated = true;
          migrate(db, oldVersion, newVersion ?? version, tx);
          cb.onUpgrade?.(oldVersion, newVersion ?? version);
        },
        blocked: () => {
          cb.onBlocked?.(MESSAGES.blocked);
          if (blockedTimeoutMs > 0 && timer === undefined) {
            timer = setTimeout(() => { gaveUp = true; reject(new UpgradeBlockedError()); }, blockedTimeoutMs);
          }
        },
        blocking: () => {
          this.stale = true;
          this.db?.close();
          this.db = null;
          cb.onBlocking?.(MESSAGES.blocking);
        },
        terminated: () => {
          if (this.closedByUs) return;
          this.db = null;
          cb.onTerminated?.(MESSAGES.terminated);
          // Reopen at once: when the browser deleted the data, the page must learn it now, not at
          // its next write.
          this.reopenSoon();
        },
      }).then(
        (db) => {
          clearTimeout(timer);
          // For the bench (10-tracking.mjs): how long IndexedDB took to open, apart from the reads.
          try { performance.measure('mfflow:db-open', { start: t0, end: performance.now() }); } catch { /* not supported */ }
          if (gaveUp) db.close(); // the caller already got UpgradeBlockedError
          else { this.everOpened = true; resolve(db); }
        },
        (e) => { clearTimeout(timer); reject(e); },
      );
    });
  }

  /** Reopens after the browser dropped the connection; while it is still deleting data the open can fail, so a few tries. */
  private reopenSoon(tries = 20): void {
    setTimeout(() => {
      if (this.db || this.closedByUs || this.stale) return;
      this.current().catch((e: unknown) => { if (!(e instanceof StoreClearedError) && tries > 1) this.reopenSoon(tries - 1); });
    }, 250);
  }

  /** The open connection; reopens it when the browser dropped it (or after a quota error). */
  private async current(): Promise<TrackingDB> {
    if (this.stale) throw new StaleDatabaseError();
    if (this.closedByUs) throw new StorageUnavailableError(new Error('the store was closed'));
    if (this.reopenBeforeNextUse && this.db) {
      this.db.close();
      this.db = null;
    }
    this.reopenBeforeNextUse = false;
    if (!this.db) {
      let opened: TrackingDB;
      try {
        opened = await this.openOnce();
      } catch (e) {
        if (e instanceof UpgradeBlockedError) throw e;
        throw new StorageUnavailableError(e);
      }
      if (this.db) opened.close(); // a concurrent caller reopened first
      else this.db = opened;
      if (this.recreated) {
        // The data this page knew is gone: the operation that found out is refused (it was
        // prepared against records that no longer exist), and the page resets its caches.
        this.recreated = false;
        this.options.onCleared?.();
        throw new StoreClearedError();
      }
    }
    return this.db;
  }

  /**
   * Runs `op` against the connection; if the browser dropped the connection meanwhile, reopens
   * and retries once. Ops are whole transactions, so a retry never duplicates a committed write.
   * A second failure of the same kind surfaces as StorageUnavailableError.
   */
  async use<T>(op: (db: TrackingDB) => Promise<T>): Promise<T> {
    const db = await this.current();
    try {
      return await op(db);
    } catch (e) {
      if (this.stale) throw new StaleDatabaseError();
      const lost = this.db !== db || isConnectionError(e);
      if (!lost) throw e;
      if (this.db === db) {
        try { db.close(); } catch { /* already closed */ }
        this.db = null;
      }
      const again = await this.current();
      try {
        return await op(again);
      } catch (e2) {
        if (this.stale) throw new StaleDatabaseError();
        if (this.db !== again || isConnectionError(e2)) throw new StorageUnavailableError(e2);
        throw e2;
      }
    }
  }

  /**
   * One logical write as one transaction. `body` must only await IDB requests of `tx`
   * (prepare all data first). Any failure aborts the whole transaction; quota failures in
   * any of their shapes become StorageQuotaError naming `what` was being saved.
   */
  write<S extends StoreName[], T>(stores: S, what: () => string,
    body: (tx: Tx<S, 'readwrite'>) => Promise<T>, durability: IDBTransactionDurability = 'default'): Promise<T> {
    return this.use((db) => runTx(db, stores, 'readwrite', body, durability).catch((e: unknown) => {
      if (e instanceof TxFailure) {
        if (classifyStorageError(e.error, e.txError) === 'quota') {
          this.reopenBeforeNextUse = true;
          const quota = new StorageQuotaError(what(), e.txError ?? e.error);
          this.options.onQuota?.(quota);
          throw quota;
        }
        throw e.error;
      }
      throw e;
    }));
  }

  read<S extends StoreName[], T>(stores: S, body: (tx: Tx<S, 'readonly'>) => Promise<T>): Promise<T> {
    return this.use((db) => runTx(db, stores, 'readonly', body, 'default').catch((e: unknown) => {
      throw e instanceof TxFailure ? e.error : e;
    }));
  }

  close(): void {
    this.closedByUs = true;
    this.db?.close();
    this.db = null;
  }
}

function isConnectionError(e: unknown): boolean {
  const err = e instanceof TxFailure ? e.error : e;
  if (classifyStorageError(err) === 'connection-lost') return true;
  const name = (err as { name?: unknown } | null)?.name;
  return name === 'InvalidStateError' || name === 'TransactionInactiveError';
}

/** Carries the transaction's own error next to the thrown one, for quota classification. */
class TxFailure extends Error {
  constructor(readonly error: unknown, readonly txError: unknown) {
    super('transaction failed');
  }
}

async function runTx<S extends StoreName[], M extends 'readonly' | 'readwrite', T>(
  db: TrackingDB, stores: S, mode: M, body: (tx: Tx<S, M>) => Promise<T>, durability: IDBTransactionDurability,
): Promise<T> {
  // Creating the transaction throws InvalidStateError on a closing connection: let `use` retry.
  const tx = db.transaction(stores, mode, { durability }) as unknown as Tx<S, M>;
  const done = tx.done;
  done.catch(() => {}); // observed below; avoids an unhandled rejection when the body fails first
  try {
    const result = await body(tx);
    await done;
    return result;
  } catch (e) {
    try { tx.abort(); } catch { /* already finished or aborted */ }
    await done.catch(() => {});
    // A put issued without a promise (issuePuts) that failed aborted the transaction; the body's
    // next request then failed with AbortError. The transaction's own error is the cause.
    const aborted = (e as { name?: unknown } | null)?.name === 'AbortError' && tx.error;
    throw new TxFailure(aborted ? tx.error : e, tx.error);
  }
}

/**
 * Issues every put before awaiting any. Each request promise gets a handler at once, so when a
 * later put throws synchronously (or the transaction aborts) the earlier ones do not surface as
 * unhandled rejections; the transaction's failure is reported by the caller.
 */
export function putAll<V>(store: { put(value: V): Promise<unknown> }, values: readonly V[]): Promise<unknown[]> {
  const pending: Promise<unknown>[] = [];
  for (const v of values) {
    const p = store.put(v);
    p.catch(() => {});
    pending.push(p);
  }
  return Promise.all(pending);
}

type AnyStore = IDBPObjectStore<unknown, ArrayLike<string>, string, 'readwrite'>;

/** Deletes of key ranges issued without a promise each, as issuePuts does puts. */
export function issueDeletes(store: object, ranges: readonly IDBKeyRange[]): void {
  const raw = unwrap(store as AnyStore) as IDBObjectStore;
  for (const r of ranges) raw.delete(r);
}

/**
 * Issues puts (or adds) on the raw IDBObjectStore, without idb's promise and its two listeners
 * per request: the writes of a run (its record, its dirty mark, metric chunks, artifact files)
 * need no answer, and on a 25-run sweep's ~1,100 puts that bookkeeping was about a third of the
 * page's cost per request. A put that fails aborts the transaction, whose error runTx reports;
 * a value that cannot be stored still throws here, synchronously. `keys`: out-of-line keys.
 */
export function issuePuts(store: object, values: readonly unknown[], how: 'put' | 'add' = 'put', keys?: readonly IDBValidKey[]): void {
  const raw = unwrap(store as AnyStore) as IDBObjectStore;
  for (let i = 0; i < values.length; i++) {
    if (how === 'add') raw.add(values[i], keys?.[i]);
    else raw.put(values[i], keys?.[i]);
  }
}

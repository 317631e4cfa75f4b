/**
 * Storage failures as typed errors with messages for people, and a classifier that sees through
 * the many shapes browsers use for the same failure (docs/reliability.md §1.1).
 */

/** The browser refused to store more data. Nothing of the failed write was kept. */
export class StorageQuotaError extends Error {
  constructor(readonly what: string, override readonly cause?: unknown) {
    super(
      `Could not save ${what}: the browser's storage quota is full. ` +
        'Export or delete old runs to free space, then try again.',
    );
    this.name = 'StorageQuotaError';
  }
}

/** Another tab keeps an older version of the database open, so this tab cannot upgrade it. */
export class UpgradeBlockedError extends Error {
  constructor(message = 'Another tab of this app is still open with an older version of its data. Close the other tabs of this app, then reload.') {
    super(message);
    this.name = 'UpgradeBlockedError';
  }
}

/** A newer version of the app upgraded the database in another tab; this tab must reload. */
export class StaleDatabaseError extends Error {
  constructor(message = 'This app was updated in another tab. Reload this tab to keep working.') {
    super(message);
    this.name = 'StaleDatabaseError';
  }
}

/** The browser closed the database connection and reopening did not help. */
/** The browser deleted the lab's database while this page had it open (site data cleared, eviction). */
export class StoreClearedError extends Error {
  constructor() {
    super("The browser deleted this lab's stored data while the page was open, so this write was not saved. Runs logged from now on are kept.");
    this.name = 'StoreClearedError';
  }
}

export class StorageUnavailableError extends Error {
  constructor(override readonly cause?: unknown) {
    super(`The browser closed the connection to local storage and it could not be reopened${describe(cause)}. Reload the tab; if it keeps happening, export your runs.`);
    this.name = 'StorageUnavailableError';
  }
}

function describe(e: unknown): string {
  const msg = e instanceof Error ? e.message || e.name : '';
  return msg ? ` (${msg})` : '';
}

export type StorageErrorKind = 'quota' | 'connection-lost' | 'other';

interface ErrorShape { name?: unknown; message?: unknown; inner?: unknown; cause?: unknown; error?: unknown; target?: unknown }

/** Walks an error and the places browsers and wrappers tuck the real error into. */
function* causes(e: unknown, depth = 0): Generator<ErrorShape> {
  if (depth > 4 || e === null || typeof e !== 'object') return;
  const s = e as ErrorShape;
  yield s;
  yield* causes(s.inner, depth + 1); // Dexie-style AbortError wrapping
  yield* causes(s.cause, depth + 1);
  yield* causes(s.error, depth + 1); // an IDBTransaction or IDBRequest (tx.error)
  yield* causes(s.target, depth + 1); // an abort Event: event.target.error
}

/**
 * Classifies by `name`, never by `instanceof` or message text alone: Chrome's quota abort has
 * an empty message, and DOMException classes differ between realms.
 * `txError` is the transaction's `error` after an abort, where Chrome reports quota failures.
 */
export function classifyStorageError(e: unknown, txError?: unknown): StorageErrorKind {
  for (const candidate of [txError, e]) {
    for (const c of causes(candidate)) {
      if (c.name === 'QuotaExceededError' || c.name === 'NS_ERROR_DOM_QUOTA_REACHED') return 'quota';
    }
  }
  for (const c of causes(e)) {
    const msg = typeof c.message === 'string' ? c.message : '';
    if (c.name === 'InvalidStateError' && /clos/i.test(msg)) return 'connection-lost';
    if (c.name === 'UnknownError' && /connection|lost|backing store/i.test(msg)) return 'connection-lost';
  }
  return 'other';
}

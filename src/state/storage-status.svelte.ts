/**
 * Where the lab keeps its data, and what went wrong with the browser's storage (docs/reliability.md
 * §1, S3 and S7): opening IndexedDB is given 3 s, then the person chooses between waiting and
 * working in memory; a browser without usable IndexedDB (a private window, storage blocked) gets
 * an in-memory lab with a banner that stays; data the browser deleted since the last visit is
 * noticed through a marker kept outside IndexedDB (localStorage) and said on the next open.
 */
import { TrackingStore, type TrackingStoreOptions } from '../lib/storage/tracking-store';
import { StaleDatabaseError, UpgradeBlockedError, type StorageQuotaError } from '../lib/storage/errors';
import { errorMessage } from '../lib/util/errors';

export const OPEN_TIMEOUT_MS = 3000;
const MARKER = 'mfflow:stored-runs';

export interface ClearedData { runs: number; at: number; /** Deleted while this page was open. */ live?: boolean }
/** A write refused on quota: what was being saved, and the origin's usage and quota (bytes) when known. */
export interface QuotaFull { what: string; usage: number | null; quota: number | null }

class StorageStatus {
  mode = $state<'indexeddb' | 'memory'>('indexeddb');
  /** Why the lab runs in memory, for the banner. */
  reason = $state<string | null>(null);
  /** Opening has taken longer than OPEN_TIMEOUT_MS and the person has not chosen yet. */
  stalled = $state(false);
  /** The browser deleted this lab's stored data since the last visit (what the marker remembered). */
  cleared = $state<ClearedData | null>(null);
  /** The last write refused because storage is full (the banner stays until dismissed). */
  quotaFull = $state<QuotaFull | null>(null);
  private choose: ((c: 'wait' | 'memory') => void) | null = null;

  /** The stalled open's two ways on. */
  keepWaiting(): void {
    this.stalled = false;
    this.choose?.('wait');
  }

  useMemory(): void {
    this.stalled = false;
    this.choose?.('memory');
  }

  dismissCleared(): void {
    this.cleared = null;
  }

  dismissQuota(): void {
    this.quotaFull = null;
  }

  /** Says a write was refused on quota, with the usage and quota the browser reports. */
  async reportQuota(error: StorageQuotaError): Promise<void> {
    this.quotaFull = { what: error.what, usage: null, quota: null };
    try {
      const e = await navigator.storage.estimate();
      this.quotaFull = { what: error.what, usage: e.usage ?? null, quota: e.quota ?? null };
    } catch { /* no StorageManager: the banner says so without figures */ }
  }

  /** The next choice the person makes while the open is stalled. */
  waitForChoice(): Promise<'wait' | 'memory'> {
    return new Promise((res) => { this.choose = res; });
  }
}

export const storage = new StorageStatus();

function readMarker(): ClearedData | null {
  try {
    const raw = localStorage.getItem(MARKER);
    const v = raw ? (JSON.parse(raw) as ClearedData) : null;
    return v && typeof v.runs === 'number' ? v : null;
  } catch {
    return null;
  }
}

function writeMarker(runs: number): void {
  try {
    localStorage.setItem(MARKER, JSON.stringify({ runs, at: Date.now() }));
  } catch { /* no localStorage: nothing to compare next time */ }
}

/** Keeps the marker in step with how many runs IndexedDB holds (a second after the last change). */
function keepMarker(store: TrackingStore): void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const write = () => { timer = null; writeMarker(store.listRuns().length); };
  write();
  store.subscribe(() => { if (timer === null) timer = setTimeout(write, 1000); });
}

async function openInMemory(options: TrackingStoreOptions, reason: string): Promise<TrackingStore> {
  // fake-indexeddb (the unit tests' IndexedDB) replaces the browser's for this page only; it is
  // loaded here alone, so a lab that never needs it never downloads it.
  await import('fake-indexeddb/auto');
  storage.mode = 'memory';
  storage.reason = reason;
  return TrackingStore.open(options);
}

/**
 * Opens the lab's store: IndexedDB when it answers; after OPEN_TIMEOUT_MS without an answer the
 * person chooses (keep waiting, or work in memory); when IndexedDB refuses, memory at once.
 * An upgrade blocked by another tab keeps its own message and is not turned into memory mode.
 */
export async function openTrackingStore(options: TrackingStoreOptions, timeoutMs = OPEN_TIMEOUT_MS): Promise<TrackingStore> {
  let created = false;
  let blocked = false;
  const real = TrackingStore.open({
    ...options,
    onQuota: (e) => { void storage.reportQuota(e); options.onQuota?.(e); },
    onCleared: () => { storage.cleared = { runs: readMarker()?.runs ?? 0, at: Date.now(), live: true }; options.onCleared?.(); },
    onUpgrade: (from, to) => { if (from === 0) created = true; options.onUpgrade?.(from, to); },
    onBlocked: (m) => { blocked = true; options.onBlocked?.(m); },
  });
  const settled = real.then((s) => ({ store: s }), (error: unknown) => ({ error }));
  let result: { store: TrackingStore } | { error: unknown } | 'memory' | null = null;
  const timer = new Promise<null>((res) => setTimeout(() => res(null), timeoutMs));
  result = await Promise.race([settled, timer]);
  while (result === null) {
    if (blocked) {
      result = await settled;
      break;
    }
    storage.stalled = true;
    const choice = storage.waitForChoice().then((c) => (c === 'memory' ? 'memory' as const : null));
    result = await Promise.race([settled, choice]);
    storage.stalled = false;
    if (result === null) result = await settled;
  }
  if (result === 'memory') {
    void real.then((s) => s.close(), () => undefined);
    return openInMemory(options, 'Local storage did not answer, so this lab keeps its data in memory for this tab only.');
  }
  if ('error' in result) {
    const e = result.error;
    if (e instanceof UpgradeBlockedError || e instanceof StaleDatabaseError) throw e;
    return openInMemory(options, `This browser window does not let the lab store data (${e instanceof Error && e.name !== 'Error' ? `${e.name}: ` : ''}${errorMessage(e)}), so it keeps its data in memory for this tab only.`);
  }
  const store = result.store;
  const before = readMarker();
  // A new database, or one re-created empty under a page, where the marker remembers runs.
  if (before && before.runs > 0 && (created || store.listRuns().length === 0)) storage.cleared = before;
  keepMarker(store);
  return store;
}

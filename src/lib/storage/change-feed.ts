/**
 * Change notifications: after each commit the store tells its own listeners and, through a
 * BroadcastChannel, other tabs and stores on the same database, which then re-read the named
 * records (runs, experiments, registered models: the registry shares the store's connection and this feed) (docs/reliability.md §2: invalidation only, never a lock or a data carrier).
 */

export const CHANNEL_NAME = 'mfflow-changes';

/**
 * Notices to other tabs are merged over this window: a 25-run sweep commits ~200 transactions in
 * under a second, and each message costs the sender a postMessage and every other tab a read
 * transaction (reload) and a round of listeners. Merged, they see the same ids ~20 times a
 * second instead, which their views (redrawn once per frame) cannot tell apart. A commit after
 * a quiet window is told at once (a tab that sets an alias and is closed right away must still
 * be heard), and what is waiting is sent when the page is hidden or the store closes.
 */
export const BROADCAST_MS = 50;

export interface StoreChange {
  runIds: string[];
  experimentIds: string[];
  /** Names of registered models written (the registry is not cached: listeners re-read it). Absent when none. */
  models?: string[];
  /** 'local': this store wrote it; 'remote': another tab or store did and we re-read it. */
  origin: 'local' | 'remote';
}

export type ChangeListener = (change: StoreChange) => void;

interface WireMessage {
  db: string;
  runIds: string[];
  experimentIds: string[];
  models?: string[];
}

export class ChangeFeed {
  private readonly listeners = new Set<ChangeListener>();
  private readonly channel: BroadcastChannel | null;
  /** Ids committed here and not yet told to other tabs (see BROADCAST_MS). */
  private outbox: { runIds: Set<string>; experimentIds: Set<string>; models: Set<string> } | null = null;
  /** When the last notice left (ms, Date.now()): a commit later than BROADCAST_MS after it is told at once. */
  private lastSent = -Infinity;
  private readonly onPageHide = (): void => this.broadcast();

  constructor(private readonly dbName: string, onRemote: (change: StoreChange) => Promise<void>) {
    this.channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL_NAME) : null;
    // Node keeps the process alive while a channel is open; the browser has no unref.
    (this.channel as { unref?: () => void } | null)?.unref?.();
    // A page being closed or navigated away sends what is waiting (workers and Node have no pagehide).
    if (this.channel && typeof addEventListener === 'function' && 'onpagehide' in globalThis) addEventListener('pagehide', this.onPageHide);
    if (this.channel) {
      this.channel.onmessage = (ev: MessageEvent) => {
        const m = ev.data as Partial<WireMessage> | null;
        if (!m || m.db !== this.dbName || !Array.isArray(m.runIds) || !Array.isArray(m.experimentIds)) return;
        const change: StoreChange = {
          runIds: m.runIds.filter((x) => typeof x === 'string'),
          experimentIds: m.experimentIds.filter((x) => typeof x === 'string'),
          origin: 'remote',
        };
        if (Array.isArray(m.models)) change.models = m.models.filter((x) => typeof x === 'string');
        void onRemote(change).then(() => this.emit(change), () => this.emit(change));
      };
    }
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  /**
   * Called after a successful commit: this page's listeners hear at once (before the writer's
   * await returns); other tabs get the ids merged with the others of the next BROADCAST_MS.
   */
  publish(runIds: string[], experimentIds: string[], models: string[] = []): void {
    if (runIds.length === 0 && experimentIds.length === 0 && models.length === 0) return;
    this.emit({ runIds, experimentIds, origin: 'local', ...(models.length ? { models } : {}) });
    if (!this.channel) return;
    if (!this.outbox) {
      this.outbox = { runIds: new Set(), experimentIds: new Set(), models: new Set() };
      const wait = this.lastSent + BROADCAST_MS - Date.now();
      if (wait <= 0) {
        this.add(runIds, experimentIds, models);
        this.broadcast();
        return;
      }
      const timer = setTimeout(() => this.broadcast(), wait);
      (timer as unknown as { unref?: () => void }).unref?.(); // Node: a pending notice does not keep the process alive
    }
    this.add(runIds, experimentIds, models);
  }

  private add(runIds: string[], experimentIds: string[], models: string[]): void {
    const out = this.outbox!;
    for (const id of runIds) out.runIds.add(id);
    for (const id of experimentIds) out.experimentIds.add(id);
    for (const name of models) out.models.add(name);
  }

  /** Sends the merged notice now (the timer, or close). */
  private broadcast(): void {
    const out = this.outbox;
    if (!out) return;
    this.outbox = null;
    this.lastSent = Date.now();
    const msg: WireMessage = {
      db: this.dbName, runIds: [...out.runIds], experimentIds: [...out.experimentIds],
      ...(out.models.size ? { models: [...out.models] } : {}),
    };
    try { this.channel?.postMessage(msg); } catch { /* channel closed */ }
  }

  private emit(change: StoreChange): void {
    for (const l of [...this.listeners]) {
      try { l(change); } catch (e) { console.error('change listener failed', e); }
    }
  }

  close(): void {
    this.broadcast(); // what this store committed still reaches the other tabs
    if (typeof removeEventListener === 'function') removeEventListener('pagehide', this.onPageHide);
    this.listeners.clear();
    this.channel?.close();
  }
}

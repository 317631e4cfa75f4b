/**
 * Change notifications: after each commit the store tells its own listeners and, through a
 * BroadcastChannel, other tabs and stores on the same database, which then re-read the named
 * records (runs, experiments, registered models: the registry shares the store's connection and this feed) (docs/reliability.md §2: invalidation only, never a lock or a data carrier).
 */

export const CHANNEL_NAME = 'mfflow-changes';

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

  constructor(private readonly dbName: string, onRemote: (change: StoreChange) => Promise<void>) {
    this.channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL_NAME) : null;
    // Node keeps the process alive while a channel is open; the browser has no unref.
    (this.channel as { unref?: () => void } | null)?.unref?.();
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

  /** Called after a successful commit. */
  publish(runIds: string[], experimentIds: string[], models: string[] = []): void {
    if (runIds.length === 0 && experimentIds.length === 0 && models.length === 0) return;
    this.emit({ runIds, experimentIds, origin: 'local', ...(models.length ? { models } : {}) });
    const msg: WireMessage = { db: this.dbName, runIds, experimentIds, ...(models.length ? { models } : {}) };
    try { this.channel?.postMessage(msg); } catch { /* channel closed */ }
  }

  private emit(change: StoreChange): void {
    for (const l of [...this.listeners]) {
      try { l(change); } catch (e) { console.error('change listener failed', e); }
    }
  }

  close(): void {
    this.listeners.clear();
    this.channel?.close();
  }
}

/**
 * Tracking servers and the live mirror's outbox and states (schema v4). Kept apart from runs:
 * exports never read these stores, so credentials never leave this browser. Lives on the tracking
 * store's connection (`TrackingStore.remote`).
 */
import type { MirrorRecord, OutboxEntry, StoredServer } from './remote-records';
import type { Connection } from './db';

export class RemoteStore {
  constructor(private readonly conn: Connection) {}

  listServers(): Promise<StoredServer[]> {
    return this.conn.read(['remoteServers'], (tx) => tx.objectStore('remoteServers').getAll());
  }

  async putServer(s: StoredServer): Promise<void> {
    await this.conn.write(['remoteServers'], () => `server "${s.name}"`, (tx) => tx.objectStore('remoteServers').put(s));
  }

  async deleteServer(id: string): Promise<void> {
    await this.conn.write(['remoteServers'], () => 'the server removal', (tx) => tx.objectStore('remoteServers').delete(id));
  }

  /**
   * Adds an entry unless one for the same run and server is already waiting (the one being sent,
   * `inFlightSeq`, does not count: the change may have come after it read the run).
   */
  async enqueue(entry: OutboxEntry, inFlightSeq?: number): Promise<boolean> {
    return this.conn.write(['outbox'], () => 'the mirror outbox', async (tx) => {
      const store = tx.objectStore('outbox');
      for (const e of await store.getAll()) {
        if (e.runId === entry.runId && e.serverId === entry.serverId && e.seq !== inFlightSeq) return false;
      }
      await store.add(entry);
      return true;
    });
  }

  outbox(): Promise<OutboxEntry[]> {
    return this.conn.read(['outbox'], (tx) => tx.objectStore('outbox').getAll());
  }

  async removeEntry(seq: number): Promise<void> {
    await this.conn.write(['outbox'], () => 'the mirror outbox', (tx) => tx.objectStore('outbox').delete(seq));
  }

  getMirror(runId: string): Promise<MirrorRecord | undefined> {
    return this.conn.read(['mirrors'], (tx) => tx.objectStore('mirrors').get(runId));
  }

  listMirrors(): Promise<MirrorRecord[]> {
    return this.conn.read(['mirrors'], (tx) => tx.objectStore('mirrors').getAll());
  }

  async putMirror(m: MirrorRecord): Promise<void> {
    await this.conn.write(['mirrors'], () => 'the mirror state', (tx) => tx.objectStore('mirrors').put(m));
  }
}

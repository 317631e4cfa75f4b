/** What the lab keeps about servers and the live mirror in IndexedDB (schema v4). */
import type { ServerConfig } from './servers';

/** A tracking server as stored in this browser (credentials included; never exported). */
export interface StoredServer extends ServerConfig {
  createdAt: number;
}

/** One pending sync of a mirrored run; `seq` orders the outbox. */
export interface OutboxEntry {
  seq?: number;
  runId: string;
  serverId: string;
  enqueuedAt: number;
}

export type MirrorStatus = 'pending' | 'synced' | 'offline' | 'failed';

/** A mirrored run: where it goes and how far the mirror got. */
export interface MirrorRecord {
  runId: string;
  serverId: string;
  status: MirrorStatus;
  /** The server's id of the run once it exists there. */
  serverRunId?: string;
  /** The last error, in words (offline or refused). */
  error?: string;
  /** ms of the last successful sync. */
  syncedAt?: number;
}

/**
 * What the lab keeps about servers and the live mirror in IndexedDB (schema v4). Kept with the
 * store, so storage depends on no remote code; lib/remote works with these records.
 */
export type ServerAuth =
  | { kind: 'none' }
  | { kind: 'basic'; user: string; password: string }
  | { kind: 'bearer'; token: string };

/** A tracking server to talk to (lib/remote's client talks to it). */
export interface ServerConfig {
  /** Stable id in this browser (the name can change). */
  id: string;
  name: string;
  url: string;
  auth?: ServerAuth;
}

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

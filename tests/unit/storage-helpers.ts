// Shared helpers for the storage tests (not a test file itself).
import { vi } from 'vitest';
import { TrackingStore, type TrackingStoreOptions } from '../../src/lib/storage/tracking-store';
import type { MetricColumns } from '../../src/lib/tracking/types';
import type { LockManagerLike } from '../../src/lib/tracking/run-lock';

let counter = 0;
export function uniqueDbName(prefix = 'mfflow-test'): string {
  return `${prefix}-${process.pid}-${Date.now()}-${counter++}`;
}

export async function openStore(options: TrackingStoreOptions = {}): Promise<TrackingStore> {
  return TrackingStore.open({ dbName: uniqueDbName(), ...options });
}

export function cols(key: string, points: [step: number, value: number, timestamp: number][]): MetricColumns {
  return {
    key,
    steps: Float64Array.from(points.map((p) => p[0])),
    values: Float64Array.from(points.map((p) => p[1])),
    timestamps: Float64Array.from(points.map((p) => p[2])),
  };
}

/** A clock the tests control: every call returns the next millisecond. */
export function tickingClock(start = 1_700_000_000_000): () => number {
  let t = start;
  return () => t++;
}

/**
 * A minimal stand-in for the browser's LockManager (Node 20 has none): exclusive locks, queued
 * waiters, and `ifAvailable` that grants null when the lock is held.
 */
export class FakeLocks implements LockManagerLike {
  private held = new Set<string>();
  private waiters = new Map<string, (() => void)[]>();

  async request<T>(name: string, options: { ifAvailable?: boolean }, cb: (lock: unknown) => T | Promise<T>): Promise<T> {
    if (this.held.has(name)) {
      if (options.ifAvailable) return cb(null);
      await new Promise<void>((r) => this.waiters.set(name, [...(this.waiters.get(name) ?? []), r]));
    }
    this.held.add(name);
    try {
      return await cb({ name });
    } finally {
      this.held.delete(name);
      const next = this.waiters.get(name)?.shift();
      next?.();
    }
  }

  /** What the browser does when the holding tab closes or crashes. */
  crashHolder(name: string): void {
    this.held.delete(name);
  }
}

/** Records every IDBDatabase opened from now on (so a test can force-close the store's own). */
export function captureConnections(): IDBDatabase[] {
  const seen: IDBDatabase[] = [];
  const real = indexedDB.open.bind(indexedDB);
  vi.spyOn(indexedDB, 'open').mockImplementation((name: string, version?: number) => {
    const req = real(name, version);
    req.addEventListener('success', () => seen.push(req.result));
    return req;
  });
  return seen;
}

/** Records of `store` under a run (keys starting with its id), read from IndexedDB itself, reachable or not. */
export function countRunRecords(dbName: string, store: 'artifactChunks' | 'metricChunks', runId: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(dbName);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const req = open.result.transaction(store).objectStore(store).count(IDBKeyRange.bound([runId], [runId, []]));
      req.onsuccess = () => (open.result.close(), resolve(req.result));
      req.onerror = () => reject(req.error);
    };
  });
}

/**
 * Run ownership across tabs (docs/reliability.md §2). The tab or worker that drives a run holds the
 * exclusive Web Lock `run:<id>`; the browser releases it when that tab closes or crashes, so a
 * free lock on a RUNNING run means the run was orphaned. Where `navigator.locks` is missing
 * (insecure context, old engine) we fall back to heartbeat timestamps.
 */

/** The subset of the Web Locks API we use; `navigator.locks` satisfies it. */
export interface LockManagerLike {
  request<T>(name: string, options: { mode?: 'exclusive' | 'shared'; ifAvailable?: boolean },
    callback: (lock: unknown) => T | Promise<T>): Promise<T>;
}

/** Heartbeat-only liveness is judged stale after this many missed intervals. */
export const HEARTBEAT_TIMEOUT_FACTOR = 3;
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 5000;

export function runLockName(runId: string): string {
  return `run:${runId}`;
}

/** The platform lock manager, or null when this environment has none. */
export function platformLocks(): LockManagerLike | null {
  const nav = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator;
  return nav?.locks && typeof nav.locks.request === 'function' ? nav.locks : null;
}

/**
 * Acquires the exclusive lock `name` and keeps it until the returned function is called.
 * Without Web Locks this resolves at once with a no-op: liveness then rests on heartbeats.
 */
export async function holdRunLock(name: string, locks: LockManagerLike | null = platformLocks()): Promise<() => void> {
  if (!locks) return () => {};
  return new Promise<() => void>((resolveAcquired, rejectAcquired) => {
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    locks
      .request(name, { mode: 'exclusive' }, () => {
        resolveAcquired(release);
        return held;
      })
      .catch(rejectAcquired);
  });
}

/**
 * True when nobody holds `name` right now (probing with `ifAvailable`, which never waits and
 * releases immediately). Returns null when Web Locks are unavailable: the caller cannot tell.
 */
export async function isLockFree(name: string, locks: LockManagerLike | null = platformLocks()): Promise<boolean | null> {
  if (!locks) return null;
  return locks.request(name, { mode: 'exclusive', ifAvailable: true }, (lock) => lock !== null);
}

export interface OwnedRunLike {
  ownerLock?: string;
  heartbeatAt?: number | null;
}

/**
 * Builds the `isOwnerAlive` check for TrackingStore.killOrphanedRuns. With Web Locks the lock
 * alone decides (a frozen background tab keeps its lock, so a stale heartbeat is not death).
 * Without them, an owner is alive while its last heartbeat is younger than 3× the interval.
 */
export function makeOwnerProbe(options: {
  locks?: LockManagerLike | null;
  heartbeatIntervalMs?: number;
  now?: () => number;
} = {}): (run: OwnedRunLike) => Promise<boolean> {
  const locks = options.locks === undefined ? platformLocks() : options.locks;
  const interval = options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
  const now = options.now ?? Date.now;
  return async (run) => {
    if (!run.ownerLock) return true; // not ours to judge (e.g. an imported run)
    const free = await isLockFree(run.ownerLock, locks);
    if (free !== null) return !free;
    const beat = run.heartbeatAt;
    if (beat === undefined || beat === null) return false;
    return now() - beat < HEARTBEAT_TIMEOUT_FACTOR * interval;
  };
}

/**
 * How the page learns that a worker died without a word (it called `close()`, the browser
 * killed it, it ran out of memory): no event fires on the page's `Worker` object then. Each
 * worker holds an exclusive Web Lock named after its `name` for its whole life; the browser
 * releases a context's locks when the context goes away, so the page's request for the same
 * lock is granted exactly when the worker is gone (WorkerBridge waits on it).
 *
 * Worker entries call `announceLiveness(self)` first thing.
 */
import type { LockManagerLike } from '../tracking/run-lock';

/** Message a worker posts once it holds its lock (`true`), or when it has no Web Locks (`false`). */
export const LIVENESS_KEY = '__mfflowLive';
/** Debug message the page may post to make a worker close itself (see WorkerBridge.closeFromInside). */
export const CLOSE_KEY = '__mfflowClose';

export function livenessLockName(workerName: string): string {
  return `mfflow-worker:${workerName}`;
}

interface WorkerScope {
  name?: string;
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (e: MessageEvent) => void): void;
  close(): void;
  navigator?: { locks?: LockManagerLike };
}

/** Holds this worker's liveness lock for its lifetime and tells the page; honours the debug close. */
export function announceLiveness(scope: WorkerScope): void {
  scope.addEventListener('message', (e) => {
    if (e.data && typeof e.data === 'object' && (e.data as Record<string, unknown>)[CLOSE_KEY] === true) scope.close();
  });
  const locks = scope.navigator?.locks;
  if (!scope.name || !locks || typeof locks.request !== 'function') {
    scope.postMessage({ [LIVENESS_KEY]: false });
    return;
  }
  void locks.request(livenessLockName(scope.name), { mode: 'exclusive' }, () => {
    scope.postMessage({ [LIVENESS_KEY]: true });
    return new Promise<never>(() => {});
  });
}

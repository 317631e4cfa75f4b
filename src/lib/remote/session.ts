/**
 * What one push or pull shares: the client (with the user's Cancel signal), progress counters,
 * and the retry rule. A step that failed because the server went away is retried as a whole
 * with growing pauses until the server is back or the retry budget is spent; every step
 * re-reads what the server already has first, so a retry never sends anything twice.
 */
import { MlflowClient, RemoteError } from './client';

export interface Progress {
  phase: string;
  runsDone: number;
  runsTotal: number;
  points: number;
  files: number;
  bytes: number;
  /** Set while waiting for the server to answer again. */
  waiting?: string;
}

export interface SessionOptions {
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  /** How long to keep retrying a step while the server does not answer (ms). Default 180 s. */
  retryBudgetMs?: number;
  /** Runs pushed or pulled at once. Default 4. */
  concurrency?: number;
  /** Injected by tests to skip the pauses. */
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve, reject) => {
  const t = setTimeout(resolve, ms);
  signal?.addEventListener('abort', () => { clearTimeout(t); reject(new RemoteError('cancelled', 'Cancelled')); }, { once: true });
});

export class Session {
  readonly client: MlflowClient;
  readonly progress: Progress = { phase: 'starting', runsDone: 0, runsTotal: 0, points: 0, files: 0, bytes: 0 };
  private lastEmit = 0;

  constructor(client: MlflowClient, readonly options: SessionOptions = {}) {
    this.client = client.with({ signal: options.signal, onBytes: (n) => { this.progress.bytes += n; } });
  }

  get cancelled(): boolean {
    return this.options.signal?.aborted ?? false;
  }

  checkCancelled(): void {
    if (this.cancelled) throw new RemoteError('cancelled', 'Cancelled');
  }

  /** Reports progress, at most every 100 ms unless `force`. */
  emit(force = false): void {
    const now = Date.now();
    if (!force && now - this.lastEmit < 100) return;
    this.lastEmit = now;
    this.options.onProgress?.({ ...this.progress });
  }

  /** Runs `step` again while it fails for want of an answer (network, 502-504), within the budget. */
  async retrying<T>(what: string, step: () => Promise<T>): Promise<T> {
    const budget = this.options.retryBudgetMs ?? 180_000;
    const start = Date.now();
    let pause = 500;
    for (;;) {
      try {
        const out = await step();
        if (this.progress.waiting) { this.progress.waiting = undefined; this.emit(true); }
        return out;
      } catch (e) {
        if (!(e instanceof RemoteError) || !transient(e) || this.cancelled) throw e;
        if (Date.now() - start + pause > budget) throw e;
        this.progress.waiting = `${what}: the server does not answer; retrying (${e.message})`;
        this.emit(true);
        await (this.options.sleep ? this.options.sleep(pause) : defaultSleep(pause, this.options.signal));
        pause = Math.min(pause * 2, 5_000);
      }
    }
  }
}

export function transient(e: RemoteError): boolean {
  return e.kind === 'network' || (e.kind === 'http' && (e.status === 502 || e.status === 503 || e.status === 504));
}

/** Runs `work` over `items` with at most `n` at once, in order of start; stops at the first throw. */
export async function pool<T>(items: readonly T[], n: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: unknown = null;
  const lane = async () => {
    while (next < items.length && failed === null) {
      const item = items[next++];
      try {
        await work(item);
      } catch (e) {
        failed ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, lane));
  if (failed !== null) throw failed;
}

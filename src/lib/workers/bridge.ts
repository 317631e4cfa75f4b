/**
 * One typed bridge to a Web Worker, used by every worker of the lab. It starts the worker on
 * the first call, lets every long call be cancelled with an AbortSignal (the worker is asked to
 * stop; if it does not within `killAfterMs`, it is terminated), terminates the worker once it
 * has been idle for `idleMs`, and turns a worker that crashes (an `error` or `messageerror`
 * event) or dies silently (closed, killed, out of memory: seen through its liveness lock, see
 * ./liveness.ts) into a WorkerCrashedError that rejects every pending call. The next call
 * starts a fresh worker. State creates the Worker objects (`create`); this file stays plain TS.
 */
import * as Comlink from 'comlink';
import type { Remote } from 'comlink';
import { platformLocks, type LockManagerLike } from '../tracking/run-lock';
import { CLOSE_KEY, LIVENESS_KEY, livenessLockName } from './liveness';

export type CrashKind = 'error' | 'messageerror' | 'died' | 'terminated';

/** A worker stopped while calls were pending (or crashed): what kind, and why in words (`reason` follows "The <label> worker"). */
export class WorkerCrashedError extends Error {
  override readonly name = 'WorkerCrashedError';
  constructor(readonly worker: string, readonly kind: CrashKind, readonly reason: string) {
    super(`The ${worker} worker ${reason}.`);
  }
}

/** What the bridge needs of a Worker (a browser Worker satisfies it). */
export interface WorkerLike extends Comlink.Endpoint {
  terminate(): void;
}

export interface BridgeOptions {
  /** The worker's kind in messages: `training`, `CSV`, `bundle`, `predict`, `script`. */
  label: string;
  /** Makes the worker; `name` must be passed as the Worker's `name` (its liveness lock uses it). */
  create(name: string): WorkerLike;
  /** Terminate after this many ms without a pending call. Default 60,000; Infinity keeps it. */
  idleMs?: number;
  /** After an abort, terminate the worker if the call has not settled within this time. Default 5000. */
  killAfterMs?: number;
  /** Web Locks (default `navigator.locks`); without them only events reveal a crash. */
  locks?: LockManagerLike | null;
}

export interface CallOptions<T> {
  signal?: AbortSignal;
  /**
   * Asks the worker to stop this call (e.g. `api.cancel(jobId)`); the call then settles as the
   * worker answers. Without it, an abort rejects the call and terminates the worker.
   */
  cancel?: (api: Remote<T>) => unknown;
}

interface Instance<T> {
  name: string;
  worker: WorkerLike;
  api: Remote<T>;
  pending: Set<(e: WorkerCrashedError) => void>;
  ended: boolean;
  /**
   * Resolves once the worker holds its liveness lock (or said it has none). Calls wait for it,
   * so a worker never starts work it could die in unnoticed.
   */
  ready: Promise<void>;
  markReady: () => void;
}

let started = 0;

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

export class WorkerBridge<T> {
  private current: Instance<T> | null = null;
  private idleTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly crashListeners = new Set<(e: WorkerCrashedError) => void>();
  private readonly stopListeners = new Set<(e: WorkerCrashedError) => void>();
  private holds = 0;
  private readonly idleMs: number;
  private readonly killAfterMs: number;
  private readonly locks: LockManagerLike | null;
  /** Workers started so far (a crashed or idle one is replaced by the next call). */
  starts = 0;

  constructor(private readonly options: BridgeOptions) {
    this.idleMs = options.idleMs ?? 60_000;
    this.killAfterMs = options.killAfterMs ?? 5000;
    this.locks = options.locks === undefined ? platformLocks() : options.locks;
  }

  get label(): string {
    return this.options.label;
  }

  get running(): boolean {
    return this.current !== null;
  }

  get pendingCalls(): number {
    return this.current?.pending.size ?? 0;
  }

  /** Calls `listener` when the worker crashes or dies on its own (not when the page stops it). */
  onCrash(listener: (e: WorkerCrashedError) => void): () => void {
    this.crashListeners.add(listener);
    return () => this.crashListeners.delete(listener);
  }

  /** Calls `listener` whenever the worker stops (crash, idle, terminate): state it held is gone. */
  onStop(listener: (e: WorkerCrashedError) => void): () => void {
    this.stopListeners.add(listener);
    return () => this.stopListeners.delete(listener);
  }

  /**
   * The worker's API with every method routed through `call` (started on demand, rejected with
   * WorkerCrashedError on a crash, counted for the idle timer). Use `call` to pass a signal.
   */
  readonly api: Remote<T> = new Proxy({} as Remote<T>, {
    get: (_target, method) => typeof method !== 'string' || method === 'then' ? undefined
      : (...args: unknown[]) => this.call((w) => (w as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method](...args)),
  });

  /**
   * Keeps the worker from idling out while a multi-call job (an export fed batch by batch)
   * holds state in it; returns the release.
   */
  hold(): () => void {
    this.holds++;
    this.clearIdle();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      if (this.current) this.scheduleIdle(this.current);
    };
  }

  /** Runs `fn` against the worker's API; rejects with WorkerCrashedError if the worker stops first. */
  call<R>(fn: (api: Remote<T>) => Promise<R>, opts: CallOptions<T> = {}): Promise<R> {
    const { signal } = opts;
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const inst = this.start();
    this.clearIdle();
    return new Promise<R>((resolve, reject) => {
      let settled = false;
      let killTimer: ReturnType<typeof setTimeout> | null = null;
      const finish = () => {
        settled = true;
        inst.pending.delete(onStop);
        signal?.removeEventListener('abort', onAbort);
        if (killTimer !== null) clearTimeout(killTimer);
        this.scheduleIdle(inst);
      };
      const onStop = (e: WorkerCrashedError) => {
        if (settled) return;
        finish();
        reject(e);
      };
      const abortNow = () => {
        if (settled) return;
        finish();
        reject(abortError(signal!));
        this.stop(inst, 'terminated', 'was stopped: a cancelled call did not end', false);
      };
      const onAbort = () => {
        if (!opts.cancel) return abortNow();
        void Promise.resolve().then(() => opts.cancel!(inst.api)).catch(() => undefined);
        killTimer = setTimeout(abortNow, this.killAfterMs);
      };
      inst.pending.add(onStop);
      signal?.addEventListener('abort', onAbort, { once: true });
      inst.ready.then(() => (settled ? undefined : fn(inst.api))).then(
        (v) => { if (!settled) { finish(); resolve(v as R); } },
        (e: unknown) => { if (!settled) { finish(); reject(e); } },
      );
    });
  }

  /** Stops the worker now; pending calls reject with WorkerCrashedError (`terminated`). */
  terminate(reason = 'was stopped by the page'): void {
    if (this.current) this.stop(this.current, 'terminated', reason, false);
  }

  /**
   * Debugging and tests: asks the worker to close itself, as a crash would end it (the page
   * does not terminate it, so only the liveness lock reveals the death).
   */
  closeFromInside(): boolean {
    if (!this.current) return false;
    this.current.worker.postMessage({ [CLOSE_KEY]: true });
    return true;
  }

  private start(): Instance<T> {
    if (this.current) return this.current;
    const name = `mfflow-${this.options.label.toLowerCase()}-${++started}-${Math.random().toString(36).slice(2, 8)}`;
    const worker = this.options.create(name);
    let markReady!: () => void;
    const ready = new Promise<void>((r) => (markReady = r));
    const inst: Instance<T> = { name, worker, api: Comlink.wrap<T>(worker), pending: new Set(), ended: false, ready, markReady };
    // Without Web Locks there is nothing to wait for (only events reveal a crash then).
    if (!this.locks) markReady();
    this.current = inst;
    this.starts++;
    worker.addEventListener('error', (e) => {
      const message = (e as ErrorEvent).message;
      this.stop(inst, 'error', message ? `threw: ${message}` : 'failed to start or crashed', true);
    });
    worker.addEventListener('messageerror', () => this.stop(inst, 'messageerror', 'sent a message that could not be read', true));
    worker.addEventListener('message', (e) => {
      const data = (e as MessageEvent).data as Record<string, unknown> | null;
      if (!data || typeof data !== 'object' || !(LIVENESS_KEY in data)) return;
      if (data[LIVENESS_KEY] === true) this.watch(inst);
      inst.markReady();
    });
    return inst;
  }

  /** Waits for the worker's liveness lock: granted only once the worker is gone. */
  private watch(inst: Instance<T>): void {
    if (!this.locks || inst.ended) return;
    void this.locks.request(livenessLockName(inst.name), { mode: 'exclusive' }, () => {
      this.stop(inst, 'died', 'stopped unexpectedly (closed, killed by the browser, or out of memory)', true);
    }).catch(() => undefined);
  }

  private stop(inst: Instance<T>, kind: CrashKind, reason: string, crashed: boolean): void {
    if (inst.ended) return;
    inst.ended = true;
    if (this.current === inst) {
      this.current = null;
      this.clearIdle();
    }
    try {
      inst.worker.terminate();
    } catch {
      // Already gone.
    }
    const error = new WorkerCrashedError(this.options.label, kind, reason);
    for (const reject of [...inst.pending]) reject(error);
    for (const listener of [...this.stopListeners]) listener(error);
    if (crashed) for (const listener of [...this.crashListeners]) listener(error);
  }

  private clearIdle(): void {
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private scheduleIdle(inst: Instance<T>): void {
    if (inst !== this.current || inst.pending.size > 0 || this.holds > 0 || !Number.isFinite(this.idleMs)) return;
    this.clearIdle();
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (inst === this.current && inst.pending.size === 0 && this.holds === 0) this.stop(inst, 'terminated', 'was idle', false);
    }, this.idleMs);
  }
}

/**
 * A pool of training workers: FIFO queue, one job per worker at a time, per-job cancel, and
 * crash recovery (the job of a worker that dies is FAILED with the reason, or KILLED when it
 * was being cancelled, and the worker is replaced). Workers are made by an injected factory
 * (state/workers.ts wraps each in a WorkerBridge), so this file is plain TS and the pool runs
 * in Node tests with worker_threads.
 */
import * as Comlink from 'comlink';
import type { Remote } from 'comlink';
import type { DataTable } from '../data/types';
import type { ResolvedTrainSpec, RunLoggerPort, TrainResult } from './contract';
import type { TrainWorkerApi } from './worker-api';
import { errorMessage } from '../util/errors';
import { WorkerCrashedError } from '../workers/bridge';

export interface WorkerHandle {
  api: Remote<TrainWorkerApi>;
  terminate(): void;
  /** Calls `listener` when the worker dies or reports an uncaught error. */
  onCrash(listener: (reason: string) => void): void;
}

export type WorkerFactory = (index: number) => WorkerHandle;

export interface PoolOptions {
  /** Workers at most. Default: navigator.hardwareConcurrency (1 when unknown), at most 8. */
  size?: number;
  /** Prepares the logger for the wire. Default `Comlink.proxy`. */
  wrapLogger?: (port: RunLoggerPort) => RunLoggerPort;
  /** After a cancel, terminate the worker if the job has not ended within this time (ms). Default 5000. */
  killAfterMs?: number;
}

export interface JobHandle {
  jobId: string;
  result: Promise<TrainResult>;
}

interface Job {
  jobId: string;
  spec: ResolvedTrainSpec;
  table: DataTable;
  logger: RunLoggerPort;
  resolve(r: TrainResult): void;
  result: Promise<TrainResult>;
  settled: boolean;
  /** cancel() was called: a worker that dies now ends the job KILLED, not FAILED. */
  cancelRequested: boolean;
}

interface Slot {
  index: number;
  handle: WorkerHandle | null;
  job: Job | null;
  /** Settles the running job from outside the worker (crash, forced kill). */
  abort: ((r: TrainResult) => void) | null;
  killTimer: ReturnType<typeof setTimeout> | null;
  /** The table this slot's worker holds (sent with an earlier job; see SharedTable). */
  held: DataTable | null;
}

export function defaultPoolSize(): number {
  const hc = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency : undefined;
  return Math.max(1, Math.min(8, Number.isInteger(hc) && hc! > 0 ? hc! : 1));
}

let jobCounter = 0;

const tableIds = new WeakMap<DataTable, string>();
let tableCounter = 0;
/** A name for a table object, for the workers that keep it (SharedTable). */
function tableIdOf(table: DataTable): string {
  let id = tableIds.get(table);
  if (id === undefined) tableIds.set(table, (id = `table-${++tableCounter}`));
  return id;
}

export class TrainingPool {
  readonly size: number;
  private readonly slots: Slot[];
  private readonly queue: Job[] = [];
  private readonly wrapLogger: (port: RunLoggerPort) => RunLoggerPort;
  private readonly killAfterMs: number;
  private disposed = false;

  constructor(private readonly factory: WorkerFactory, options: PoolOptions = {}) {
    this.size = Math.max(1, Math.floor(options.size ?? defaultPoolSize()));
    this.wrapLogger = options.wrapLogger ?? ((p) => Comlink.proxy(p));
    this.killAfterMs = options.killAfterMs ?? 5000;
    this.slots = Array.from({ length: this.size }, (_, index) => ({ index, handle: null, job: null, abort: null, killTimer: null, held: null }));
  }

  /** Queues a job; it starts as soon as a worker is free. The result never rejects. */
  submit(spec: ResolvedTrainSpec, table: DataTable, logger: RunLoggerPort, jobId = `job-${Date.now().toString(36)}-${++jobCounter}`): JobHandle {
    let resolve!: (r: TrainResult) => void;
    const result = new Promise<TrainResult>((r) => (resolve = r));
    const job: Job = { jobId, spec, table, logger, resolve, result, settled: false, cancelRequested: false };
    if (this.disposed) this.settle(job, { status: 'KILLED', metrics: {}, error: 'the training pool was closed' });
    else {
      this.queue.push(job);
      this.pump();
    }
    return { jobId, result };
  }

  /**
   * Cancels a job: a queued one ends KILLED at once; a running one is asked to stop at its
   * next batch and, if it has not ended after `killAfterMs`, its worker is terminated.
   * Returns false for unknown or finished jobs.
   */
  async cancel(jobId: string): Promise<boolean> {
    const qi = this.queue.findIndex((j) => j.jobId === jobId);
    if (qi >= 0) {
      const [job] = this.queue.splice(qi, 1);
      this.settle(job, { status: 'KILLED', metrics: {} });
      return true;
    }
    const slot = this.slots.find((s) => s.job?.jobId === jobId);
    if (!slot || !slot.handle) return false;
    slot.job!.cancelRequested = true;
    if (slot.killTimer === null) {
      slot.killTimer = setTimeout(() => {
        slot.killTimer = null;
        if (slot.job?.jobId === jobId) {
          slot.abort?.({ status: 'KILLED', metrics: {}, error: 'the job did not stop when asked; its worker was terminated' });
        }
      }, this.killAfterMs);
    }
    // A terminated worker never answers: stop waiting once the job has ended either way.
    const ended = slot.job!.result.then(() => undefined);
    await Promise.race([slot.handle.api.cancel(jobId).catch(() => undefined), ended]);
    return true;
  }

  stats(): { size: number; running: number; queued: number; workers: number } {
    return {
      size: this.size,
      running: this.slots.filter((s) => s.job).length,
      queued: this.queue.length,
      workers: this.slots.filter((s) => s.handle).length,
    };
  }

  /** Terminates every worker; running and queued jobs end KILLED. */
  dispose(): void {
    this.disposed = true;
    for (const job of this.queue.splice(0)) this.settle(job, { status: 'KILLED', metrics: {}, error: 'the training pool was closed' });
    for (const slot of this.slots) {
      slot.abort?.({ status: 'KILLED', metrics: {}, error: 'the training pool was closed' });
      this.retire(slot);
    }
  }

  private settle(job: Job, result: TrainResult): void {
    if (job.settled) return;
    job.settled = true;
    job.resolve(result);
  }

  private retire(slot: Slot): void {
    try {
      slot.handle?.terminate();
    } catch {
      // Already gone.
    }
    slot.handle = null;
    slot.held = null;
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0 || this.disposed) return;
      if (slot.job) continue;
      void this.run(slot, this.queue.shift()!);
    }
  }

  private async run(slot: Slot, job: Job): Promise<void> {
    slot.job = job;
    const outcome = new Promise<TrainResult>((resolve) => (slot.abort = resolve));
    try {
      if (!slot.handle) {
        const handle = this.factory(slot.index);
        slot.handle = handle;
        handle.onCrash((reason) => {
          // Only the slot's current worker counts; a replaced one may still report late.
          if (slot.handle !== handle) return;
          slot.abort?.({ status: 'FAILED', metrics: {}, error: `training worker crashed: ${reason}` });
        });
      }
      // A worker gets each dataset once: later jobs on it only name it (a sweep's children share one table).
      const tableId = tableIdOf(job.table);
      const shared = slot.held === job.table ? { tableId } : { tableId, table: job.table };
      slot.held = job.table;
      const call = slot.handle.api.train(job.jobId, job.spec, shared, this.wrapLogger(job.logger))
        .catch((e: unknown): TrainResult & { workerLost: true } => ({
          status: 'FAILED', metrics: {}, workerLost: true,
          error: e instanceof WorkerCrashedError ? `training worker crashed: ${e.reason}` : `training worker failed: ${errorMessage(e)}`,
        }));
      const result = await Promise.race([call, outcome.then((r) => ({ ...r, workerLost: true as const }))]);
      const { workerLost, ...clean } = result as TrainResult & { workerLost?: true };
      if (clean.status === 'FAILED') slot.held = null; // whatever went wrong, the next job sends its table again
      // A worker that crashed, was killed, or whose call failed is not trusted again.
      if (workerLost) this.retire(slot);
      // A job being cancelled whose worker died ended as the user asked: KILLED, with the reason.
      if (workerLost && job.cancelRequested && clean.status === 'FAILED') clean.status = 'KILLED';
      this.settle(job, clean);
    } catch (e) {
      this.retire(slot);
      this.settle(job, { status: 'FAILED', metrics: {}, error: `could not start a training worker: ${errorMessage(e)}` });
    } finally {
      if (slot.killTimer !== null) clearTimeout(slot.killTimer);
      slot.killTimer = null;
      slot.abort = null;
      slot.job = null;
      this.pump();
    }
  }
}

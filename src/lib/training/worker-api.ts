/**
 * The training worker's contract (workers/train-worker.ts exposes it with comlink; the pool calls
 * it). One naming for the five worker contracts: `lib/<area>/worker-api.ts`, `<Name>WorkerApi`.
 */
import type { DataTable } from '../data/types';
import type { ResolvedTrainSpec, RunLoggerPort, TrainResult } from './contract';

/**
 * A dataset a worker keeps between jobs: sent once (`table` given) and named by `tableId` after,
 * so the 25 children of a sweep on one dataset copy its columns to each worker once, not 25 times.
 * The worker keeps the last one only; the pool knows which (TrainingPool).
 */
export interface SharedTable {
  tableId: string;
  table?: DataTable;
}

export function isSharedTable(t: DataTable | SharedTable): t is SharedTable {
  return typeof (t as SharedTable).tableId === 'string';
}

/** The API a training worker exposes with comlink. */
export interface TrainWorkerApi {
  /**
   * Trains a spec the page has already validated (`validateTrainSpec`, once, in the training
   * session), logs through `logger` and resolves when everything has been handed to the logger
   * (all its promises settled). Never rejects for training errors: those give `status: 'FAILED'`
   * with the message.
   */
  train(jobId: string, spec: ResolvedTrainSpec, table: DataTable | SharedTable, logger: RunLoggerPort): Promise<TrainResult>;
  /** Asks a running job to stop at the next iteration/batch boundary (→ `KILLED`). */
  cancel(jobId: string): Promise<boolean>;
}

/**
 * The training worker's contract (workers/train-worker.ts exposes it with comlink; the pool calls
 * it). One naming for the five worker contracts: `lib/<area>/worker-api.ts`, `<Name>WorkerApi`.
 */
import type { DataTable } from '../data/types';
import type { ResolvedTrainSpec, RunLoggerPort, TrainResult } from './contract';

/** The API a training worker exposes with comlink. */
export interface TrainWorkerApi {
  /**
   * Trains a spec the page has already validated (`validateTrainSpec`, once, in the training
   * session), logs through `logger` and resolves when everything has been handed to the logger
   * (all its promises settled). Never rejects for training errors: those give `status: 'FAILED'`
   * with the message.
   */
  train(jobId: string, spec: ResolvedTrainSpec, table: DataTable, logger: RunLoggerPort): Promise<TrainResult>;
  /** Asks a running job to stop at the next iteration/batch boundary (→ `KILLED`). */
  cancel(jobId: string): Promise<boolean>;
}

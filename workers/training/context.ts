/**
 * What every trainer gets from the worker: the run logger, throttled progress, and the
 * cancellation flag. Trainers return an outcome; the worker turns it into a TrainResult.
 */
import type { RunLogger } from '../../src/lib/tracking/run-logger';
import type { TrainProgress, TrainStatus } from '../../src/lib/training/contract';

export interface TrainContext {
  jobId: string;
  logger: RunLogger;
  /** Reports progress; calls closer than the throttle interval are dropped (except phase changes). */
  progress(phase: TrainProgress['phase'], step: number, total: number, message?: string): void;
  /** True once `cancel(jobId)` has been received. */
  cancelled(): boolean;
  /** Lets queued messages (a cancel) run; cheap enough to call between batches. */
  breathe(): Promise<void>;
}

export interface TrainOutcome {
  status: TrainStatus;
  metrics: Record<string, number>;
  epochsDone?: number;
}

/** MLflow metric keys allow letters, digits, `_ - . / ` and space; anything else becomes `_`. */
export function metricKey(text: string): string {
  return text.replace(/[^A-Za-z0-9_\-. /]/g, '_');
}

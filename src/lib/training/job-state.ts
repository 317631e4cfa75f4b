/**
 * What a training job shows while it runs (the session writes it; see session.ts). Its own file
 * so the job's port (job-port.ts) and the session share it without importing each other.
 */
import type { MetricColumns, RunStatus } from '../tracking/types';
import type { TrainProgress } from './contract';

export type JobStatus = 'QUEUED' | RunStatus;

/**
 * What a job shows while it runs. The session writes these fields; the page's rune class
 * implements the interface (so the writes are reactive), tests use plain objects.
 */
export interface JobState {
  readonly jobId: string;
  readonly model: string;
  readonly parentRunId: string | null;
  status: JobStatus;
  phase: TrainProgress['phase'] | 'queued';
  step: number;
  total: number;
  message: string;
  runId: string | null;
  runName: string;
  metrics: Record<string, number>;
  error: string | null;
  epochsDone: number | null;
  /** When each phase's first progress report reached the page (performance.now()). */
  readonly phaseAt: Partial<Record<TrainProgress['phase'] | 'ended', number>>;
  /** Set by cancel before the job reached the pool (it then ends KILLED without training). */
  cancelRequested: boolean;
  readonly done: boolean;
  /** Takes the points of a metric batch as it is stored (the live loss curves). */
  tap(columns: readonly MetricColumns[] | undefined): void;
}

/**
 * One training job as the page sees it: its live state for the UI (progress, loss curves,
 * final metrics) and the RunLoggerPort the worker logs through, which writes into the job's
 * own run. Each job gets its own Fluent: jobs run concurrently, so they must not share the
 * lab fluent's active-run stack.
 */
import type { RunLoggerPort, TrainProgress, TrainResult } from '../lib/training/contract';
import type { Fluent } from '../lib/tracking/fluent';
import { endTags } from '../lib/training/session';
import type { LogBatchRequest, MetricColumns, RunStatus } from '../lib/tracking/types';
import { lab } from './lab.svelte';

export type JobStatus = 'QUEUED' | RunStatus;

/** Metrics drawn live, in order of preference: Keras-style losses, else the elastic net's duality gap. */
const LIVE_KEYS = ['loss', 'val_loss', 'dual_gap'];

export interface Series {
  steps: number[];
  values: number[];
}

export class TrainingJob {
  status = $state<JobStatus>('QUEUED');
  phase = $state<TrainProgress['phase'] | 'queued'>('queued');
  step = $state(0);
  total = $state(0);
  message = $state('');
  runId = $state<string | null>(null);
  runName = $state('');
  metrics = $state.raw<Record<string, number>>({});
  error = $state<string | null>(null);
  epochsDone = $state<number | null>(null);
  /** Bumped when `series` grows, so charts redraw. */
  seriesVersion = $state(0);
  readonly series = new Map<string, Series>();
  readonly startedAt = Date.now();
  /**
   * When each phase's first progress report reached the page (performance.now()). Reports
   * arrive within a message's latency (~50 µs), so e.g. `evaluating − training` times the fit
   * in the worker; the bench reads these through `mfflow.jobs()`.
   */
  readonly phaseAt: Partial<Record<TrainProgress['phase'] | 'ended', number>> = {};
  /** Set by cancel before the job reached the pool (it then ends KILLED without training). */
  cancelRequested = false;

  constructor(readonly jobId: string, readonly model: string, readonly parentRunId: string | null = null) {}

  /** Plain data for scripts (`mfflow.jobs()`). */
  snapshot() {
    return {
      jobId: this.jobId, runId: this.runId, runName: this.runName, model: this.model, parentRunId: this.parentRunId,
      status: this.status, phase: this.phase, step: this.step, total: this.total, metrics: { ...this.metrics },
      error: this.error, epochsDone: this.epochsDone, phaseAt: { ...this.phaseAt },
    };
  }

  get done(): boolean {
    return this.status === 'FINISHED' || this.status === 'FAILED' || this.status === 'KILLED';
  }

  /** Keeps the points of the live metrics from a forwarded batch (copies: the batch is stored). */
  tap(columns: readonly MetricColumns[] | undefined): void {
    if (!columns) return;
    let grew = false;
    for (const c of columns) {
      if (!LIVE_KEYS.includes(c.key)) continue;
      let s = this.series.get(c.key);
      if (!s) this.series.set(c.key, (s = { steps: [], values: [] }));
      for (let i = 0; i < c.values.length; i++) {
        s.steps.push(c.steps[i]);
        s.values.push(c.values[i]);
      }
      grew = true;
    }
    if (grew) this.seriesVersion++;
  }
}

/** The Fluent a job (or a sweep's parent) drives its run with: its own, as jobs run concurrently. */
export function jobFluent(): Fluent {
  return lab.newFluent();
}

/**
 * The page end of a worker's logger: params and tags go to the store at once (in MLflow's
 * batch sizes), metric columns into the job's Fluent buffer, artifacts to the run's files.
 */
export function jobPort(job: TrainingJob, fluent: Fluent, runId: string): RunLoggerPort {
  return {
    async logBatch(batch: LogBatchRequest) {
      job.tap(batch.metrics);
      for (let i = 0; i < (batch.params?.length ?? 0); i += 100) {
        await lab.store.logBatch(runId, { params: batch.params!.slice(i, i + 100) });
      }
      for (let i = 0; i < (batch.tags?.length ?? 0); i += 100) {
        await lab.store.logBatch(runId, { tags: batch.tags!.slice(i, i + 100) });
      }
      if (batch.metrics?.length) fluent.logMetricColumns(batch.metrics);
    },
    async logArtifact(path: string, bytes: Uint8Array, contentType?: string) {
      await fluent.logArtifact(path, bytes, contentType);
    },
    progress(update: TrainProgress) {
      if (job.done) return;
      job.phaseAt[update.phase] ??= performance.now();
      job.status = 'RUNNING';
      job.phase = update.phase;
      job.step = update.step;
      job.total = update.total;
      job.message = update.message ?? '';
    },
  };
}

/**
 * Ends the job's run with the worker's status. A failure's text goes to the `mfflow.error`
 * tag and, so MLflow's UI shows it as the run's description, to `mlflow.note.content`.
 */
export async function endJobRun(job: TrainingJob, fluent: Fluent, runId: string, result: TrainResult): Promise<void> {
  const tags = endTags(result);
  try {
    if (tags.length) await lab.store.logBatch(runId, { tags });
  } finally {
    await fluent.endRun(result.status);
  }
  job.metrics = result.metrics;
  job.error = result.error ?? null;
  job.epochsDone = result.epochsDone ?? null;
  job.status = result.status;
  job.phase = 'done';
  job.phaseAt.ended = performance.now();
}

/**
 * Training on the page: the reactive face of the training session (lib/training/session.ts).
 * The session runs jobs and sweeps on a pool of training workers (one per core) and writes
 * their runs; this file gives it rune classes for jobs and sweeps, the lab's store, the
 * datasets, and the page as the default source of a run.
 */
import type { StoredDataset } from '../lib/data/types';
import { localSource, sourceRecord, type RunSource } from '../lib/projects/source';
import type { TrainProgress } from '../lib/training/contract';
import { TrainingPool } from '../lib/training/pool';
import {
  TrainingSession, TrainValidationError, type JobState, type JobStatus, type SessionRequest, type SessionSource, type SweepState as SweepFields,
} from '../lib/training/session';
import type { Direction, SweepSpec } from '../lib/training/sweep';
import type { MetricColumns, Run } from '../lib/tracking/types';
import { datasets } from './datasets.svelte';
import { lab, labPageUrl } from './lab.svelte';
import { trainWorker } from './workers';

export { TrainValidationError, type JobStatus };

/** A request as scripts, projects and the form give it: a session request whose source is a RunSource. */
export interface TrainRequest extends Omit<SessionRequest, 'source'> {
  /** What made the run (project, script); default: the lab page (LOCAL). Recorded as tags and code artifacts. */
  source?: RunSource;
}

export interface SweepRequest extends TrainRequest {
  sweep: SweepSpec;
  /** Metric that picks the best child. Default `rmse` (regression) or `accuracy` (classification). */
  metric?: string;
  direction?: Direction;
}

/** Metrics drawn live, in order of preference: Keras-style losses, else the elastic net's duality gap. */
const LIVE_KEYS = ['loss', 'val_loss', 'dual_gap'];

export interface Series {
  steps: number[];
  values: number[];
}

export class TrainingJob implements JobState {
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
  /** Told when `series` grows (the live chart's history source listens; effects use seriesVersion). */
  private readonly seriesListeners = new Set<() => void>();
  readonly startedAt = Date.now();
  /**
   * When each phase's first progress report reached the page (performance.now()). Reports
   * arrive within a message's latency (~50 µs), so e.g. `evaluating − training` times the fit
   * in the worker; the bench reads these through `mfflow.jobs()`.
   */
  readonly phaseAt: Partial<Record<TrainProgress['phase'] | 'ended', number>> = {};
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

  /** Keeps the points of the live metrics from a stored batch (copies: the batch is the store's). */
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
    if (grew) {
      this.seriesVersion++;
      for (const l of this.seriesListeners) l();
    }
  }

  onSeries(listener: () => void): () => void {
    this.seriesListeners.add(listener);
    return () => this.seriesListeners.delete(listener);
  }
}

export class SweepState implements SweepFields<TrainingJob> {
  status = $state<'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED'>('RUNNING');
  parentRunId = $state<string | null>(null);
  runName = $state('');
  best = $state<{ runId: string; value: number } | null>(null);
  cancelled = false;
  constructor(readonly id: string, readonly metric: string, readonly children: TrainingJob[]) {}
  get finished(): number {
    return this.children.filter((c) => c.done).length;
  }
}

/** The session's view of a RunSource: its tags, and its record once the spec is resolved. */
function sessionSource(source: RunSource): SessionSource {
  return { tags: source.tags, record: (spec, dataset) => sourceRecord(source, { spec, dataset }) };
}

function pageSource(via: string): SessionSource {
  return sessionSource(localSource(labPageUrl(), via));
}

async function storedDataset(ref: string): Promise<StoredDataset> {
  const summary = await datasets.resolve(ref);
  return { ...summary, table: await datasets.table(summary.digest) };
}

export class Training {
  /** Single runs and sweep children, newest first. */
  jobs = $state<TrainingJob[]>([]);
  sweeps = $state<SweepState[]>([]);
  private pool: TrainingPool | null = null;
  private session: TrainingSession<TrainingJob, SweepState> | null = null;

  get poolSize(): number {
    return this.workers().size;
  }

  private workers(): TrainingPool {
    this.pool ??= new TrainingPool(() => trainWorker());
    return this.pool;
  }

  /** The session over the lab's store (open by the time anything trains). */
  private run(): TrainingSession<TrainingJob, SweepState> {
    this.session ??= new TrainingSession({
      backend: lab.store,
      pool: () => this.workers(),
      dataset: storedDataset,
      experimentId: () => lab.fluent.currentExperimentId,
      defaultSource: pageSource,
      fluent: () => lab.newFluent(),
      observer: {
        newJob: (jobId, model, parentRunId) => new TrainingJob(jobId, model, parentRunId),
        newSweep: (id, metric, children) => new SweepState(id, metric, children),
        added: (jobs, sweep) => {
          this.jobs = [...jobs, ...this.jobs];
          if (sweep) this.sweeps = [sweep, ...this.sweeps];
        },
      },
    });
    return this.session;
  }

  /** Trains one model and resolves to its finished run (FINISHED, KILLED or FAILED). */
  train(req: TrainRequest): Promise<Run> {
    return this.run().train({ ...req, source: req.source && sessionSource(req.source) });
  }

  /** Runs a sweep as a parent run with nested children; resolves to the ended parent run. */
  sweep(req: SweepRequest): Promise<Run> {
    return this.run().sweep({ ...req, source: req.source && sessionSource(req.source) });
  }

  /** Cancels a job (by job or run id) or a sweep (by sweep or parent run id); false when nothing running matched. */
  cancel(id: string): Promise<boolean> {
    return this.run().cancel(id);
  }
}

export const training = new Training();

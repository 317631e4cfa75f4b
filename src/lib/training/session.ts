/**
 * The training session: jobs that each own an MLflow run, sweeps as a parent run with nested
 * children trained in parallel on the pool, per-job or per-sweep cancel. Runs are written here,
 * through a tracking backend; workers only report through the job's port. Plain TS: the page's
 * state (src/state/training.svelte.ts) makes the job objects reactive; tests run it in Node.
 */import { toMlflowDataset } from '../data/digest';
import type { StoredDataset } from '../data/types';
import type { TrackingBackend } from '../tracking/backend';
import { createFluent } from '../tracking/create-fluent';
import type { Fluent } from '../tracking/fluent';
import { TRAIN_TAG } from '../tracking/tags';
import type { Run } from '../tracking/types';
import { errorMessage } from '../util/errors';
import { endTags, planSweep, specOf, sweepStatus, TrainValidationError } from './session-rules';
import type { ResolvedTrainSpec, TrainResult, TrainSpec } from './contract';
import type { TrainingPool } from './pool';
import { bestChild, type Direction, type SweepSpec } from './sweep';
import { validateTrainSpec } from './validate';
import type { JobState } from './job-state';
import { DELETED_WHILE_TRAINING, deletedWhileTraining, JobJournal, jobPort, writeFiles } from './job-port';

export { endTags, MAX_ERROR_CHARS, planSweep, specOf, sweepStatus, TrainValidationError, type SweepPlan } from './session-rules';

export type { JobState, JobStatus } from './job-state';

export interface SweepState<J extends JobState = JobState> {
  readonly id: string;
  readonly metric: string;
  readonly children: J[];
  status: 'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED';
  parentRunId: string | null;
  runName: string;
  best: { runId: string; value: number } | null;
  cancelled: boolean;
}

/** Where runs come from (lib/projects/source builds it): start tags, then tags and code files once the spec is known. */
export interface SessionSource {
  tags: Record<string, string>;
  record(spec: ResolvedTrainSpec, dataset: { digest: string; name: string; source?: string }): { tags: Record<string, string>; artifacts: Map<string, Uint8Array> };
}

/** A TrainSpec plus what the session needs to run it: which dataset, where the run goes. */
export interface SessionRequest extends TrainSpec {
  /** A stored dataset's digest (or name), or a URL: whatever the dataset resolver takes. */
  dataset: string;
  runName?: string;
  experimentId?: string;
  description?: string;
  /** Extra tags on the run (and a sweep's runs). */
  tags?: Record<string, string>;
  source?: SessionSource;
}

export interface SessionSweepRequest extends SessionRequest {
  sweep: SweepSpec;
  metric?: string;
  direction?: Direction;
}

export interface SessionObserver<J extends JobState, S extends SweepState<J>> {
  newJob(jobId: string, model: string, parentRunId: string | null): J;
  newSweep(id: string, metric: string, children: J[]): S;
  /** New jobs (newest first) and, for a sweep, the sweep: the lists the UI shows. */
  added(jobs: J[], sweep?: S): void;
  /** A run's background write failed. */
  error?(e: unknown): void;
}

export interface SessionOptions<J extends JobState, S extends SweepState<J>> {
  backend: TrackingBackend;
  /** The pool, made on first use (workers start lazily). */
  pool: () => Pick<TrainingPool, 'submit' | 'cancel'>;
  /** Resolves a request's `dataset` to the stored dataset; throws naming what is wrong. */
  dataset: (ref: string) => Promise<StoredDataset>;
  observer: SessionObserver<J, S>;
  /** The experiment runs go to when a request names none. */
  experimentId: () => string;
  /** Makes each job's Fluent (the page's, so its runs end with the data if the browser clears it). Default: createFluent(backend, 'page'). */
  fluent?: () => Fluent;
  /** The source of requests that give none (the lab page), by entry point. */
  defaultSource?: (via: 'train' | 'sweep') => SessionSource;
}

class CancelledBeforeStart extends Error {}

let counter = 0;
const nextId = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++counter}`;

export class TrainingSession<J extends JobState, S extends SweepState<J>> {
  private jobs: J[] = [];
  private sweeps: S[] = [];
  /** Jobs whose run the browser deleted under them (ended KILLED in memory). */
  private readonly lost = new WeakSet<J>();

  constructor(private readonly o: SessionOptions<J, S>) {}

  /** Checks a request against its dataset before any run exists: the one validation of a spec. */
  async prepare(req: SessionRequest): Promise<{ stored: StoredDataset; spec: ResolvedTrainSpec }> {
    if (!req || typeof req.dataset !== 'string' || req.dataset === '') {
      throw new TrainValidationError([{ field: 'dataset', message: 'choose a dataset (digest, name or URL)' }]);
    }
    const stored = await this.o.dataset(req.dataset);
    const checked = validateTrainSpec(specOf(req), stored.table);
    if (!checked.ok) throw new TrainValidationError(checked.errors);
    return { stored, spec: checked.spec };
  }

  /** Trains one model and resolves to its ended run (FINISHED, KILLED or FAILED). */
  async train(req: SessionRequest): Promise<Run> {
    const { stored, spec } = await this.prepare(req);
    const job = this.o.observer.newJob(nextId('job'), req.model, null);
    this.add([job]);
    await this.runJob(job, { ...req, source: req.source ?? this.o.defaultSource?.('train') }, spec, stored);
    if (this.lost.has(job)) throw deletedWhileTraining(job.runName);
    return this.o.backend.getRun(job.runId!);
  }

  /** Runs a sweep as a parent run with nested children; resolves to the ended parent run. */
  async sweep(req: SessionSweepRequest): Promise<Run> {
    const { stored } = await this.prepare(req);
    const plan = planSweep(req);
    // Each child's params are checked before any run exists: a bad value fails the request, not a child.
    const specs = plan.children.map((params) => {
      const checked = validateTrainSpec(specOf({ ...req, params }), stored.table);
      if (!checked.ok) throw new TrainValidationError(checked.errors);
      return checked.spec;
    });
    const { metric, direction } = plan;
    const source = req.source ?? this.o.defaultSource?.('sweep');
    const fluent = this.fluent();
    const parent = await fluent.startRun({
      experimentId: req.experimentId ?? this.o.experimentId(),
      runName: req.runName,
      description: req.description,
      tags: {
        [TRAIN_TAG.sweepStrategy]: req.sweep.strategy,
        [TRAIN_TAG.sweepSize]: String(specs.length),
        [TRAIN_TAG.sweepMetric]: metric,
        [TRAIN_TAG.datasetDigest]: stored.digest,
        ...source?.tags,
        ...req.tags,
      },
      inputs: [toMlflowDataset(stored, 'training')],
    });
    const children = specs.map(() => this.o.observer.newJob(nextId('job'), req.model, parent.runId));
    const sweep = this.o.observer.newSweep(nextId('sweep'), metric, children);
    sweep.parentRunId = parent.runId;
    sweep.runName = parent.runName;
    this.add(children.slice().reverse(), sweep);

    let results: TrainResult[] = [];
    try {
      await fluent.logParams({ model: req.model, target: req.target, sweep_strategy: req.sweep.strategy, sweep_runs: specs.length });
      await fluent.logDict({ sweep: req.sweep, metric, direction, base_params: req.params ?? {} }, 'sweep.json');
      results = await Promise.all(children.map((job, i) => this.runJob(job, {
        ...req, source, params: plan.children[i], runName: `${parent.runName}-${i + 1}`, description: undefined,
      }, specs[i], stored, parent.runId)));
    } catch (e) {
      if (!fluent.activeRun()) return this.sweepLost(sweep, e);
      await fluent.setTag(TRAIN_TAG.error, errorMessage(e)).catch(() => undefined);
      await fluent.endRun('FAILED');
      sweep.status = 'FAILED';
      throw e;
    }
    // The data was deleted under the sweep: its parent ended KILLED in memory with its children.
    if (!fluent.activeRun()) return this.sweepLost(sweep);
    const best = bestChild(results, metric, direction);
    if (best >= 0) {
      const value = results[best].metrics[metric];
      const runId = children[best].runId!;
      fluent.logMetric(`best_${metric}`, value, 0);
      await fluent.setTags({ [TRAIN_TAG.bestRunId]: runId });
      sweep.best = { runId, value };
    }
    const status = sweepStatus(sweep.cancelled, results);
    await fluent.endRun(status);
    sweep.status = status;
    return this.o.backend.getRun(parent.runId);
  }

  /**
   * Cancels a job (by job id or run id) or a whole sweep (by sweep id or parent run id).
   * Returns false when nothing running matched.
   */
  async cancel(id: string): Promise<boolean> {
    const sweep = this.sweeps.find((s) => s.id === id || s.parentRunId === id);
    if (sweep) {
      sweep.cancelled = true;
      const live = sweep.children.filter((c) => !c.done);
      for (const c of live) c.cancelRequested = true;
      await Promise.all(live.map((c) => this.o.pool().cancel(c.jobId)));
      return live.length > 0;
    }
    const job = this.jobs.find((j) => j.jobId === id || j.runId === id);
    if (!job || job.done) return false;
    job.cancelRequested = true;
    await this.o.pool().cancel(job.jobId);
    return true;
  }

  private sweepLost(sweep: S, cause?: unknown): never {
    sweep.status = 'KILLED';
    throw deletedWhileTraining(sweep.runName, cause);
  }

  private add(jobs: J[], sweep?: S): void {
    this.jobs = [...jobs, ...this.jobs];
    if (sweep) this.sweeps = [sweep, ...this.sweeps];
    this.o.observer.added(jobs, sweep);
  }

  /** Each job drives its run with its own Fluent: jobs run concurrently, so they must not share an active-run stack. */
  private fluent(): Fluent {
    return this.o.fluent?.() ?? createFluent(this.o.backend, 'page', (e) => this.o.observer.error?.(e));
  }

  private async runJob(job: J, req: SessionRequest, spec: ResolvedTrainSpec, stored: StoredDataset, parentRunId: string | null = null): Promise<TrainResult> {
    const fluent = this.fluent();
    // The source's tags go in with the new run (one write less per run); a source that cannot
    // be recorded fails the run below, as any other step before training.
    let recorded: ReturnType<SessionSource['record']> | null = null;
    let recordError: unknown = null;
    try {
      if (req.source) recorded = this.recordOf(req.source, spec, stored, req.dataset);
    } catch (e) {
      recordError = e;
    }
    const info = await fluent.startRun({
      experimentId: req.experimentId ?? this.o.experimentId(),
      runName: req.runName,
      parentRunId: parentRunId ?? undefined,
      description: req.description,
      tags: { ...req.source?.tags, ...req.tags, [TRAIN_TAG.datasetDigest]: stored.digest, [TRAIN_TAG.jobId]: job.jobId, ...recorded?.tags },
      // The dataset goes in with the new run: one write less per run (a sweep starts 25).
      inputs: [toMlflowDataset(stored, 'training')],
    });
    job.runId = info.runId;
    job.runName = info.runName;
    // If the browser deletes the data while the job runs, the lab abandons the run (Lab.dataLost):
    // the worker is stopped, and the run's bundle gets what the journal kept once the job ended.
    const journal = new JobJournal();
    let ended = () => {};
    const jobEnded = new Promise<void>((r) => (ended = r));
    fluent.onAbandon(async () => {
      journal.abandoned = true;
      this.lost.add(job);
      void this.o.pool().cancel(job.jobId).catch(() => undefined);
      await jobEnded;
      return journal.hold();
    });
    let result: TrainResult;
    try {
      if (recordError !== null) throw recordError;
      if (recorded) await writeFiles(this.o.backend, info.runId, [...recorded.artifacts].map(([path, bytes]) => ({ path, bytes })));
      if (job.cancelRequested || journal.abandoned) throw new CancelledBeforeStart();
      result = await this.o.pool().submit(spec, stored.table, jobPort(job, this.o.backend, info.runId, journal), job.jobId).result;
    } catch (e) {
      result = e instanceof CancelledBeforeStart || journal.abandoned ? { status: 'KILLED', metrics: {} } : { status: 'FAILED', metrics: {}, error: errorMessage(e) };
    }
    try {
      return await this.endJob(job, fluent, info.runId, result, journal);
    } finally {
      ended();
    }
  }

  /** Source tags and code artifacts of a run (see lib/projects/source). */
  private recordOf(source: SessionSource, spec: ResolvedTrainSpec, stored: StoredDataset, ref: string): ReturnType<SessionSource['record']> {
    return source.record(spec, { digest: stored.digest, name: stored.name, ...(ref !== stored.digest ? { source: ref } : {}) });
  }

  /**
   * Ends the job's run with the worker's status and its end tags (see endTags); a run whose data
   * the browser deleted ends KILLED in memory instead, its end tags kept in the journal.
   */
  private async endJob(job: J, fluent: Fluent, runId: string, result: TrainResult, journal: JobJournal): Promise<TrainResult> {
    try {
      if (!journal.abandoned) await endWithTags(fluent, result.status, endTags(result));
    } catch (e) {
      if (!journal.abandoned) throw e;
    }
    if (journal.abandoned) {
      result = { ...result, status: 'KILLED', error: DELETED_WHILE_TRAINING };
      journal.keep({ tags: endTags(result) });
    }
    job.metrics = result.metrics;
    job.error = result.error ?? null;
    job.epochsDone = result.epochsDone ?? null;
    job.status = result.status;
    job.phase = 'done';
    job.phaseAt.ended = performance.now();
    return result;
  }
}

/**
 * Ends a job's run with its end tags in the same write. If that write fails, the run is still
 * ended without them (the status matters more than the tags), and the first failure is thrown.
 */
async function endWithTags(fluent: Fluent, status: TrainResult['status'], tags: { key: string; value: string }[]): Promise<void> {
  if (tags.length === 0) {
    await fluent.endRun(status);
    return;
  }
  try {
    await fluent.endRun(status, { tags: Object.fromEntries(tags.map((t) => [t.key, t.value])) });
  } catch (e) {
    if (fluent.activeRun()) await fluent.endRun(status).catch(() => undefined);
    throw e;
  }
}

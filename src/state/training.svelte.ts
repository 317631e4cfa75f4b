/**
 * Training on the page: a pool of training workers (one per core), jobs that each own an
 * MLflow run, sweeps as a parent run with nested children trained in parallel, and per-job
 * or per-sweep cancel. Runs are written here, on the page; workers only report through ports.
 */
import { toMlflowDataset } from '../lib/data/digest';
import type { DataTable, StoredDataset } from '../lib/data/types';
import type { TrainResult, TrainSpec } from '../lib/training/contract';
import { TrainingPool } from '../lib/training/pool';
import { bestChild, type Direction, type SweepSpec } from '../lib/training/sweep';
import { planSweep, specOf, sweepStatus, TrainValidationError } from '../lib/training/session';

export { TrainValidationError };
import { validateTrainSpec } from '../lib/training/validate';
import type { Run } from '../lib/tracking/types';
import { datasets } from './datasets.svelte';
import { trainWorker } from './workers';
import { lab } from './lab.svelte';
import { endJobRun, jobFluent, jobPort, TrainingJob } from './train-job.svelte';
import { TRAIN_TAG } from '../lib/tracking/tags';
import type { ResolvedTrainSpec } from '../lib/training/contract';
import { localSource, sourceRecord, type RunSource } from '../lib/projects/source';

/** Source tags and code artifacts of a run (see lib/projects/source). */
async function recordSource(runId: string, source: RunSource, spec: ResolvedTrainSpec, stored: StoredDataset, datasetRef: string): Promise<void> {
  const dataset = { digest: stored.digest, name: stored.name, ...(datasetRef !== stored.digest ? { source: datasetRef } : {}) };
  const { tags, artifacts } = sourceRecord(source, { spec, dataset });
  await lab.store.logBatch(runId, { tags: Object.entries(tags).map(([key, value]) => ({ key, value })) });
  for (const [path, bytes] of artifacts) await lab.store.logArtifact(runId, path, bytes);
}

function defaultSource(via: string): RunSource {
  return localSource(typeof location === 'undefined' ? 'mfflow' : `${location.origin}${location.pathname}`, via);
}

/** A TrainSpec plus what the page needs to run it: which dataset, where the run goes. */
export interface TrainRequest extends TrainSpec {
  /** A stored dataset's digest (or name), or a URL to load first. */
  dataset: string;
  runName?: string;
  /** Default: the experiment scripts set with `mfflow.setExperiment` (the UI passes its selection). */
  experimentId?: string;
  description?: string;
  /** Extra tags on the run (and a sweep's runs), e.g. the live mirror's (state/servers). */
  tags?: Record<string, string>;
  /** What made the run (project, script); default: the lab page (LOCAL). Recorded as tags and code artifacts. */
  source?: RunSource;
}

export interface SweepRequest extends TrainRequest {
  sweep: SweepSpec;
  /** Metric that picks the best child. Default `rmse` (regression) or `accuracy` (classification). */
  metric?: string;
  direction?: Direction;
}

export class SweepState {
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


class CancelledBeforeStart extends Error {}

let jobCounter = 0;
const nextId = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++jobCounter}`;

export class Training {
  /** Single runs and sweep children, newest first. */
  jobs = $state<TrainingJob[]>([]);
  sweeps = $state<SweepState[]>([]);
  private pool: TrainingPool | null = null;

  get poolSize(): number {
    return this.workers().size;
  }

  private workers(): TrainingPool {
    this.pool ??= new TrainingPool(() => trainWorker());
    return this.pool;
  }

  /** Trains one model and resolves to its finished run (FINISHED, KILLED or FAILED). */
  async train(req: TrainRequest): Promise<Run> {
    const { stored, table } = await this.prepare(req);
    const job = new TrainingJob(nextId('job'), req.model);
    this.jobs = [job, ...this.jobs];
    await this.runJob(job, { ...req, source: req.source ?? defaultSource('train') }, stored, table, null);
    return lab.store.getRun(job.runId!);
  }

  /** Runs a sweep as a parent run with nested children; resolves to the ended parent run. */
  async sweep(req: SweepRequest): Promise<Run> {
    const { stored, table } = await this.prepare(req);
    const expanded = planSweep(req);
    const { metric, direction } = expanded;

    const source = req.source ?? defaultSource('sweep');
    const fluent = jobFluent();
    const parent = await fluent.startRun({
      experimentId: req.experimentId ?? lab.fluent.currentExperimentId,
      runName: req.runName,
      description: req.description,
      tags: {
        [TRAIN_TAG.sweepStrategy]: req.sweep.strategy,
        [TRAIN_TAG.sweepSize]: String(expanded.children.length),
        [TRAIN_TAG.sweepMetric]: metric,
        [TRAIN_TAG.datasetDigest]: stored.digest,
        ...source.tags,
        ...req.tags,
      },
    });
    const children = expanded.children.map(() => new TrainingJob(nextId('job'), req.model, parent.runId));
    const sweep = new SweepState(nextId('sweep'), metric, children);
    sweep.parentRunId = parent.runId;
    sweep.runName = parent.runName;
    this.sweeps = [sweep, ...this.sweeps];
    this.jobs = [...children.slice().reverse(), ...this.jobs];

    let results: TrainResult[] = [];
    try {
      await fluent.logParams({ model: req.model, target: req.target, sweep_strategy: req.sweep.strategy, sweep_runs: expanded.children.length });
      await fluent.logInput(toMlflowDataset(stored, 'training'));
      await fluent.logDict({ sweep: req.sweep, metric, direction, base_params: req.params ?? {} }, 'sweep.json');
      results = await Promise.all(children.map((job, i) => this.runJob(job, {
        ...req, source, params: expanded.children[i], runName: `${parent.runName}-${i + 1}`, description: undefined,
      }, stored, table, parent.runId)));
    } catch (e) {
      await fluent.setTag(TRAIN_TAG.error, e instanceof Error ? e.message : String(e)).catch(() => undefined);
      await fluent.endRun('FAILED');
      sweep.status = 'FAILED';
      throw e;
    }
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
    return lab.store.getRun(parent.runId);
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
      await Promise.all(live.map((c) => this.workers().cancel(c.jobId)));
      return live.length > 0;
    }
    const job = this.jobs.find((j) => j.jobId === id || j.runId === id);
    if (!job || job.done) return false;
    job.cancelRequested = true;
    await this.workers().cancel(job.jobId);
    return true;
  }

  /** Checks a request against its dataset before any run exists. */
  async prepare(req: TrainRequest): Promise<{ stored: StoredDataset; table: DataTable }> {
    if (!req || typeof req.dataset !== 'string' || req.dataset === '') {
      throw new TrainValidationError([{ field: 'dataset', message: 'choose a dataset (digest, name or URL)' }]);
    }
    const summary = await datasets.resolve(req.dataset);
    const table = await datasets.table(summary.digest);
    const checked = validateTrainSpec(specOf(req), table);
    if (!checked.ok) throw new TrainValidationError(checked.errors);
    return { stored: { ...summary, table }, table };
  }

  private async runJob(job: TrainingJob, req: TrainRequest, stored: StoredDataset, table: DataTable, parentRunId: string | null): Promise<TrainResult> {
    const fluent = jobFluent();
    const info = await fluent.startRun({
      experimentId: req.experimentId ?? lab.fluent.currentExperimentId,
      runName: req.runName,
      parentRunId: parentRunId ?? undefined,
      description: req.description,
      tags: { ...req.source?.tags, ...req.tags, [TRAIN_TAG.datasetDigest]: stored.digest, [TRAIN_TAG.jobId]: job.jobId },
    });
    job.runId = info.runId;
    job.runName = info.runName;
    let result: TrainResult;
    try {
      await fluent.logInput(toMlflowDataset(stored, 'training'));
      const checked = validateTrainSpec(specOf(req), table);
      if (req.source && checked.ok) await recordSource(info.runId, req.source, checked.spec, stored, req.dataset);
      if (job.cancelRequested) throw new CancelledBeforeStart();
      const handle = this.workers().submit(specOf(req), table, jobPort(job, fluent, info.runId), job.jobId);
      result = await handle.result;
    } catch (e) {
      result = e instanceof CancelledBeforeStart ? { status: 'KILLED', metrics: {} }
        : { status: 'FAILED', metrics: {}, error: e instanceof Error ? e.message : String(e) };
    }
    await endJobRun(job, fluent, info.runId, result);
    return result;
  }
}


export const training = new Training();

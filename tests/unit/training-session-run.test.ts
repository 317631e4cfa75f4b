/**
 * The training session end to end in Node: the real tracking store (fake-indexeddb), the real
 * pool and the real trainer. Only the worker boundary is replaced: each pool slot runs the
 * trainer the training worker exposes (workers/training/trainer.ts) in-process instead of
 * behind comlink in a Worker. TF.js never loads (its loader fails loudly), so an MLP job is a
 * real failure path.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Remote } from 'comlink';
import { datasetSource, tableDigest } from '../../src/lib/data/digest';
import { profileTable } from '../../src/lib/data/profile';
import type { DataTable, StoredDataset } from '../../src/lib/data/types';
import type { TrackingStore, TrackingStoreOptions } from '../../src/lib/storage/tracking-store';
import { forceCloseDatabase } from 'fake-indexeddb';
import { unsavedRuns } from '../../src/lib/bundles/unsaved-runs';
import { exportMlflowZip, importMlflowZip } from '../../src/lib/mlflow/bundle-zip';
import { createFluent } from '../../src/lib/tracking/create-fluent';
import type { AbandonedRun, Fluent } from '../../src/lib/tracking/fluent';
import type { Experiment, Run } from '../../src/lib/tracking/types';
import type { TrainWorkerApi } from '../../src/lib/training/worker-api';
import { TrainingPool } from '../../src/lib/training/pool';
import { TrainingSession, TrainValidationError, type JobState, type SweepState } from '../../src/lib/training/session';
import type { MetricColumns } from '../../src/lib/tracking/types';
import { createTrainer } from '../../workers/training/trainer';
import { captureConnections, openStore, uniqueDbName } from './storage-helpers';
import { wineTable } from './training-helpers';

let red: DataTable;
beforeAll(async () => { red = await wineTable('winequality-red.csv'); });

type Job = JobState & { points: number };
/** Sees each batch as the session hands it to the job, before the store writes it. */
let onTap: ((columns: readonly MetricColumns[] | undefined) => void) | null = null;

function plainJob(jobId: string, model: string, parentRunId: string | null): Job {
  return {
    jobId, model, parentRunId, status: 'QUEUED', phase: 'queued', step: 0, total: 0, message: '', runId: null, runName: '',
    metrics: {}, error: null, epochsDone: null, phaseAt: {}, cancelRequested: false, points: 0,
    get done() { return this.status === 'FINISHED' || this.status === 'FAILED' || this.status === 'KILLED'; },
    tap(columns: readonly MetricColumns[] | undefined) { for (const c of columns ?? []) this.points += c.values.length; onTap?.(columns); },
  };
}

const pools: TrainingPool[] = [];
afterEach(() => { pools.splice(0).forEach((p) => p.dispose()); onTap = null; vi.restoreAllMocks(); });

async function setup(poolSize = 2, extra: { store?: TrackingStoreOptions; fluent?: (store: TrackingStore) => Fluent } = {}) {
  const store: TrackingStore = await openStore(extra.store);
  const stored: StoredDataset = {
    digest: tableDigest(red), name: 'wine-red', ...datasetSource({ fileName: 'winequality-red.csv' }), createdAt: 1,
    byteSize: 84199, delimiter: ';', profile: profileTable(red), table: red,
  };
  await store.putDataset(stored);
  const pool = new TrainingPool(() => ({
    api: createTrainer({ loadTf: async () => { throw new Error('TF.js is not loaded in this test'); }, flushMs: 5 }) as unknown as Remote<TrainWorkerApi>,
    terminate: () => undefined,
    onCrash: () => undefined,
  }), { size: poolSize, wrapLogger: (p) => p });
  pools.push(pool);
  const jobs: Job[] = [];
  const sweeps: SweepState<Job>[] = [];
  const session = new TrainingSession<Job, SweepState<Job>>({
    backend: store,
    pool: () => pool,
    dataset: async (ref) => {
      const hit = (await store.getDataset(ref)) ?? (await store.listDatasets()).find((d) => d.name === ref);
      if (!hit) throw new Error(`no dataset "${ref}"`);
      return (await store.getDataset(hit.digest))!;
    },
    experimentId: () => '0',
    fluent: extra.fluent && (() => extra.fluent!(store)),
    observer: {
      newJob: plainJob,
      newSweep: (id, metric, children) => ({ id, metric, children, status: 'RUNNING', parentRunId: null, runName: '', best: null, cancelled: false }),
      added: (added, sweep) => { jobs.unshift(...added); if (sweep) sweeps.unshift(sweep); },
    },
  });
  return { store, session, jobs, sweeps, stored };
}

const tutorial = { model: 'elasticnet' as const, target: 'quality', dataset: 'wine-red', params: { alpha: 0.5, l1_ratio: 0.5 } };

describe('TrainingSession', () => {
  it('trains a run: FINISHED in the store with params, tags, metrics and the model, the job shows it', async () => {
    const { store, session, jobs, stored } = await setup();
    const run = await session.train({ ...tutorial, runName: 'tutorial', tags: { team: 'a' } });
    expect(run.info.status).toBe('FINISHED');
    expect(run.info.runName).toBe('tutorial');
    const tags = run.tags;
    expect(tags).toMatchObject({ team: 'a', 'mfflow.dataset.digest': stored.digest, 'mfflow.training.job_id': jobs[0].jobId, 'mfflow.model.kind': 'elasticnet' });
    expect(run.params).toMatchObject({ alpha: '0.5', l1_ratio: '0.5' });
    const rmse = run.metrics.rmse.latest;
    expect(rmse).toBeCloseTo(0.7931640229276851, 6); // MLflow's wine tutorial, alpha = l1_ratio = 0.5
    expect(run.inputs[0].dataset.digest).toBe(stored.digest);
    expect((await store.listArtifacts(run.info.runId, 'model')).map((a) => a.path)).toContain('model/MLmodel');
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ status: 'FINISHED', phase: 'done', runId: run.info.runId, metrics: { rmse } });
    expect(jobs[0].phaseAt.training).toBeLessThanOrEqual(jobs[0].phaseAt.ended!);
    expect((await store.getMetricHistory(run.info.runId, 'rmse')).values).toHaveLength(1);
  });

  it('a failing job ends FAILED with the reason in mfflow.error and the note', async () => {
    const { session, jobs } = await setup();
    const run = await session.train({ model: 'mlp', target: 'quality', dataset: 'wine-red', params: { epochs: 1 } });
    expect(run.info.status).toBe('FAILED');
    const tags = run.tags;
    expect(tags['mfflow.error']).toBe('TF.js is not loaded in this test');
    expect(tags['mlflow.note.content']).toBe('Training failed: TF.js is not loaded in this test');
    expect(jobs[0]).toMatchObject({ status: 'FAILED', error: 'TF.js is not loaded in this test' });
  });

  it('a bad request is refused before any run exists, naming the field', async () => {
    const { store, session, jobs } = await setup();
    const err = await session.train({ ...tutorial, target: 'nope' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainValidationError);
    expect((err as TrainValidationError).errors[0].field).toBe('target');
    await expect(session.train({ ...tutorial, dataset: '' })).rejects.toThrow(/dataset: choose a dataset/);
    await expect(session.train({ ...tutorial, dataset: 'missing' })).rejects.toThrow('no dataset "missing"');
    expect(store.listRuns()).toHaveLength(0);
    expect(jobs).toHaveLength(0);
  });

  it('cancelling a queued job ends its run KILLED without training; the running one finishes', async () => {
    const { store, session, jobs } = await setup(1);
    const first = session.train(tutorial);
    const second = session.train({ ...tutorial, params: { alpha: 0.1 } });
    while (jobs.length < 2 || !jobs[0].runId) await new Promise((r) => setTimeout(r, 1));
    expect(await session.cancel(jobs[0].runId!)).toBe(true);
    const [a, b] = await Promise.all([first, second]);
    expect(a.info.status).toBe('FINISHED');
    expect(b.info.status).toBe('KILLED');
    expect(b.metrics).toEqual({});
    expect(jobs[0].status).toBe('KILLED');
    expect(await session.cancel(jobs[0].jobId)).toBe(false);
    expect(store.listRuns().map((r) => r.info.status).sort()).toEqual(['FINISHED', 'KILLED']);
  });

  it('a sweep: a parent with nested children, the best child by rmse, FINISHED', async () => {
    const { store, session, sweeps, jobs } = await setup();
    const parent = await session.sweep({ ...tutorial, runName: 'grid', sweep: { strategy: 'grid', params: { alpha: [0.05, 0.5, 1] } } });
    expect(parent.info.status).toBe('FINISHED');
    const children = store.listRuns().filter((r) => r.tags['mlflow.parentRunId'] === parent.info.runId);
    expect(children.map((c) => c.info.runName).sort()).toEqual(['grid-1', 'grid-2', 'grid-3']);
    expect(children.every((c) => c.info.status === 'FINISHED')).toBe(true);
    const rmse = (runId: string) => store.listRuns().find((r) => r.info.runId === runId)!.metrics.rmse.latest;
    const best = children.reduce((a, b) => (rmse(a.info.runId) <= rmse(b.info.runId) ? a : b));
    const tags = parent.tags;
    expect(tags['mfflow.best_run_id']).toBe(best.info.runId);
    expect(parent.metrics.best_rmse.latest).toBe(rmse(best.info.runId));
    expect(sweeps[0]).toMatchObject({ status: 'FINISHED', parentRunId: parent.info.runId, best: { runId: best.info.runId } });
    expect(jobs.map((j) => j.runName)).toEqual(['grid-3', 'grid-2', 'grid-1']); // newest first, as the page lists them
  });

  it('a cancelled sweep ends KILLED, its unstarted children too', async () => {
    const { session, sweeps } = await setup(1);
    const done = session.sweep({ ...tutorial, sweep: { strategy: 'grid', params: { alpha: [0.1, 0.2, 0.3, 0.4] } } });
    while (!sweeps[0]?.parentRunId) await new Promise((r) => setTimeout(r, 1));
    expect(await session.cancel(sweeps[0].parentRunId!)).toBe(true);
    const parent = await done;
    expect(parent.info.status).toBe('KILLED');
    expect(sweeps[0].status).toBe('KILLED');
    expect(sweeps[0].children.filter((c) => c.status === 'KILLED').length).toBeGreaterThanOrEqual(3);
  });

  it('S6: data deleted under a training job: the job ends KILLED, train() says why, and its bundle holds every point and param the worker logged', async () => {
    const connections = captureConnections();
    const fluents: Fluent[] = [];
    let lost: { runs: Run[]; experiments: Experiment[]; abandoned: Promise<AbandonedRun[]> } | null = null;
    const dbName = uniqueDbName('cleared-training');
    const { store, session, jobs, stored } = await setup(1, {
      // What the lab does (Lab.dataLost): every Fluent it made gives its runs up.
      store: { dbName, onRecordsLost: (runs, experiments) => { lost = { runs, experiments, abandoned: Promise.all(fluents.map((f) => f.abandonRuns())).then((l) => l.flat()) }; } },
      fluent: (s) => { const f = createFluent(s, 'page'); fluents.push(f); return f; },
    });
    let batches = 0;
    // The browser deletes the database as the job's first metric batch reaches the page: its
    // params are in the store (and go with it), the batch is the write that finds out.
    onTap = (columns) => {
      if (!columns?.length || ++batches !== 1) return;
      forceCloseDatabase(connections.at(-1) as never);
      indexedDB.deleteDatabase(dbName);
    };
    const trained = session.train({ ...tutorial, runName: 'doomed', params: { alpha: 0.01, l1_ratio: 0.5 } });
    await expect(trained).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST', message: expect.stringMatching(/^The browser deleted the lab's data while run doomed was training/) });
    expect(jobs[0]).toMatchObject({ status: 'KILLED', error: expect.stringMatching(/^The browser deleted the lab's data while this run was training/) });
    const gone = await lost!.abandoned;
    expect(gone.map((a) => [a.info.runId, a.info.status])).toEqual([[jobs[0].runId, 'KILLED']]);
    // Every point the worker logged (the solver's duality gaps, then the test metrics).
    const gap = gone[0].unsaved.find((c) => c.key === 'dual_gap')!;
    expect(gap.values.length).toBeGreaterThan(0);
    expect(gone[0].unsaved.reduce((n, c) => n + c.values.length, 0)).toBe(jobs[0].points);

    const offer = unsavedRuns(gone, lost!.runs, lost!.experiments)!;
    const back = importMlflowZip(exportMlflowZip(offer.bundle)).bundle.runs.find((b) => b.run.info.runId === jobs[0].runId)!;
    expect(back.run.info.status).toBe('KILLED');
    expect(back.run.params).toMatchObject({ alpha: '0.01', l1_ratio: '0.5' });
    expect(back.run.tags['mfflow.error']).toMatch(/^The browser deleted/);
    expect(back.metrics.find((c) => c.key === 'dual_gap')!.values.length).toBe(gap.values.length);
    // The lab goes on: the dataset loaded again, the next job trains into the new store.
    await store.putDataset(stored);
    const next = await session.train({ ...tutorial, runName: 'after' });
    expect(next.info.status).toBe('FINISHED');
  });
});

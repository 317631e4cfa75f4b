/**
 * The job lifecycle as the page sees it: the training session (lib) drives the page's rune
 * classes (TrainingJob, SweepState from state/training.svelte.ts), and what they decide (done,
 * a sweep's finished count, the live series) updates effects as the session writes. The real
 * store (fake-indexeddb), pool and trainer; only the worker boundary is in-process.
 */
import { flushSync } from 'svelte';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Remote } from 'comlink';
import { datasetSource, tableDigest } from '../../src/lib/data/digest';
import { profileTable } from '../../src/lib/data/profile';
import type { DataTable } from '../../src/lib/data/types';
import type { TrainWorkerApi } from '../../src/lib/training/worker-api';
import { TrainingPool } from '../../src/lib/training/pool';
import { TrainingSession } from '../../src/lib/training/session';
import { SweepState, TrainingJob } from '../../src/state/training.svelte';
import { createTrainer } from '../../workers/training/trainer';
import { openStore } from './storage-helpers';
import { wineTable } from './training-helpers';

let red: DataTable;
beforeAll(async () => { red = await wineTable('winequality-red.csv'); });
const pools: TrainingPool[] = [];
afterEach(() => { pools.splice(0).forEach((p) => p.dispose()); });

async function session(poolSize = 2) {
  const store = await openStore();
  const digest = tableDigest(red);
  await store.putDataset({ digest, name: 'wine-red', ...datasetSource({ fileName: 'red.csv' }), createdAt: 1, byteSize: 1, delimiter: ';', profile: profileTable(red), table: red });
  const pool = new TrainingPool(() => ({
    api: createTrainer({ loadTf: async () => { throw new Error('no TF.js here'); }, flushMs: 5 }) as unknown as Remote<TrainWorkerApi>,
    terminate: () => undefined, onCrash: () => undefined,
  }), { size: poolSize, wrapLogger: (p) => p });
  pools.push(pool);
  const jobs: TrainingJob[] = [];
  const sweeps: SweepState[] = [];
  const s = new TrainingSession<TrainingJob, SweepState>({
    backend: store, pool: () => pool, experimentId: () => '0',
    dataset: async () => (await store.getDataset(digest))!,
    observer: {
      newJob: (id, model, parent) => new TrainingJob(id, model, parent),
      newSweep: (id, metric, children) => new SweepState(id, metric, children),
      added: (j, sw) => { jobs.unshift(...j); if (sw) sweeps.unshift(sw); },
    },
  });
  return { s, jobs, sweeps };
}

const tutorial = { model: 'elasticnet' as const, target: 'quality', dataset: 'wine-red', params: { alpha: 0.5, l1_ratio: 0.5 } };

describe('TrainingJob and SweepState under the session', () => {
  it('an effect on a job sees QUEUED → RUNNING → FINISHED, and done only at the end', async () => {
    const { s, jobs } = await session();
    const seen: string[] = [];
    const running = s.train(tutorial);
    while (!jobs.length) await new Promise((r) => setTimeout(r, 1));
    const job = jobs[0];
    const stop = $effect.root(() => {
      $effect(() => { seen.push(`${job.status}${job.done ? ' done' : ''}`); });
    });
    flushSync();
    const run = await running;
    flushSync();
    stop();
    expect(seen[0]).toMatch(/^(QUEUED|RUNNING)$/);
    expect(seen.at(-1)).toBe('FINISHED done');
    expect(seen.filter((x) => x.endsWith('done'))).toHaveLength(1);
    expect(job.snapshot()).toMatchObject({ runId: run.info.runId, status: 'FINISHED', phase: 'done', metrics: { rmse: run.metrics.rmse.latest } });
  });

  it('the live series keeps the dual gap points the worker sent, and its version tells charts to redraw', async () => {
    const { s, jobs } = await session();
    await s.train({ ...tutorial, params: { alpha: 0.01, l1_ratio: 0.5 } });
    const job = jobs[0];
    const gap = job.series.get('dual_gap');
    expect(gap?.values.length).toBeGreaterThan(0);
    expect(gap!.steps).toEqual([...gap!.steps].sort((a, b) => a - b));
    expect(job.seriesVersion).toBeGreaterThan(0);
    expect(job.series.has('rmse')).toBe(false); // only the live keys are kept
  });

  it('a sweep counts its finished children reactively and ends with the best one', async () => {
    const { s, sweeps } = await session(1);
    const counts: number[] = [];
    const done = s.sweep({ ...tutorial, sweep: { strategy: 'grid', params: { alpha: [0.1, 0.5, 1] } } });
    while (!sweeps.length) await new Promise((r) => setTimeout(r, 1));
    const sweep = sweeps[0];
    const stop = $effect.root(() => { $effect(() => { counts.push(sweep.finished); }); });
    flushSync();
    const parent = await done;
    flushSync();
    stop();
    expect(counts[0]).toBeLessThan(3);
    expect(counts.at(-1)).toBe(3);
    expect(sweep.status).toBe('FINISHED');
    expect(sweep.best?.value).toBe(parent.metrics.best_rmse.latest);
  });
});

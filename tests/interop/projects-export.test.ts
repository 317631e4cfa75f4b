/**
 * An elastic-net run exported as an MLflow Project runs in real MLflow: `mlflow run <folder>
 * --env-manager local -P alpha=0.42` (the CLI, the interop venv's Python) logs rmse, mae and r2
 * within 1e-9 of the lab's run with alpha 0.42, and with no -P (the run's values as defaults)
 * repeats a run with other settings (standardised features, another seed and test size, no
 * shuffle). The lab's run is made by the training worker's own code (createTrainer).
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runPython } from './python';
import { wineTable } from '../unit/training-helpers';
import type { DataTable } from '../../src/lib/data/types';
import { buildMlflowProject } from '../../src/lib/projects/export-project';
import { MemoryRunLogger } from '../../src/lib/training/memory-logger';
import type { TrainSpec } from '../../src/lib/training/contract';
import { validateTrainSpec } from '../../src/lib/training/validate';
import { createTrainer } from '../../workers/training/trainer';
import { resolveTrainSpec } from '../../src/lib/training/validate';

interface Ran { status?: string; params: Record<string, string>; metrics: Record<string, number>; tags: Record<string, string>; error?: string }

const trainer = createTrainer({ loadTf: async () => { throw new Error('no TF.js for the elastic net'); }, flushMs: 5 });
let red: DataTable;
beforeAll(async () => { red = await wineTable('winequality-red.csv'); });

async function labRun(spec: TrainSpec) {
  const checked = validateTrainSpec(spec, red);
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  const log = new MemoryRunLogger();
  const res = await trainer.train('job', resolveTrainSpec(spec, red), red, log);
  expect(res.status).toBe('FINISHED');
  return { resolved: checked.spec, metrics: res.metrics };
}

function exportTo(files: Map<string, Uint8Array>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mfflow-export-'));
  mkdirSync(join(dir, 'project'));
  for (const [p, b] of files) writeFileSync(join(dir, 'project', p), b);
  return dir;
}

function expectClose(ours: number, theirs: number, what: string) {
  expect(Math.abs(ours - theirs) <= 1e-9 * Math.max(1, Math.abs(theirs)), `${what}: lab ${ours}, mlflow run ${theirs}`).toBe(true);
}

describe('an exported elastic-net run under mlflow run --env-manager local', () => {
  it('-P alpha=0.42 logs the lab\'s rmse, mae and r2 for alpha 0.42 (within 1e-9)', async () => {
    const base = await labRun({ model: 'elasticnet', target: 'quality', params: { alpha: 0.5, l1_ratio: 0.1 } });
    const at042 = await labRun({ model: 'elasticnet', target: 'quality', params: { alpha: 0.42, l1_ratio: 0.1 } });
    const dir = exportTo(buildMlflowProject({ name: 'wine en', spec: base.resolved, table: red, runId: 'r1' }));
    const ran = runPython<Ran>('projects_run.py', [join(dir, 'project'), join(dir, 'mlruns'), JSON.stringify({ alpha: '0.42' })]);
    expect(ran.error).toBeUndefined();
    expect(ran.status).toBe('FINISHED');
    expect(ran.params).toMatchObject({ alpha: '0.42', l1_ratio: '0.1' });
    expect(ran.tags['mlflow.source.type']).toBe('PROJECT');
    expect(ran.tags['mlflow.project.entryPoint']).toBe('main');
    for (const k of ['rmse', 'mae', 'r2']) expectClose(at042.metrics[k], ran.metrics[k], k);
    // A different alpha really changes the numbers: the match is not a constant.
    expect(Math.abs(base.metrics.rmse - at042.metrics.rmse)).toBeGreaterThan(1e-6);
  }, 120_000);

  it('with no -P repeats a run with standardised features, seed 7, test size 0.3 and no shuffle', async () => {
    const features = ['alcohol', 'volatile acidity', 'sulphates', 'citric acid'];
    const run = await labRun({
      model: 'elasticnet', target: 'quality', features, standardize: true,
      params: { alpha: 0.05, l1_ratio: 0.7, max_iter: 500, tol: 1e-7 }, split: { seed: 7, testSize: 0.3, shuffle: 'none' },
    });
    const dir = exportTo(buildMlflowProject({ name: 'scaled', spec: run.resolved, table: red }));
    const ran = runPython<Ran>('projects_run.py', [join(dir, 'project'), join(dir, 'mlruns'), '{}']);
    expect(ran.error).toBeUndefined();
    expect(ran.params).toMatchObject({ alpha: '0.05', l1_ratio: '0.7', max_iter: '500', tol: '1e-07' });
    for (const k of ['rmse', 'mae', 'r2']) expectClose(run.metrics[k], ran.metrics[k], k);
  }, 120_000);
});

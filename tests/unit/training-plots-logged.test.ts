import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { DataTable } from '../../src/lib/data/types';
import { MemoryRunLogger } from '../../src/lib/training/memory-logger';
import { parseCoefficients } from '../../src/lib/training/eval-plots';
import { resolveTrainSpec } from '../../src/lib/training/validate';
import { createTrainer, type TrainerDeps } from '../../workers/training/trainer';
import type { LinearModelFile } from '../../workers/training/elastic-net-trainer';
import { blobsTable, wineTable } from './training-helpers';

// What the trainers log for the run page's Training plots, read back from the run's artifacts
// and checked against the run's own metrics and model files (not against hand-made numbers).

const loadTf: TrainerDeps['loadTf'] = async () => {
  await tf.setBackend('cpu');
  await tf.ready();
  return { tf, backend: tf.getBackend() };
};
const trainer = createTrainer({ loadTf, flushMs: 5 });
const svg = (log: MemoryRunLogger, path: string) => log.text(path);
const coefOf = (log: MemoryRunLogger) => parseCoefficients(log.artifacts.get('coefficients.json')!.bytes)!;

let red: DataTable;
beforeAll(async () => { red = await wineTable('winequality-red.csv'); });

describe('training plots logged by the trainers', () => {
  it('elastic net: two SVG plots with one dot per test row, and coefficients equal to the model\'s linear.json', async () => {
    const log = new MemoryRunLogger();
    const spec = resolveTrainSpec({ model: 'elasticnet', target: 'quality', params: { alpha: 0.5, l1_ratio: 0.5 } }, red);
    const res = await trainer.train('e1', spec, red, log);
    expect(res.status).toBe('FINISHED');
    const testRows = spec.split.testSize < 1 ? Math.ceil(red.rowCount * spec.split.testSize) : spec.split.testSize;
    for (const p of ['plots/predicted_vs_actual.svg', 'plots/residuals.svg']) {
      expect(log.artifacts.get(p)!.contentType).toBe('image/svg+xml');
      expect(svg(log, p).match(/<circle /g)).toHaveLength(testRows);
    }
    const linear = JSON.parse(log.text('model/linear.json')) as LinearModelFile;
    const c = coefOf(log);
    expect(c.features).toEqual(linear.feature_names);
    expect(c.coef.map((r) => r[0])).toEqual(linear.coef);
    expect(c.intercept).toEqual([linear.intercept]);
    expect(c.standardized).toBe(false);
  });

  it('logistic regression: a confusion matrix whose diagonal gives the logged accuracy, and one coefficient column per class', async () => {
    const table = blobsTable(150);
    const log = new MemoryRunLogger();
    const res = await trainer.train('c1', resolveTrainSpec({ model: 'logistic', target: 'species', features: ['x1', 'x2'], params: { epochs: 4, batch_size: 32, learning_rate: 0.1 } }, table), table, log);
    expect(res.status).toBe('FINISHED');
    const text = svg(log, 'plots/confusion_matrix.svg');
    const cells = [...text.matchAll(/<text [^>]*>(\d+)<\/text>/g)].map((m) => Number(m[1]));
    expect(cells).toHaveLength(9);
    const total = cells.reduce((s, n) => s + n, 0);
    const diagonal = cells[0] + cells[4] + cells[8];
    expect(diagonal / total).toBeCloseTo(res.metrics.accuracy, 12);
    expect(text).toContain('versicolor');
    expect(svg(log, 'plots/residuals.svg')).toContain('Probability residuals');
    const c = coefOf(log);
    expect(c.outputs).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(c.coef).toHaveLength(2);
    expect(c.coef.every((r) => r.length === 3 && r.every(Number.isFinite))).toBe(true);
    expect(c.standardized).toBe(true);
  });

  it('linear regression without standardising: the coefficients are the saved model\'s weights', async () => {
    const table = blobsTable(150);
    const log = new MemoryRunLogger();
    const res = await trainer.train('l1', resolveTrainSpec({
      model: 'linear', target: 'y', features: ['x1', 'x2'], standardize: false,
      params: { epochs: 20, batch_size: 16, learning_rate: 0.05, validation_split: 0 },
    }, table), table, log);
    expect(res.status).toBe('FINISHED');
    const w = log.artifacts.get('model/weights.bin')!.bytes;
    const floats = new Float32Array(w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength));
    const c = coefOf(log);
    expect(c.coef.map((r) => r[0])).toEqual([floats[0], floats[1]]);
    expect(c.intercept).toEqual([floats[2]]);
    expect(log.artifacts.has('plots/predicted_vs_actual.svg')).toBe(true);
  });

  it('an MLP logs the plots but no coefficients', async () => {
    const table = blobsTable(150);
    const log = new MemoryRunLogger();
    const res = await trainer.train('m1', resolveTrainSpec({ model: 'mlp', target: 'y', features: ['x1', 'x2'], params: { epochs: 2, hidden_layers: '4' } }, table), table, log);
    expect(res.status).toBe('FINISHED');
    expect([...log.artifacts.keys()].filter((k) => k.startsWith('plots/')).sort()).toEqual(['plots/predicted_vs_actual.svg', 'plots/residuals.svg']);
    expect(log.artifacts.has('coefficients.json')).toBe(false);
  });
});

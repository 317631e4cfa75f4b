import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { DataTable } from '../../src/lib/data/types';
import { predictElasticNet } from '../../src/lib/ml/elastic-net';
import { standardize } from '../../src/lib/ml/standardize';
import { inputSchemaOf } from '../../src/lib/serving/input-schema';
import { parseLinearModel, predictLinear } from '../../src/lib/serving/linear-model';
import { describeModel, type ModelFiles } from '../../src/lib/serving/worker-api';
import { parseJsonScoringBody } from '../../src/lib/serving/scoring-request';
import { predictionsJson } from '../../src/lib/serving/scoring-response';
import type { TrainSpec } from '../../src/lib/training/contract';
import { MemoryRunLogger } from '../../src/lib/training/memory-logger';
import { createPredictor, loadLayersModel } from '../../workers/serving/predictor';
import { createTrainer } from '../../workers/training/trainer';
import { blobsTable, wineTable } from './training-helpers';
import { resolveTrainSpec } from '../../src/lib/training/validate';

const cpuTf = async () => {
  await tf.setBackend('cpu');
  await tf.ready();
  return tf;
};
const trainer = createTrainer({ loadTf: async () => ({ tf: await cpuTf(), backend: 'cpu' }), flushMs: 5 });

/** The run's model/ directory as the predictor gets it. */
function modelFiles(log: MemoryRunLogger, drop: string[] = []): ModelFiles {
  const files: ModelFiles = {};
  for (const [path, a] of log.artifacts) {
    if (path.startsWith('model/') && !drop.includes(path.slice(6))) files[path.slice(6)] = a.bytes;
  }
  return files;
}

let red: DataTable;
let enetLog: MemoryRunLogger;
let rawLog: MemoryRunLogger;
beforeAll(async () => {
  red = await wineTable('winequality-red.csv');
  enetLog = new MemoryRunLogger();
  const spec: TrainSpec = { model: 'elasticnet', target: 'quality', params: { alpha: 0.05, l1_ratio: 0.3 }, standardize: true };
  expect((await trainer.train('e1', resolveTrainSpec(spec, red), red, enetLog)).status).toBe('FINISHED');
  rawLog = new MemoryRunLogger();
  expect((await trainer.train('e2', resolveTrainSpec({ ...spec, standardize: false }, red), red, rawLog)).status).toBe('FINISHED');
});

const featureColumns = (names: string[]) => names.map((n) => red.data[red.columns.indexOf(n)] as Float64Array);

describe('elastic net, exact float64 path', () => {
  it('equals training\'s own prediction bit for bit, and coef·x̃ + intercept to rounding', async () => {
    for (const log of [enetLog, rawLog]) {
      const files = modelFiles(log);
      const m = parseLinearModel(files['linear.json']);
      const cols = featureColumns(m.featureNames);
      const served = predictLinear(m, cols);
      const x = m.mean ? standardize({ mean: m.mean, scale: m.scale!, variance: m.scale!, nSamples: red.rowCount }, cols) : cols;
      expect(served).toEqual(predictElasticNet({ coef: m.coef, intercept: m.intercept } as never, x));
      for (let i = 0; i < red.rowCount; i += 97) {
        let y = m.intercept;
        m.coef.forEach((w, j) => { y += w * (m.mean ? (cols[j][i] - m.mean[j]) / m.scale![j] : cols[j][i]); });
        expect(served[i]).toBeCloseTo(y, 12);
      }
    }
  });

  it('the predictor never loads TF.js for it, and reuses a caller buffer', async () => {
    const p = createPredictor({ loadTf: async () => { throw new Error('TF.js must not load for the elastic net'); } });
    const info = await p.load('runs:/x/model', modelFiles(enetLog));
    expect([info.engine, info.task, info.classes]).toEqual(['linear', 'regression', null]);
    const cols = featureColumns(info.featureNames);
    const y = await p.predict('runs:/x/model', cols) as Float64Array;
    const m = parseLinearModel(modelFiles(enetLog)['linear.json']);
    const buf = new Float64Array(red.rowCount + 5).fill(7);
    expect(predictLinear(m, cols, buf)).toEqual(y);
    await expect(p.predict('runs:/x/model', cols.slice(1))).rejects.toThrow(/takes 11 features/);
    await expect(p.predict('other', cols)).rejects.toThrow(/No model loaded/);
  });

  it('the same run\'s TF.js model (float32) agrees with the exact path to float32 precision', async () => {
    const p = createPredictor({ loadTf: cpuTf });
    const info = await p.load('tf', modelFiles(enetLog, ['linear.json']));
    expect(info.engine).toBe('tfjs');
    const cols = featureColumns(info.featureNames);
    const viaTf = await p.predict('tf', cols) as Float64Array;
    const exact = predictLinear(parseLinearModel(modelFiles(enetLog)['linear.json']), cols);
    let worst = 0;
    for (let i = 0; i < exact.length; i++) worst = Math.max(worst, Math.abs(viaTf[i] - exact[i]));
    expect(worst).toBeLessThan(1e-4);
    p.unload('tf');
  });

  it('a scoring request through the model\'s own signature answers {"predictions": [...]}', async () => {
    const files = modelFiles(enetLog);
    const info = describeModel(files);
    const p = createPredictor({ loadTf: cpuTf });
    await p.load('m', files);
    const rows = [0, 1, 2];
    const body = JSON.stringify({ dataframe_split: { columns: info.featureNames, data: rows.map((i) => featureColumns(info.featureNames).map((c) => c[i])) } });
    const batch = parseJsonScoringBody(body, inputSchemaOf(info.mlmodel.signature));
    const y = await p.predict('m', batch.columns) as Float64Array;
    const all = predictLinear(parseLinearModel(files['linear.json']), featureColumns(info.featureNames));
    expect(JSON.parse(predictionsJson(y))).toEqual({ predictions: rows.map((i) => all[i]) });
  });

  it('refuses malformed linear.json', () => {
    const good = JSON.parse(new TextDecoder().decode(modelFiles(enetLog)['linear.json'])) as Record<string, unknown>;
    for (const bad of [{ ...good, format: 'x' }, { ...good, coef: [1] }, { ...good, intercept: 'NaN' }, { ...good, scaler: { mean: good.coef, scale: (good.coef as number[]).map(() => 0) } }]) {
      expect(() => parseLinearModel(JSON.stringify(bad))).toThrow(/linear\.json/);
    }
  });
});

describe('TF.js classifier path', () => {
  it('labels are the argmax class and probabilities match the model loaded directly with TF.js', async () => {
    const log = new MemoryRunLogger();
    const spec: TrainSpec = { model: 'logistic', target: 'species', features: ['x1', 'x2'], params: { epochs: 3, batch_size: 32, learning_rate: 0.1 } };
    const table = blobsTable(90);
    expect((await trainer.train('c1', resolveTrainSpec(spec, table), table, log)).status).toBe('FINISHED');
    const files = modelFiles(log);
    const p = createPredictor({ loadTf: cpuTf });
    const info = await p.load('clf', files);
    expect([info.engine, info.task, info.classes]).toEqual(['tfjs', 'classification', ['setosa', 'versicolor', 'virginica']]);
    const cols = info.featureNames.map((n) => table.data[table.columns.indexOf(n)] as Float64Array);
    const out = await p.predict('clf', cols);
    if (out instanceof Float64Array) throw new Error('expected a classification result');

    const direct = await loadLayersModel(tf, files);
    const x = tf.tensor2d(Array.from({ length: table.rowCount }, (_, i) => cols.map((c) => c[i])));
    const expected = (direct.predict(x) as tf.Tensor).arraySync() as number[][];
    x.dispose();
    expect(out.probabilities.length).toBe(table.rowCount * 3);
    for (let i = 0; i < table.rowCount; i++) {
      const row = Array.from(out.probabilities.subarray(i * 3, i * 3 + 3));
      row.forEach((v, j) => expect(v).toBeCloseTo(expected[i][j], 6));
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(out.labels[i]).toBe(info.classes![expected[i].indexOf(Math.max(...expected[i]))]);
    }
    // Chunking does not change the answer.
    const small = createPredictor({ loadTf: cpuTf, chunkRows: 7 });
    await small.load('clf', files);
    expect(await small.predict('clf', cols)).toEqual(out);
  });
});

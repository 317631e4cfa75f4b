import { describe, expect, it, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { parse as parseYaml } from 'yaml';
import type { DataTable } from '../../src/lib/data/types';
import { parseMLmodel } from '../../src/lib/mlflow/mlmodel';
import { MemoryRunLogger } from '../../src/lib/training/memory-logger';
import type { TrainSpec } from '../../src/lib/training/contract';
import { createTrainer } from '../../workers/training/trainer';
import type { LinearModelFile } from '../../workers/training/elastic-net-trainer';
import { wineTable } from './training-helpers';
import { resolveTrainSpec } from '../../src/lib/training/validate';

// A TF.js loader that fails loudly: the elastic net must never load TF.js.
const trainer = createTrainer({
  loadTf: async () => { throw new Error('TF.js must not load for the elastic net'); },
  flushMs: 5,
});

let red: DataTable;
beforeAll(async () => { red = await wineTable('winequality-red.csv'); });

const tutorial: TrainSpec = { model: 'elasticnet', target: 'quality', params: { alpha: 0.5, l1_ratio: 0.5 } };

async function loadModel(log: MemoryRunLogger) {
  const json = JSON.parse(log.text('model/model.json'));
  const weights = log.artifacts.get('model/weights.bin')!.bytes;
  const buf = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength);
  return tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest[0].weights,
    weightData: buf as ArrayBuffer,
  }));
}

describe('elastic-net trainer (MLflow wine tutorial)', () => {
  it('logs the tutorial params and sklearn\'s test metrics for red wine, α=0.5, ρ=0.5', async () => {
    const log = new MemoryRunLogger();
    const res = await trainer.train('j1', resolveTrainSpec(tutorial, red), red, log);
    expect(res.error).toBeUndefined();
    expect(res.status).toBe('FINISHED');
    // docs/mlflow-formats.md §6.5, computed with scikit-learn.
    expect(log.last('rmse')).toBeCloseTo(0.7931640229276851, 13);
    expect(log.last('mae')).toBeCloseTo(0.6271946374319586, 13);
    expect(log.last('r2')).toBeCloseTo(0.10862644997792614, 13);
    expect(log.last('n_iter')).toBe(9);
    expect(res.metrics.rmse).toBe(log.last('rmse'));
    for (const k of ['rmse', 'mae', 'r2', 'n_iter', 'train_rmse', 'train_mae', 'train_r2']) {
      expect(log.history(k)).toHaveLength(1);
      expect(log.history(k)[0].step).toBe(0);
    }
    expect(log.last('train_rmse')).toBeGreaterThan(0);
    expect(Object.fromEntries(log.params)).toMatchObject({
      alpha: '0.5', l1_ratio: '0.5', fit_intercept: 'True', max_iter: '1000', tol: '0.0001',
      test_size: '0.25', seed: '40', standardize: 'False', target: 'quality', n_features: '11',
    });
    expect(log.tags.get('mfflow.model.kind')).toBe('elasticnet');
    expect(log.tags.get('mfflow.tfjs.backend')).toBeUndefined();
  });

  it('matches the MLproject default ρ=0.1 too', async () => {
    const log = new MemoryRunLogger();
    await trainer.train('j2', resolveTrainSpec({ ...tutorial, params: { alpha: '0.5', l1_ratio: '0.1' } }, red), red, log);
    expect(log.last('rmse')).toBeCloseTo(0.7460550348172179, 13);
    expect(log.last('mae')).toBeCloseTo(0.576381895873763, 13);
    expect(log.last('r2')).toBeCloseTo(0.21136606570632266, 13);
    expect(log.last('n_iter')).toBe(10);
  });

  it('saves an exact linear.json and a TF.js model that computes coef·x + intercept', async () => {
    const log = new MemoryRunLogger();
    await trainer.train('j3', resolveTrainSpec(tutorial, red), red, log);
    const linear = JSON.parse(log.text('model/linear.json')) as LinearModelFile;
    expect(linear.intercept).toBeCloseTo(4.946541376763105, 12);
    const expected = [0, 0, 0, 0, 0, 0.004775710688, -0.005124166205, 0, 0, 0, 0.08000334296];
    linear.coef.forEach((c, j) => expect(c).toBeCloseTo(expected[j], 11));
    expect(linear.feature_names).toEqual(red.columns.filter((c) => c !== 'quality'));
    expect(linear.scaler).toBeNull();

    const model = await loadModel(log);
    const p = 11, n = 50;
    const x = new Float32Array(n * p);
    const feats = red.columns.map((c, j) => [c, j] as const).filter(([c]) => c !== 'quality');
    for (let i = 0; i < n; i++) feats.forEach(([, j], f) => (x[i * p + f] = (red.data[j] as Float64Array)[i * 7]));
    const got = (model.predict(tf.tensor2d(x, [n, p])) as tf.Tensor).dataSync();
    for (let i = 0; i < n; i++) {
      let want = linear.intercept;
      for (let f = 0; f < p; f++) want += linear.coef[f] * x[i * p + f];
      expect(Math.abs(got[i] - want)).toBeLessThan(1e-4 * Math.max(1, Math.abs(want)));
    }
  });

  it('logs an MLflow Model: tfjs + onnx/python_function flavors, the tutorial signature, input example, environment', async () => {
    const log = new MemoryRunLogger();
    await trainer.train('j4', resolveTrainSpec(tutorial, red), red, log);
    const mlmodel = parseYaml(log.text('model/MLmodel'));
    expect(mlmodel.flavors.tfjs).toMatchObject({ format: 'layers-model', model_json: 'model.json', model_kind: 'elasticnet' });
    const inputs = JSON.parse(mlmodel.signature.inputs);
    expect(inputs).toHaveLength(11);
    expect(inputs[0]).toEqual({ type: 'double', name: 'fixed acidity', required: true });
    // pyfunc answers through the float64 ONNX model: one double column, as sklearn's predict.
    expect(JSON.parse(mlmodel.signature.outputs)).toEqual([{ type: 'double', name: 'predictions' }]);
    expect(mlmodel.flavors.python_function).toMatchObject({ loader_module: 'mlflow.onnx', data: 'model.onnx', env: { virtualenv: 'python_env.yaml' } });
    expect(mlmodel.flavors.onnx).toMatchObject({ data: 'model.onnx' });
    expect(mlmodel.saved_input_example_info).toMatchObject({ artifact_path: 'input_example.json', type: 'dataframe' });
    const example = JSON.parse(log.text('model/input_example.json'));
    expect(example.columns).toEqual(inputs.map((c: { name: string }) => c.name));
    expect(example.data).toHaveLength(5);
    expect(log.text('model/python_env.yaml')).toMatch(/-r requirements.txt/);
    expect(log.text('model/requirements.txt')).toMatch(/onnxruntime/);
    expect(mlmodel.utc_time_created).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
    const size = [...log.artifacts.keys()].filter((k) => k.startsWith('model/') && k !== 'model/MLmodel')
      .reduce((s, k) => s + log.artifacts.get(k)!.bytes.byteLength, 0);
    expect(mlmodel.model_size_bytes).toBe(size);
    const parsed = parseMLmodel(log.text('model/MLmodel'));
    expect(parsed.artifactPath).toBe('model');
    expect(parsed.signature!.inputs).toHaveLength(11);
  });

  it('with standardize, stores the scaler and folds it into the TF.js model', async () => {
    const log = new MemoryRunLogger();
    const res = await trainer.train('j5', resolveTrainSpec({ ...tutorial, params: { alpha: 0.05 }, standardize: true }, red), red, log);
    expect(res.status).toBe('FINISHED');
    const linear = JSON.parse(log.text('model/linear.json')) as LinearModelFile;
    expect(linear.scaler!.mean).toHaveLength(11);
    const model = await loadModel(log);
    const row = linear.feature_names.map((f) => (red.data[red.columns.indexOf(f)] as Float64Array)[3]);
    let exact = linear.intercept;
    row.forEach((v, j) => (exact += linear.coef[j] * (v - linear.scaler!.mean[j]) / linear.scaler!.scale[j]));
    const got = (model.predict(tf.tensor2d([row])) as tf.Tensor).dataSync()[0];
    expect(Math.abs(got - exact)).toBeLessThan(1e-4);
  });

  it('an invalid spec never reaches the trainer: resolveTrainSpec names the field', () => {
    expect(() => resolveTrainSpec({ ...tutorial, target: 'nope' }, red)).toThrow(/target: no column named "nope"/);
  });

  it('a cancel before the fit gives KILLED', async () => {
    const log = new MemoryRunLogger();
    await trainer.cancel('j7'); // arrives before the job starts
    const res = await trainer.train('j7', resolveTrainSpec(tutorial, red), red, log);
    expect(res.status).toBe('KILLED');
    expect(log.history('rmse')).toHaveLength(0);
  });
});

import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { parse as parseYaml } from 'yaml';
import { MemoryRunLogger } from '../../src/lib/training/memory-logger';
import type { TrainSpec, TrainProgress } from '../../src/lib/training/contract';
import { createTrainer, type TrainerDeps } from '../../workers/training/trainer';
import { blobsTable } from './training-helpers';
import { resolveTrainSpec } from '../../src/lib/training/validate';

const loadTf: TrainerDeps['loadTf'] = async () => {
  await tf.setBackend('cpu');
  await tf.ready();
  return { tf, backend: tf.getBackend() };
};
const trainer = createTrainer({ loadTf, flushMs: 5 });
const table = blobsTable(150);

const mlp: TrainSpec = {
  model: 'mlp', target: 'y', features: ['x1', 'x2'],
  params: { epochs: 5, batch_size: 16, hidden_layers: '8,4', learning_rate: 0.05, validation_split: 0.2 },
  split: { seed: 3 },
};
const logistic: TrainSpec = {
  model: 'logistic', target: 'species', features: ['x1', 'x2'],
  params: { epochs: 4, batch_size: 32, learning_rate: 0.1 },
};

function steps(log: MemoryRunLogger, key: string) {
  return log.history(key).map((p) => p.step);
}

describe('TF.js trainer', () => {
  it('MLP regression logs per-epoch histories with step = epoch, test metrics and the model', async () => {
    const log = new MemoryRunLogger();
    const res = await trainer.train('m1', resolveTrainSpec(mlp, table), table, log);
    expect(res.error).toBeUndefined();
    expect(res.status).toBe('FINISHED');
    expect(res.epochsDone).toBe(5);
    for (const key of ['loss', 'train_mse', 'train_mae', 'val_loss', 'val_mse', 'val_mae']) {
      expect(steps(log, key)).toEqual([0, 1, 2, 3, 4]);
    }
    // Training should reduce the loss on this easy linear target.
    const loss = log.history('loss').map((p) => p.value);
    expect(loss[4]).toBeLessThan(loss[0]);
    for (const key of ['rmse', 'mae', 'r2']) expect(Number.isFinite(res.metrics[key])).toBe(true);
    expect(log.last('rmse')).toBe(res.metrics.rmse);
    expect(steps(log, 'mae')).toEqual([0]);
    expect(Object.fromEntries(log.params)).toMatchObject({
      epochs: '5', batch_size: '16', optimizer: 'adam', learning_rate: '0.05', hidden_layers: '8,4',
      activation: 'relu', validation_split: '0.2', early_stopping_patience: '0', l1: '0.0', standardize: 'True',
    });
    expect(log.tags.get('mfflow.tfjs.backend')).toBe('cpu');
    expect(log.tags.get('mfflow.tfjs.version')).toBe(tf.version.tfjs);
    expect(log.text('model_summary.txt')).toContain('dense_Dense');
    expect(parseYaml(log.text('model/MLmodel')).flavors.tfjs.model_kind).toBe('mlp');
    // Metrics crossed the port in a few batches, not one message per point.
    expect(log.metricBatches).toBeLessThan(log.history('loss').length * 6);
  });

  it('the saved model takes raw features: its predictions give the logged test rmse', async () => {
    const log = new MemoryRunLogger();
    const res = await trainer.train('m2', resolveTrainSpec(mlp, table), table, log);
    const json = JSON.parse(log.text('model/model.json'));
    const w = log.artifacts.get('model/weights.bin')!.bytes;
    const model = await tf.loadLayersModel(tf.io.fromMemory({
      modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights,
      weightData: w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength) as ArrayBuffer,
    }));
    // Recompute the test split (seed 3, numpy order) and score the loaded model on raw x.
    const { trainTestSplitNumpy } = await import('../../src/lib/ml/split');
    const { test } = trainTestSplitNumpy(table.rowCount, { seed: 3, testSize: 0.25 });
    const [x1, x2, y] = table.data as Float64Array[];
    const x = tf.tensor2d(Array.from(test, (r) => [x1[r], x2[r]]));
    const pred = (model.predict(x) as tf.Tensor).dataSync();
    let se = 0;
    test.forEach((r, i) => (se += (pred[i] - y[r]) ** 2));
    expect(Math.sqrt(se / test.length)).toBeCloseTo(res.metrics.rmse, 3);
  });

  it('logistic regression: softmax over the classes, accuracy and per-class metrics', async () => {
    const log = new MemoryRunLogger();
    const res = await trainer.train('c1', resolveTrainSpec(logistic, table), table, log);
    expect(res.status).toBe('FINISHED');
    expect(steps(log, 'train_accuracy')).toEqual([0, 1, 2, 3]);
    expect(steps(log, 'accuracy')).toEqual([0]);
    expect(steps(log, 'val_accuracy')).toEqual([0, 1, 2, 3]);
    expect(res.metrics.accuracy).toBeGreaterThan(0.8); // separated blobs
    expect(res.metrics.log_loss).toBeGreaterThan(0);
    for (const c of ['setosa', 'versicolor', 'virginica']) {
      for (const m of ['precision', 'recall', 'f1']) expect(res.metrics[`${m}_${c}`]).toBeGreaterThanOrEqual(0);
    }
    const mlmodel = parseYaml(log.text('model/MLmodel'));
    expect(mlmodel.flavors.tfjs.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    // pyfunc (ONNX) answers the label and one probability column per class.
    expect(JSON.parse(mlmodel.signature.outputs).map((o: { name: string }) => o.name)).toEqual(['label', 'probability_setosa', 'probability_versicolor', 'probability_virginica']);
    expect(mlmodel.flavors.python_function.loader_module).toBe('mlflow.onnx');
    expect(log.params.get('n_classes')).toBe('3');
  });

  it('is reproducible: the same spec and backend give identical metrics', async () => {
    const a = new MemoryRunLogger(), b = new MemoryRunLogger();
    const ra = await trainer.train('r1', resolveTrainSpec(mlp, table), table, a);
    const rb = await trainer.train('r2', resolveTrainSpec(mlp, table), table, b);
    expect(rb.metrics).toEqual(ra.metrics);
    expect(b.history('loss').map((p) => p.value)).toEqual(a.history('loss').map((p) => p.value));
    const rc = await trainer.train('r3', resolveTrainSpec({ ...mlp, split: { seed: 4 } }, table), table, new MemoryRunLogger());
    expect(rc.metrics.rmse).not.toBe(ra.metrics.rmse);
  });

  it('cancel after epoch 2 → KILLED with two epochs of history and no model', async () => {
    const log = new MemoryRunLogger();
    const everyEpoch = createTrainer({ loadTf, flushMs: 5, progressMs: 0 });
    const port = {
      logBatch: log.logBatch.bind(log),
      logArtifact: log.logArtifact.bind(log),
      progress(u: TrainProgress) {
        if (u.phase === 'training' && u.step === 2) void everyEpoch.cancel('k1');
      },
    };
    const res = await everyEpoch.train('k1', resolveTrainSpec({ ...mlp, params: { ...mlp.params, epochs: 50 } }, table), table, port);
    expect(res.status).toBe('KILLED');
    expect(res.epochsDone).toBe(2);
    expect(steps(log, 'loss')).toEqual([0, 1]);
    expect(steps(log, 'val_loss')).toEqual([0, 1]);
    expect(log.artifacts.has('model/model.json')).toBe(false);
  });

  it('early stopping on val_loss stops before the last epoch', async () => {
    const log = new MemoryRunLogger();
    // A huge learning rate with sgd makes val_loss stop improving quickly.
    const res = await trainer.train('e1', resolveTrainSpec({
      ...mlp, params: { ...mlp.params, epochs: 200, early_stopping_patience: 2, learning_rate: 0.5, optimizer: 'sgd' },
    }, table), table, log);
    expect(res.status).toBe('FINISHED');
    expect(res.epochsDone).toBeLessThan(200);
    expect(log.last('stopped_epoch')).toBe(res.epochsDone! - 1);
    expect(steps(log, 'val_loss')).toHaveLength(res.epochsDone!);
  });

  it('linear regression without validation rows logs no val_ metrics and learns the line', async () => {
    const log = new MemoryRunLogger();
    const res = await trainer.train('l1', resolveTrainSpec({
      model: 'linear', target: 'y', features: ['x1', 'x2'],
      params: { epochs: 60, batch_size: 16, learning_rate: 0.1, validation_split: 0 },
    }, table), table, log);
    expect(res.status).toBe('FINISHED');
    expect(log.history('val_loss')).toHaveLength(0);
    expect(steps(log, 'loss')).toHaveLength(60);
    // y = 3·x1 − 2·x2 + 1 + small noise: a linear model gets close.
    expect(res.metrics.r2).toBeGreaterThan(0.99);
    expect(log.text('model_summary.txt')).toMatch(/Total params: 3\b/);
  });

  it('classifies a numeric target: classes are its sorted distinct values', async () => {
    const t = blobsTable(90);
    const klass = Float64Array.from(t.data[3] as string[], (s) => ({ setosa: 7, versicolor: 3, virginica: 5 })[s]!);
    const numeric = { ...t, columns: [...t.columns, 'k'], types: [...t.types, 'number' as const], data: [...t.data, klass] };
    const log = new MemoryRunLogger();
    const res = await trainer.train('n1', resolveTrainSpec({ model: 'logistic', target: 'k', features: ['x1', 'x2'], params: { epochs: 3 } }, numeric), numeric, log);
    expect(res.status).toBe('FINISHED');
    expect(parseYaml(log.text('model/MLmodel')).flavors.tfjs.classes).toEqual(['3', '5', '7']);
    expect(Object.keys(res.metrics)).toEqual(expect.arrayContaining(['precision_3', 'recall_5', 'f1_7']));
  });

  it('leaves no tensors behind (model, optimizer slots, batches), also when killed', async () => {
    await loadTf('cpu');
    const before = tf.memory().numTensors;
    for (const optimizer of ['adam', 'rmsprop', 'adagrad', 'sgd']) {
      await trainer.train(`t-${optimizer}`, resolveTrainSpec({ ...mlp, params: { ...mlp.params, epochs: 2, optimizer, l2: 0.01 } }, table), table, new MemoryRunLogger());
    }
    await trainer.cancel('t-killed');
    const killed = await trainer.train('t-killed', resolveTrainSpec(mlp, table), table, new MemoryRunLogger());
    expect(killed.status).toBe('KILLED');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a training error is FAILED with its message', async () => {
    const failing = createTrainer({ loadTf: async () => { throw new Error('no backend today'); } });
    const res = await failing.train('f1', resolveTrainSpec(mlp, table), table, new MemoryRunLogger());
    expect(res).toMatchObject({ status: 'FAILED', error: 'no backend today' });
  });
});

/**
 * (c) The lab's model export against real MLflow: train the wine elastic net, an MLP and a
 * logistic regression in Node with the lab's trainers, export each run's model with
 * buildModelExport, zip it, unzip it with Python-independent code into a folder, and check that
 * `mlflow.pyfunc.load_model(dir).predict(test_df)` equals the lab's own predictions within 1e-6
 * relative: the float64 formula of linear.json for the elastic net; for the TF.js models, the
 * saved network (loaded by TF.js itself from model.json + weights.bin) evaluated in float64. TF.js's
 * own float32 forward pass is also compared, within float32 rounding (1e-4 relative: the saved
 * networks take raw wine features, whose float32 sums lose ~1e-5).
 */
import { afterAll, describe, expect, test } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { unzipSafe } from '../../src/lib/archive/safe-zip';
import { zipFiles } from '../../src/lib/archive/zip-write';
import { buildModelExport } from '../../src/lib/bundles/model-export';
import { trainTestSplitNumpy } from '../../src/lib/ml/split';
import { MemoryRunLogger } from '../../src/lib/training/memory-logger';
import type { TrainSpec } from '../../src/lib/training/contract';
import type { Run } from '../../src/lib/tracking/types';
import { createTrainer, type TrainerDeps } from '../../workers/training/trainer';
import { wineTable } from '../unit/training-helpers';
import { parse as yamlParse } from 'yaml';
import { runPython } from './python';
import { resolveTrainSpec } from '../../src/lib/training/validate';

/** The loaded TF.js network evaluated in float64 from its own weights (Dense layers only). */
function forward64(model: tf.LayersModel, rows: number[][]): number[] {
  let h = rows.map((r) => r.slice());
  for (const layer of model.layers) {
    const [kernel, bias] = layer.getWeights();
    const [n, m] = kernel.shape as [number, number];
    const w = Array.from(kernel.dataSync());
    const b = Array.from(bias.dataSync());
    const act = (layer.getConfig() as { activation: string }).activation;
    h = h.map((x) => {
      const z = Array.from({ length: m }, (_, u) => x.reduce((s, v, i) => s + v * w[i * m + u], b[u]));
      if (act === 'relu') return z.map((v) => Math.max(0, v));
      if (act === 'softmax') {
        const top = Math.max(...z);
        const e = z.map((v) => Math.exp(v - top));
        const sum = e.reduce((s, v) => s + v, 0);
        return e.map((v) => v / sum);
      }
      if (act !== 'linear') throw new Error(`activation ${act} not in this test`);
      return z;
    });
    void n;
  }
  return h.flat();
}

const dir = mkdtempSync(join(tmpdir(), 'mfflow-model-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const loadTf: TrainerDeps['loadTf'] = async () => {
  await tf.setBackend('cpu');
  await tf.ready();
  return { tf, backend: tf.getBackend() };
};

const FEATURES = ['fixed acidity', 'volatile acidity', 'citric acid', 'residual sugar', 'chlorides', 'free sulfur dioxide',
  'total sulfur dioxide', 'density', 'pH', 'sulphates', 'alcohol'];
const split = { seed: 40, testSize: 0.25 };
const specs: Record<string, TrainSpec> = {
  enet: { model: 'elasticnet', target: 'quality', features: FEATURES, params: { alpha: 0.5, l1_ratio: 0.5 }, split },
  mlp: { model: 'mlp', target: 'quality', features: FEATURES, params: { epochs: 3, batch_size: 64, hidden_layers: '16,8' }, split },
  linear: { model: 'linear', target: 'quality', features: FEATURES, params: { epochs: 3, batch_size: 64 }, split },
  logistic: { model: 'logistic', target: 'quality', features: FEATURES, params: { epochs: 3, batch_size: 64 }, split },
};

function fakeRun(id: string): Run {
  return {
    info: { runId: id, experimentId: '0', runName: id, userId: '', status: 'FINISHED', startTime: 1, endTime: 2, lifecycleStage: 'active', deletedTime: null, artifactUri: '' },
    params: {}, tags: {}, metrics: {}, inputs: [],
  };
}

describe('model export → mlflow.pyfunc', () => {
  test('all four model kinds load in MLflow and predict what the lab predicts', async () => {
    const table = await wineTable();
    const trainer = createTrainer({ loadTf, flushMs: 5 });
    const { test: rows } = trainTestSplitNumpy(table.rowCount, split);
    const col = (name: string) => table.data[table.columns.indexOf(name)] as Float64Array;
    const testRows = Array.from(rows, (r) => FEATURES.map((f) => col(f)[r]));
    const jobs: { id: string; dir: string; columns: string[]; rows: number[][] }[] = [];
    const expected: Record<string, Record<string, number[]>> = {};
    const float32: Record<string, Record<string, number[]>> = {};
    for (const [id, spec] of Object.entries(specs)) {
      const log = new MemoryRunLogger();
      const res = await trainer.train(id, resolveTrainSpec(spec, table), table, log);
      expect(res.error).toBeUndefined();
      const files = new Map<string, Uint8Array>();
      for (const [p, a] of log.artifacts) if (p.startsWith('model/')) files.set(p.slice(6), a.bytes);
      const runId = `${id.padEnd(8, 'x')}0123456789abcdef01234567`;
      const zip = zipFiles(buildModelExport({ run: fakeRun(runId), dir: 'model', files, exampleRows: testRows.slice(0, 3) }));
      const modelDir = join(dir, id);
      for (const [name, bytes] of unzipSafe(zip)) {
        if (name.endsWith('/')) continue;
        mkdirSync(dirname(join(modelDir, name)), { recursive: true });
        writeFileSync(join(modelDir, name), bytes);
      }
      jobs.push({ id, dir: modelDir, columns: FEATURES, rows: testRows });
      if (id === 'enet') {
        const lin = JSON.parse(new TextDecoder().decode(files.get('linear.json')!));
        expected[id] = {
          predictions: testRows.map((x) => x.reduce((s, v, j) => s + lin.coef[j] * (lin.scaler ? (v - lin.scaler.mean[j]) / lin.scaler.scale[j] : v), lin.intercept)),
        };
      } else {
        const json = JSON.parse(new TextDecoder().decode(files.get('model.json')!));
        const w = files.get('weights.bin')!;
        const model = await tf.loadLayersModel(tf.io.fromMemory({
          modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights,
          weightData: w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength) as ArrayBuffer,
        }));
        const out = model.predict(tf.tensor2d(testRows)) as tf.Tensor;
        const f32 = Array.from(out.dataSync());
        const exact = forward64(model, testRows);
        const k = out.shape[1] ?? 1;
        const cols = (v: number[]): Record<string, number[]> => {
          if (id !== 'logistic') return { predictions: v };
          const classes: string[] = (yamlParse(new TextDecoder().decode(files.get('MLmodel')!)) as { flavors: { tfjs: { classes: string[] } } }).flavors.tfjs.classes;
          return Object.fromEntries(classes.map((c, j) => [`probability_${c}`, testRows.map((_, i) => v[i * k + j])]));
        };
        expected[id] = cols(exact);
        float32[id] = cols(f32);
      }
    }
    const got = runPython<Record<string, { columns: Record<string, number[]>; example_rows: number; serving_columns: string[]; flavors: string[]; signature_inputs: string[]; model_uuid: string; run_id: string }>>(
      'bundles_pyfunc.py', [], JSON.stringify(jobs));
    for (const id of Object.keys(specs)) {
      const g = got[id];
      expect(g.flavors).toEqual(['onnx', 'python_function', 'tfjs']);
      expect(g.signature_inputs).toEqual(FEATURES);
      expect(g.serving_columns).toEqual(FEATURES);
      expect(g.example_rows).toBe(3);
      expect(g.model_uuid).toMatch(/^m-[0-9a-f]{32}$/);
      for (const [name, want] of Object.entries(expected[id])) {
        const have = g.columns[name];
        expect(have, `${id}.${name}`).toHaveLength(want.length);
        let worst = 0;
        want.forEach((w, i) => (worst = Math.max(worst, Math.abs(have[i] - w) / Math.max(Math.abs(w), 1e-3))));
        expect(worst, `${id}.${name} worst relative error`).toBeLessThanOrEqual(1e-6);
        const tfjs = float32[id]?.[name];
        if (tfjs) tfjs.forEach((w, i) => expect(Math.abs(have[i] - w)).toBeLessThanOrEqual(1e-4 * Math.max(Math.abs(w), 1)));
      }
      if (id === 'logistic') expect(g.columns.label.length).toBe(testRows.length);
    }
  }, 240_000);
});

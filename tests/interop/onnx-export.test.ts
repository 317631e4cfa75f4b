/**
 * The lab's ONNX exporter against the real thing: every model is checked by onnx.checker, run by
 * onnxruntime and loaded through mlflow.pyfunc (MLmodel written by hand here, after
 * docs/mlflow-formats.md §2.4), and compared with a forward pass computed in this test from the
 * weights: exact float64 arithmetic for float64 models, TF.js itself for float32 networks.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ACTIVATIONS, linearRegressionToOnnx, logisticRegressionToOnnx, mlpToOnnx, probabilityOutputNames, type Activation, type ClassLabel, type DenseLayer, type OnnxDtype } from '../../src/lib/onnx';
import { wineText } from '../data/wine';
import { runPython } from './python';

const dir = mkdtempSync(join(tmpdir(), 'mfflow-onnx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** mulberry32: a small seeded generator so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const uniform = (r: () => number, n: number, lo = -1, hi = 1) => Array.from({ length: n }, () => lo + (hi - lo) * r());
const matrix = (r: () => number, rows: number, cols: number, lo = -1, hi = 1) => Array.from({ length: rows }, () => uniform(r, cols, lo, hi));

interface Job { id: string; bytes: Uint8Array; dtype: OnnxDtype; rows: number[][]; columns?: string[] }
interface Result {
  id: string;
  inputs: [string, string, string[]][];
  outputs: [string, string][];
  ort: Record<string, (number | string)[]>;
  pyfunc: Record<string, (number | string)[]>;
}

/** Writes each model as a minimal MLflow model directory and runs onnx_run.py over all of them. */
function runAll(jobs: Job[]): Map<string, Result> {
  const payload = jobs.map((j) => {
    const modelDir = join(dir, j.id);
    mkdirSync(modelDir, { recursive: true });
    writeFileSync(join(modelDir, 'model.onnx'), j.bytes);
    writeFileSync(
      join(modelDir, 'MLmodel'),
      [
        'flavors:',
        '  onnx:',
        '    data: model.onnx',
        "    onnx_version: '1.18.0'",
        '    providers: [CPUExecutionProvider]',
        '  python_function:',
        '    data: model.onnx',
        '    loader_module: mlflow.onnx',
        "    python_version: '3.11.7'",
        "mlflow_version: '3.17.2'",
        `model_uuid: '${j.id.replace(/\W/g, '')}'`,
        "utc_time_created: '2025-06-01 12:00:00.000000'",
        '',
      ].join('\n'),
    );
    return { id: j.id, path: join(modelDir, 'model.onnx'), dtype: j.dtype, rows: j.rows, pyfunc_dir: modelDir, columns: j.columns };
  });
  const results = runPython<Result[]>('onnx_run.py', [], JSON.stringify(payload));
  return new Map(results.map((r) => [r.id, r]));
}

/** Largest |a − b| / max(|b|, floor) over two equally long arrays. */
function maxRelError(actual: ArrayLike<number>, expected: ArrayLike<number>, floor = 1e-12): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / Math.max(Math.abs(expected[i]), floor));
  return worst;
}

// ---- float64 reference forward pass, written from the definitions of the activations ----
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const SELU_A = 1.6732632423543772, SELU_G = 1.0507009873554805;
const act: Record<Exclude<Activation, 'softmax'>, (x: number) => number> = {
  linear: (x) => x,
  relu: (x) => Math.max(0, x),
  relu6: (x) => Math.min(Math.max(0, x), 6),
  elu: (x) => (x > 0 ? x : Math.expm1(x)),
  selu: (x) => SELU_G * (x > 0 ? x : SELU_A * Math.expm1(x)),
  softplus,
  softsign: (x) => x / (1 + Math.abs(x)),
  tanh: Math.tanh,
  sigmoid,
  hardSigmoid: (x) => Math.min(1, Math.max(0, 0.2 * x + 0.5)),
  swish: (x) => x * sigmoid(x),
  mish: (x) => x * Math.tanh(softplus(x)),
};

function forward64(layers: DenseLayer[], row: number[]): number[] {
  let h = row;
  for (const { weights, shape: [fanIn, fanOut], bias, activation } of layers) {
    const z = Array.from({ length: fanOut }, (_, o) => {
      let s = bias[o];
      for (let i = 0; i < fanIn; i++) s += h[i] * weights[i * fanOut + o];
      return s;
    });
    if (activation === 'softmax') {
      const m = Math.max(...z);
      const e = z.map((v) => Math.exp(v - m));
      const total = e.reduce((a, b) => a + b, 0);
      h = e.map((v) => v / total);
    } else {
      h = z.map(act[activation]);
    }
  }
  return h;
}

const column = (rows: number[][], j: number) => rows.map((r) => r[j]);
const argmax = (xs: number[]) => xs.indexOf(Math.max(...xs));

function randomLayers(r: () => number, sizes: number[], activations: Activation[]): DenseLayer[] {
  return activations.map((activation, i) => ({
    weights: uniform(r, sizes[i] * sizes[i + 1]),
    shape: [sizes[i], sizes[i + 1]] as [number, number],
    bias: uniform(r, sizes[i + 1], -0.5, 0.5),
    activation,
  }));
}

/** Checks a classifier's outputs (from ORT and from pyfunc) against reference probabilities. */
function expectClassifier(res: Result, probs: number[][], classes: ClassLabel[], tol: number, { floor = 1e-3, minGap = 0 } = {}): number {
  let worst = 0;
  const names = probabilityOutputNames(classes);
  expect(res.outputs.map((o) => o[0])).toEqual(['label', ...names]);
  for (const out of [res.ort, res.pyfunc]) {
    names.forEach((n, j) => (worst = Math.max(worst, maxRelError(out[n] as number[], column(probs, j), floor))));
    expect(worst).toBeLessThan(tol);
    probs.forEach((p, i) => {
      const sorted = [...p].sort((a, b) => b - a);
      if (sorted[0] - sorted[1] > minGap) expect(out.label[i]).toEqual(typeof classes[0] === 'number' ? classes[argmax(p)] : String(classes[argmax(p)]));
    });
  }
  return worst;
}

describe('float64 models match an exact float64 forward pass', () => {
  test('linear regression, logistic regression and an MLP per activation', () => {
    const r = rng(42);
    const jobs: Job[] = [];
    const expectations: ((m: Map<string, Result>) => void)[] = [];
    const rows = matrix(r, 64, 5, -3, 3);

    // Linear regression with and without standardisation, columns named like a DataFrame's.
    const coef = uniform(r, 5, -2, 2), intercept = 5.5;
    const scaler = { mean: uniform(r, 5), scale: uniform(r, 5, 0.5, 3) };
    for (const withScaler of [false, true]) {
      const id = `linear64_${withScaler}`;
      jobs.push({ id, dtype: 'float64', rows, columns: ['a', 'b', 'c', 'd', 'e'], bytes: linearRegressionToOnnx({ coef, intercept, scaler: withScaler ? scaler : undefined, featureNames: ['a', 'b', 'c', 'd', 'e'] }) });
      const expected = rows.map((x) => x.reduce((s, v, j) => s + (withScaler ? (v - scaler.mean[j]) / scaler.scale[j] : v) * coef[j], intercept));
      expectations.push((m) => {
        const res = m.get(id)!;
        expect(res.inputs).toEqual([['input', 'tensor(double)', ['N', '5']]]);
        expect(res.outputs).toEqual([['predictions', 'tensor(double)']]);
        expect(maxRelError(res.ort.predictions as number[], expected)).toBeLessThan(1e-12);
        expect(res.pyfunc.predictions).toEqual(res.ort.predictions);
      });
    }

    // Logistic regression: multinomial with integer labels, binary sigmoid with string labels.
    const variants = [['logreg64_multi', 3, [3, 5, 8]], ['logreg64_binary', 1, ['red wine', 'white']], ['logreg64_real', 2, [0.5, -1.25]]] as const;
    for (const [id, k, classes] of variants) {
      const layer: DenseLayer = { weights: uniform(r, 5 * k, -2, 2), shape: [5, k], bias: uniform(r, k), activation: k === 1 ? 'sigmoid' : 'softmax' };
      jobs.push({ id, dtype: 'float64', rows, bytes: logisticRegressionToOnnx({ weights: layer.weights, bias: layer.bias, classes, scaler, dtype: 'float64' }) });
      const probs = rows.map((x) => {
        const p = forward64([layer], x.map((v, j) => (v - scaler.mean[j]) / scaler.scale[j]));
        return k === 1 ? [1 - p[0], p[0]] : p;
      });
      expectations.push((m) => expectClassifier(m.get(id)!, probs, [...classes], 1e-9));
    }

    // One regression MLP per hidden activation, plus a softmax classifier on top of it.
    for (const a of ACTIVATIONS) {
      const layers = randomLayers(r, [5, 7, 1], [a, 'linear']);
      const id = `mlp64_${a}`;
      jobs.push({ id, dtype: 'float64', rows, bytes: mlpToOnnx({ layers, task: { kind: 'regression' }, dtype: 'float64' }) });
      const expected = rows.map((x) => forward64(layers, x)[0]);
      expectations.push((m) => expect(maxRelError(m.get(id)!.ort.predictions as number[], expected, 1e-9)).toBeLessThan(1e-12));
    }
    const clfLayers = randomLayers(r, [5, 6, 4, 3], ['tanh', 'relu', 'softmax']);
    jobs.push({ id: 'mlp64_clf', dtype: 'float64', rows, bytes: mlpToOnnx({ layers: clfLayers, task: { kind: 'classification', classes: ['a', 'b', 'c'] }, dtype: 'float64' }) });
    expectations.push((m) => expectClassifier(m.get('mlp64_clf')!, rows.map((x) => forward64(clfLayers, x)), ['a', 'b', 'c'], 1e-12));

    const results = runAll(jobs);
    for (const check of expectations) check(results);
  });
});

describe('float32 networks match TF.js predictions', () => {
  /** A TF.js Sequential of Dense layers carrying the given weights, and the same layers for the exporter. */
  function tfModel(r: () => number, sizes: number[], activations: Activation[]): { model: tf.Sequential; layers: DenseLayer[] } {
    const model = tf.sequential();
    activations.forEach((activation, i) => model.add(tf.layers.dense({ units: sizes[i + 1], activation, ...(i === 0 ? { inputShape: [sizes[0]] } : {}) })));
    const layers: DenseLayer[] = model.layers.map((layer, i) => {
      const kernel = Float32Array.from(uniform(r, sizes[i] * sizes[i + 1]));
      const bias = Float32Array.from(uniform(r, sizes[i + 1], -0.5, 0.5));
      layer.setWeights([tf.tensor2d(kernel, [sizes[i], sizes[i + 1]]), tf.tensor1d(bias)]);
      // Read back what the layer holds, so the export is fed the trained model's own arrays.
      const [k, b] = layer.getWeights().map((w) => w.dataSync() as Float32Array);
      return { weights: k, shape: [sizes[i], sizes[i + 1]] as [number, number], bias: b, activation: activations[i] };
    });
    return { model, layers };
  }
  const predict = (model: tf.Sequential, rows: number[][]) =>
    tf.tidy(() => (model.predict(tf.tensor2d(rows)) as tf.Tensor).arraySync() as number[][]);

  test('regressors for every activation and classifiers, through onnxruntime and mlflow.pyfunc', () => {
    const r = rng(7);
    const p = 6;
    const rows = matrix(r, 200, p, -3, 3).map((row) => row.map(Math.fround));
    const jobs: Job[] = [];
    const checks: ((m: Map<string, Result>) => void)[] = [];
    const worst: Record<string, number> = {};

    for (const a of ACTIVATIONS) {
      const { model, layers } = tfModel(r, [p, 8, 1], [a, 'linear']);
      const expected = predict(model, rows).map((y) => y[0]);
      const id = `mlp32_${a}`;
      jobs.push({ id, dtype: 'float32', rows, bytes: mlpToOnnx({ layers, task: { kind: 'regression' } }) });
      checks.push((m) => {
        const res = m.get(id)!;
        expect(res.inputs).toEqual([['input', 'tensor(float)', ['N', String(p)]]]);
        // Relative to max(|y|, 1): outputs near 0 carry the absolute rounding of their terms.
        for (const out of [res.ort, res.pyfunc]) worst[a] = Math.max(worst[a] ?? 0, maxRelError(out.predictions as number[], expected, 1));
        expect(worst[a]).toBeLessThan(5e-6); // measured ≤ 8e-7
      });
    }

    // With a standardisation step: the lab standardises in float64 and hands TF.js float32 values.
    const scaler = { mean: uniform(r, p), scale: uniform(r, p, 0.5, 3) };
    const standardized = rows.map((x) => x.map((v, j) => (v - scaler.mean[j]) / scaler.scale[j]));
    const clf = tfModel(r, [p, 10, 5, 3], ['relu', 'tanh', 'softmax']);
    jobs.push({ id: 'clf32', dtype: 'float32', rows, bytes: mlpToOnnx({ layers: clf.layers, scaler, task: { kind: 'classification', classes: [4, 5, 6] } }) });
    const clfProbs = predict(clf.model, standardized);
    // Probabilities are compared in absolute terms: float32 rounding is absolute near 0 and 1.
    checks.push((m) => (worst.softmax_classifier = expectClassifier(m.get('clf32')!, clfProbs, [4, 5, 6], 1e-6, { floor: 1, minGap: 1e-4 })));

    const bin = tfModel(r, [p, 1], ['sigmoid']);
    jobs.push({ id: 'bin32', dtype: 'float32', rows, bytes: logisticRegressionToOnnx({ weights: bin.layers[0].weights, bias: bin.layers[0].bias, classes: ['no', 'yes'] }) });
    const binProbs = predict(bin.model, rows).map(([q]) => [1 - q, q]);
    checks.push((m) => (worst.sigmoid_classifier = expectClassifier(m.get('bin32')!, binProbs, ['no', 'yes'], 1e-6, { floor: 1, minGap: 1e-4 })));

    const results = runAll(jobs);
    for (const check of checks) check(results);
    console.log('float32 ONNX vs TF.js, max error relative to max(|y|, 1):', JSON.stringify(worst));
  });
});

describe('a wine elastic net exported as ONNX', () => {
  test('float64 reproduces the exact predictions through mlflow.pyfunc; float32 is measured', async () => {
    const csv = join(dir, 'winequality-red.csv');
    writeFileSync(csv, await wineText('winequality-red.csv'));
    type Fit = { coef: number[]; intercept: number; mean?: number[]; scale?: number[] };
    const fit = runPython<{ columns: string[]; rows: number[][]; raw: Fit; scaled: Fit }>('onnx_wine_fit.py', [csv]);
    const jobs: Job[] = [];
    const exact = new Map<string, number[]>();
    for (const variant of ['raw', 'scaled'] as const) {
      const { coef, intercept, mean, scale } = fit[variant];
      const scaler = mean && scale ? { mean, scale } : undefined;
      exact.set(variant, fit.rows.map((x) => x.reduce((s, v, j) => s + (scaler ? (v - scaler.mean[j]) / scaler.scale[j] : v) * coef[j], intercept)));
      for (const dtype of ['float64', 'float32'] as const) {
        const bytes = linearRegressionToOnnx({ coef, intercept, scaler, dtype, featureNames: fit.columns });
        jobs.push({ id: `wine_${variant}_${dtype}`, dtype, rows: fit.rows, columns: fit.columns, bytes });
      }
    }
    const results = runAll(jobs);
    const errors: Record<string, number> = {};
    for (const [id, res] of results) {
      const expected = exact.get(id.split('_')[1])!;
      errors[id] = maxRelError(res.pyfunc.predictions as number[], expected);
      if (id.endsWith('float64')) expect(errors[id]).toBeLessThan(1e-12);
    }
    console.log('wine elastic net, max relative error of mlflow.pyfunc predictions vs exact float64:', JSON.stringify(errors));
  });
});

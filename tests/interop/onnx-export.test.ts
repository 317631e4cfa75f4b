/**
 * The lab's ONNX exporter against the real thing: every model is checked by onnx.checker, run by
 * onnxruntime and loaded through mlflow.pyfunc (MLmodel written by hand here, after
 * mlflow-formats.md §2.4), and compared with a forward pass computed in this test from the
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
function expectClassifier(res: Result, probs: number[][], classes: ClassLabel[], tol: number, minGap = 0) {
  const names = probabilityOutputNames(classes);
  expect(res.outputs.map((o) => o[0])).toEqual(['label', ...names]);
  for (const out of [res.ort, res.pyfunc]) {
    names.forEach((n, j) => expect(maxRelError(out[n] as number[], column(probs, j), 1e-3)).toBeLessThan(tol));
    probs.forEach((p, i) => {
      const sorted = [...p].sort((a, b) => b - a);
      if (sorted[0] - sorted[1] > minGap) expect(out.label[i]).toEqual(typeof classes[0] === 'number' ? classes[argmax(p)] : String(classes[argmax(p)]));
    });
  }
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
    for (const [id, k, classes] of [['logreg64_multi', 3, [3, 5, 8]], ['logreg64_binary', 1, ['red wine', 'white']]] as const) {
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

/**
 * In-page serving against the real scoring server. The wine elastic net and an MLP are trained
 * in Node with the lab's trainers; the lab answers each request the way the Serve page and the
 * service worker's /invocations do (src/state/serving.svelte.ts `invoke`: parse against the
 * signature, the predict worker's predictor, MLflow's answer shapes). The same runs' models go
 * through the lab's exporter (buildModelExport, what `mfflow.exportModel` zips) and are served by
 * `mlflow models serve --env-manager local`, which loads the ONNX flavor. Same HTTP status and
 * error_code; predictions within 1e-6 relative for the elastic net (both float64) and 1e-4 for
 * the MLP (the lab's TF.js forward pass is float32, ONNX runs the same weights in float64).
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
import { inputSchemaOf, paramSpecsOf } from '../../src/lib/serving/input-schema';
import { describeModel, type ModelFiles } from '../../src/lib/serving/worker-api';
import { parseScoringRequest, requireFiniteRows } from '../../src/lib/serving/scoring-request';
import { errorAnswer, successAnswer, type ScoringAnswer } from '../../src/lib/serving/scoring-response';
import { MemoryRunLogger } from '../../src/lib/training/memory-logger';
import type { TrainSpec } from '../../src/lib/training/contract';
import type { Run } from '../../src/lib/tracking/types';
import { createTrainer, type TrainerDeps } from '../../workers/training/trainer';
import { createPredictor } from '../../workers/serving/predictor';
import { wineTable } from '../unit/training-helpers';
import { runPython } from './python';
import { resolveTrainSpec } from '../../src/lib/training/validate';

const FEATURES = ['fixed acidity', 'volatile acidity', 'citric acid', 'residual sugar', 'chlorides', 'free sulfur dioxide',
  'total sulfur dioxide', 'density', 'pH', 'sulphates', 'alcohol'];
const split = { seed: 40, testSize: 0.25 };
const SPECS: Record<string, { spec: TrainSpec; rel: number }> = {
  enet: { spec: { model: 'elasticnet', target: 'quality', features: FEATURES, params: { alpha: 0.5, l1_ratio: 0.5 }, split }, rel: 1e-6 },
  mlp: { spec: { model: 'mlp', target: 'quality', features: FEATURES, params: { epochs: 3, batch_size: 64, hidden_layers: '16,8' }, split }, rel: 1e-4 },
};

const dir = mkdtempSync(join(tmpdir(), 'mfflow-serve-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const loadTf = async () => {
  await tf.setBackend('cpu');
  await tf.ready();
  return tf;
};
const trainerTf: TrainerDeps['loadTf'] = async () => ({ tf: await loadTf(), backend: 'cpu' });

function fakeRun(id: string): Run {
  return {
    info: { runId: id, experimentId: '0', runName: id, userId: '', status: 'FINISHED', startTime: 1, endTime: 2, lifecycleStage: 'active', deletedTime: null, artifactUri: '' },
    params: {}, tags: {}, metrics: {}, inputs: [],
  };
}

/** The Serve page's `invoke`, minus the registry lookup and the worker's message hop. */
async function labAnswer(files: ModelFiles, body: string, contentType: string): Promise<ScoringAnswer> {
  const predictor = createPredictor({ loadTf });
  const info = await predictor.load('m', files);
  const { mlmodel } = describeModel(files);
  try {
    const batch = await parseScoringRequest(body, contentType, inputSchemaOf(mlmodel.signature), paramSpecsOf(mlmodel.signature));
    if (info.engine === 'linear') requireFiniteRows(batch);
    return successAnswer(await predictor.predict('m', batch.columns));
  } catch (e) {
    return errorAnswer(e);
  }
}

const parse = (text: string) => JSON.parse(text.replace(/\b(-?Infinity|NaN)\b/g, 'null')) as { predictions?: unknown[]; error_code?: string };

describe('in-page serving vs mlflow models serve --env-manager local', async () => {
  const table = await wineTable();
  const col = (name: string) => table.data[table.columns.indexOf(name)] as Float64Array;
  const { test: testIdx } = trainTestSplitNumpy(table.rowCount, split);
  const rows = Array.from(testIdx, (r) => FEATURES.map((f) => col(f)[r]));
  const rec = (r: number[]) => Object.fromEntries(FEATURES.map((n, j) => [n, r[j]]));
  const json = 'application/json';
  const CASES = [
    { name: 'dataframe_split, the whole test set', body: JSON.stringify({ dataframe_split: { columns: FEATURES, data: rows } }), content_type: json },
    { name: 'dataframe_records', body: JSON.stringify({ dataframe_records: rows.slice(0, 5).map(rec) }), content_type: json },
    { name: 'instances', body: JSON.stringify({ instances: rows.slice(5, 9).map(rec) }), content_type: json },
    { name: 'inputs as columns', body: JSON.stringify({ inputs: Object.fromEntries(FEATURES.map((n, j) => [n, rows.slice(0, 3).map((r) => r[j])])) }), content_type: json },
    { name: 'text/csv', body: `${FEATURES.join(',')}\n${rows.slice(0, 4).map((r) => r.join(',')).join('\n')}\n`, content_type: 'text/csv' },
    { name: 'an extra column', body: JSON.stringify({ dataframe_split: { columns: ['id', ...FEATURES], data: [[1, ...rows[0]]] } }), content_type: json },
    { name: 'malformed JSON', body: '{"dataframe_split": {"columns": [', content_type: json },
    { name: 'two format keys', body: JSON.stringify({ dataframe_split: { columns: FEATURES, data: [rows[0]] }, instances: [rec(rows[0])] }), content_type: json },
    { name: 'missing columns', body: JSON.stringify({ dataframe_records: [{ alcohol: 9.4 }] }), content_type: json },
    { name: 'a word in a double column', body: JSON.stringify({ dataframe_split: { columns: FEATURES, data: [['abc', ...rows[0].slice(1)]] } }), content_type: json },
    { name: 'application/xml', body: '<x/>', content_type: 'application/xml' },
  ];

  for (const [id, { spec, rel }] of Object.entries(SPECS)) {
    test(`${id}: same statuses, error codes and predictions`, async () => {
      const log = new MemoryRunLogger();
      const res = await createTrainer({ loadTf: trainerTf, flushMs: 5 }).train(id, resolveTrainSpec(spec, table), table, log);
      expect(res.error).toBeUndefined();
      const files: ModelFiles = {};
      for (const [p, a] of log.artifacts) if (p.startsWith('model/')) files[p.slice(6)] = a.bytes;
      const zip = zipFiles(buildModelExport({ run: fakeRun(`${id.padEnd(8, 'x')}0123456789abcdef01234567`), dir: 'model', files: new Map(Object.entries(files)), exampleRows: rows.slice(0, 3) }));
      const modelDir = join(dir, id);
      for (const [name, bytes] of unzipSafe(zip)) {
        if (name.endsWith('/')) continue;
        mkdirSync(dirname(join(modelDir, name)), { recursive: true });
        writeFileSync(join(modelDir, name), bytes);
      }
      const port = String(5500 + Math.floor(Math.random() * 400));
      const theirs = runPython<{ ping: number; version: [number, string]; answers: { name: string; status: number; body: string }[] }>(
        'serving_mlflow_serve.py', [modelDir, port], JSON.stringify(CASES));
      expect(theirs.ping).toBe(200);
      let compared = 0;
      for (const [i, c] of CASES.entries()) {
        const t = theirs.answers[i];
        const mine = await labAnswer(files, c.body, c.content_type);
        expect(mine.status, `${c.name}: ${t.body.slice(0, 300)} / ${mine.body.slice(0, 300)}`).toBe(t.status);
        if (t.status === 415) continue;
        const a = parse(mine.body);
        const b = parse(t.body);
        if (t.status !== 200) {
          expect(a.error_code, c.name).toBe(b.error_code);
          continue;
        }
        // The exported model is served through its ONNX flavor, whose named output makes pyfunc
        // answer records (`[{"predictions": y}, …]`); the lab answers the flat list the tutorial's
        // sklearn model gets. The values are what must agree.
        const want = b.predictions!.map((r): number => (typeof r === 'object' && r !== null ? Object.values(r as Record<string, number>)[0] : (r as number)));
        expect(a.predictions!.length, c.name).toBe(want.length);
        (a.predictions as number[]).forEach((y, k) => {
          expect(Math.abs(y - want[k]) / Math.max(Math.abs(want[k]), 1e-3), `${c.name} row ${k}`).toBeLessThanOrEqual(rel);
          compared++;
        });
      }
      expect(compared).toBeGreaterThan(rows.length);
    }, 240_000);
  }
});

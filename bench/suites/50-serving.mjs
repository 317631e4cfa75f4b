// Serving figures (issue "Model registry and in-page serving"): single-row latency through the
// predict worker, the service worker's /invocations, and batch throughput of the Serve page's
// CSV scoring for the wine elastic net (exact float64 path) and an MLP (TF.js).
//
// Single row: `mfflow.predict(uri, {dataframe_split: 1 row})` timed on the page, 1,000 calls
// after 100 warm-ups: signature parsing, the message hop to the predict worker and back, and the
// prediction (so it bounds the time inside the worker from above). Batch: a generated CSV of
// wine-like rows goes through the Serve page's "Score a CSV file"; the page times the scoring
// alone (chunks of 65,536 rows through the worker) and shows rows/s, which is read back here.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openLab } from './lib.mjs';

const RED_URL = 'https://raw.githubusercontent.com/mlflow/mlflow/master/tests/datasets/winequality-red.csv';
const FEATURES = ['fixed acidity', 'volatile acidity', 'citric acid', 'residual sugar', 'chlorides', 'free sulfur dioxide',
  'total sulfur dioxide', 'density', 'pH', 'sulphates', 'alcohol'];
const ROW = [7.4, 0.7, 0, 1.9, 0.076, 11, 34, 0.9978, 3.51, 0.56, 9.4];

function redWine(root) {
  for (const p of [resolve(root, '../shared/data/winequality-red.csv'), join(root, '.cache/data/winequality-red.csv')]) if (existsSync(p)) return readFileSync(p);
  throw new Error('winequality-red.csv not found in ../shared/data or .cache/data (run the training e2e once)');
}

/** `rows` wine-like rows: the first row with each value jittered, as CSV text. */
function batchCsv(rows) {
  const lines = [FEATURES.map((f) => (f.includes(' ') ? `"${f}"` : f)).join(',')];
  let seed = 1;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < rows; i++) lines.push(ROW.map((v) => (v * (0.8 + 0.4 * rnd())).toPrecision(6)).join(','));
  return Buffer.from(`${lines.join('\n')}\n`);
}

async function batchRowsPerSecond(page, uri, rows, csv) {
  await page.evaluate((u) => (location.hash = `#/serve?model=${encodeURIComponent(u)}`), uri);
  await page.getByRole('form', { name: 'Prediction form' }).waitFor({ timeout: 60_000 });
  await page.getByLabel('Score a CSV file').setInputFiles({ name: `batch-${rows}.csv`, mimeType: 'text/csv', buffer: csv });
  const done = page.getByRole('status').filter({ hasText: /^Scored/ });
  await done.waitFor({ timeout: 300_000 });
  const text = await done.textContent();
  const m = /at ([\d,]+) rows\/s/.exec(text);
  if (!m) throw new Error(`no rows/s in "${text}"`);
  return Number(m[1].replace(/,/g, ''));
}

export async function run({ context, base, report, root }) {
  const body = redWine(root);
  await context.route(RED_URL, (route) => route.fulfill({ body, contentType: 'text/csv', headers: { 'access-control-allow-origin': '*' } }));
  const page = await context.newPage();
  await openLab(page, base);
  await page.evaluate(async (url) => {
    const d = await window.mfflow.loadDataset(url);
    await window.mfflow.setExperiment('bench-serving');
    const enet = await window.mfflow.train({ dataset: d.digest, model: 'elasticnet', target: 'quality', params: { alpha: 0.5, l1_ratio: 0.5 } });
    const mlp = await window.mfflow.train({ dataset: d.digest, model: 'mlp', target: 'quality', params: { epochs: 2, batch_size: 64, hidden_layers: '64,32' } });
    await window.mfflow.registerModel(enet.info.runId, 'model', 'wine');
    await window.mfflow.setAlias('wine', 'champion', 1);
    await window.mfflow.registerModel(mlp.info.runId, 'model', 'wine-mlp');
  }, RED_URL);

  // 1. Single-row latency through the predict worker.
  const single = await page.evaluate(async ({ columns, row }) => {
    const payload = { dataframe_split: { columns, data: [row] } };
    const out = {};
    for (const uri of ['models:/wine@champion', 'models:/wine-mlp/1']) {
      for (let i = 0; i < 100; i++) await window.mfflow.predict(uri, payload);
      const ms = [];
      for (let i = 0; i < 1000; i++) {
        const t0 = performance.now();
        await window.mfflow.predict(uri, payload);
        ms.push(performance.now() - t0);
      }
      ms.sort((a, b) => a - b);
      out[uri] = { p50: ms[499], p99: ms[989] };
    }
    return out;
  }, { columns: FEATURES, row: ROW });
  report('serving: elastic net single row p50 (page → predict worker → page)', single['models:/wine@champion'].p50, 'ms', { max: 2 });
  report('serving: elastic net single row p99', single['models:/wine@champion'].p99, 'ms');
  report('serving: MLP single row p50', single['models:/wine-mlp/1'].p50, 'ms');
  report('serving: MLP single row p99', single['models:/wine-mlp/1'].p99, 'ms');

  // 2. The same request as HTTP through the service worker (page fetch → SW → page → worker).
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
  // Every answer is checked: HTTP 200 and the same predictions as mfflow.predict gave.
  const http = await page.evaluate(async ({ columns, row }) => {
    const payload = { dataframe_split: { columns, data: [row] } };
    const expected = JSON.stringify((await window.mfflow.predict('models:/wine@champion', payload)).predictions);
    const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) };
    const url = `./invocations?model=${encodeURIComponent('models:/wine@champion')}`;
    const call = async (i) => {
      const res = await fetch(url, init);
      const text = await res.text();
      let got;
      try { got = JSON.stringify(JSON.parse(text).predictions); } catch { got = undefined; }
      if (res.status !== 200 || got !== expected) throw new Error(`/invocations call ${i}: HTTP ${res.status} ${text.slice(0, 200)}, expected predictions ${expected}`);
    };
    for (let i = 0; i < 50; i++) await call(i);
    const ms = [];
    for (let i = 0; i < 500; i++) {
      const t0 = performance.now();
      await call(i);
      ms.push(performance.now() - t0);
    }
    ms.sort((a, b) => a - b);
    return { p50: ms[249], p99: ms[494] };
  }, { columns: FEATURES, row: ROW });
  report('serving: /invocations single row p50 (service worker)', http.p50, 'ms');
  report('serving: /invocations single row p99', http.p99, 'ms');

  // 3. Batch throughput of the Serve page's CSV scoring.
  const rows = 500_000;
  const csv = batchCsv(rows);
  report('serving: elastic net batch (500k rows)', await batchRowsPerSecond(page, 'models:/wine@champion', rows, csv), 'rows/s', { min: 200_000 });
  report('serving: MLP 64-32 batch (500k rows)', await batchRowsPerSecond(page, 'models:/wine-mlp/1', rows, csv), 'rows/s');
}

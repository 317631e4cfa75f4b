/**
 * The sharing journey in the built lab, nothing built by hand (issue 10): in Chromium,
 * `mfflow.train` (elastic net, MLP, logistic classifier) → `registerModel` → `setAlias('champion')`
 * → `exportLab()`; then real MLflow opens the unpacked export and loads `models:/<name>@champion`
 * and `runs:/<id>/model` with mlflow.pyfunc, predicting the lab's own numbers (`mfflow.predict`):
 * elastic net within 1e-9, MLP and classifier probabilities within 1e-4, same labels; and
 * `mlflow models serve` answers the same for the champion. The SQLite layout (the default) is
 * opened by MLflow 3.17.2 with no flag and no migration; the mlruns/ layout by MLflow 3.17.2
 * (MLFLOW_ALLOW_FILE_STORE) and by MLflow 2.22.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { winePath } from '../data/wine';
import { PYTHON, PYTHON2, runPython } from './python';

const root = resolve(__dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'mfflow-journey-'));
const port = 20_000 + Math.floor(Math.random() * 20_000);
let server: ChildProcess;
let browser: Browser;
let page: Page;

const FEATURES = ['fixed acidity', 'volatile acidity', 'citric acid', 'residual sugar', 'chlorides', 'free sulfur dioxide',
  'total sulfur dioxide', 'density', 'pH', 'sulphates', 'alcohol'];
const MODELS = [
  { name: 'wine', spec: { model: 'elasticnet', params: { alpha: 0.5, l1_ratio: 0.5 } }, tol: 1e-9 },
  { name: 'wine-mlp', spec: { model: 'mlp', params: { epochs: 3, batch_size: 64, hidden_layers: '16,8' } }, tol: 1e-4 },
  { name: 'wine-class', spec: { model: 'logistic', params: { epochs: 3 } }, tol: 1e-4 },
] as const;

interface LabModel { name: string; runId: string; predictions: unknown[] }
interface Loaded { mlflow: string; loaded: Record<string, { columns?: Record<string, (number | string)[]>; error?: string }>; served: { status: number; body: { predictions: unknown } } | null }

let rows: number[][];
let lab: LabModel[];

beforeAll(async () => {
  if (!existsSync(join(root, 'dist/index.html'))) execFileSync('npx', ['vite', 'build'], { cwd: root, stdio: 'ignore' });
  server = spawn('node', ['scripts/serve.mjs', '--port', String(port), '--prefix', '/lab/'], { cwd: root, stdio: 'ignore' });
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  page = await browser.newPage();
  for (let i = 0; ; i++) {
    try {
      await page.goto(`http://127.0.0.1:${port}/lab/`);
      break;
    } catch (e) {
      if (i > 50) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  await page.locator('html[data-lab-ready="true"]').waitFor({ state: 'attached', timeout: 30_000 });
  const csv = readFileSync(await winePath('winequality-red.csv'), 'utf8');
  rows = csv.trim().split('\n').slice(1, 21).map((l) => l.split(';').slice(0, 11).map(Number));
  lab = await page.evaluate(async ({ csv, models, rows, features }) => {
    const api = window.mfflow;
    await api.setExperiment('wine');
    const ds = await api.loadDataset(new File([csv], 'winequality-red.csv', { type: 'text/csv' }));
    const out = [];
    for (const m of models) {
      const run = await api.train({ dataset: ds.digest, target: 'quality', ...m.spec } as never);
      if (run.info.status !== 'FINISHED') throw new Error(`${m.name}: ${run.info.status} ${JSON.stringify(run.tags)}`);
      const v = await api.registerModel(run.info.runId, 'model', m.name);
      await api.setAlias(m.name, 'champion', v.version);
      const res = (await api.predict(`models:/${m.name}@champion`, { dataframe_split: { columns: features, data: rows } })) as { predictions?: unknown };
      out.push({ name: m.name, runId: run.info.runId, predictions: res.predictions as unknown[] });
    }
    return out;
  }, { csv, models: MODELS as unknown as { name: string; spec: Record<string, unknown> }[], rows, features: FEATURES });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  server?.kill();
  rmSync(work, { recursive: true, force: true });
});

async function exportLab(layout?: string): Promise<Uint8Array> {
  const b64 = await page.evaluate(async (layout) => {
    const f = await (layout ? (window.mfflow.exportLab as (o: unknown) => Promise<File>)({ layout }) : window.mfflow.exportLab());
    const bytes = new Uint8Array(await f.arrayBuffer());
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  }, layout);
  return new Uint8Array(Buffer.from(b64, 'base64'));
}

function unpack(zip: Uint8Array, name: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}.zip`, zip);
  execFileSync(PYTHON, ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', `${dir}.zip`, dir]);
  return dir;
}

function jobs() {
  return lab.flatMap((m) => [
    { id: `${m.name}@champion`, uri: `models:/${m.name}@champion`, columns: FEATURES, rows },
    { id: `${m.name}:run`, uri: `runs:/${m.runId}/model`, columns: FEATURES, rows },
  ]);
}

/** The lab's predictions vs MLflow's: numbers within the model's tolerance, labels equal. */
function expectSame(m: LabModel, tol: number, got: { columns?: Record<string, (number | string)[]>; error?: string }) {
  expect(got.error).toBeUndefined();
  const cols = got.columns!;
  const first = m.predictions[0];
  if (typeof first === 'number') {
    const p = cols.predictions ?? Object.values(cols)[0];
    expect(p).toHaveLength(rows.length);
    (m.predictions as number[]).forEach((want, i) => expect(Math.abs((p[i] as number) - want)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want))));
    return;
  }
  // A classifier: the lab answers per row; MLflow's ONNX model a label column and one probability column per class.
  const labels = (m.predictions as Record<string, unknown>[]).map((r) => String(r.label ?? r.prediction ?? r));
  expect(cols.label.map(String)).toEqual(labels);
  const probs = (m.predictions as Record<string, unknown>[]).map((r) => r.probabilities as number[] | undefined);
  if (probs[0]) {
    const pcols = Object.keys(cols).filter((c) => c.startsWith('probability_'));
    probs.forEach((pr, i) => pr!.forEach((v, j) => expect(Math.abs((cols[pcols[j]][i] as number) - v)).toBeLessThanOrEqual(tol)));
  }
}

describe('lab → exportLab → MLflow loads and serves every model', () => {
  it('mlruns/ layout: MLflow 3.17 (pyfunc, models serve) and MLflow 2.22 (pyfunc)', async () => {
    const dir = unpack(await exportLab('mlruns'), 'mlruns');
    expect(existsSync(join(dir, 'datasets', 'mfflow-datasets.json'))).toBe(true);
    const tracking = join(dir, 'mlruns');
    const servePort = 20_000 + Math.floor(Math.random() * 20_000);
    const enet = lab[0];
    const three = runPython<Loaded>('lab_journey_load.py', [tracking, dir], JSON.stringify({
      models: jobs(), serve: { uri: 'models:/wine@champion', port: servePort, columns: FEATURES, rows },
    }), {}, PYTHON);
    expect(three.mlflow).toBe('3.17.2');
    for (const [i, m] of lab.entries()) {
      expectSame(m, MODELS[i].tol, three.loaded[`${m.name}@champion`]);
      expectSame(m, MODELS[i].tol, three.loaded[`${m.name}:run`]);
    }
    expect(three.served!.status).toBe(200);
    // The ONNX pyfunc answers a DataFrame, which the scoring server sends as records.
    const served = (three.served!.body.predictions as ({ predictions: number } | number)[]).map((r) => (typeof r === 'number' ? r : r.predictions));
    expectSame(enet, 1e-9, { columns: { predictions: served } });

    const two = runPython<Loaded>('lab_journey_load.py', [tracking, dir], JSON.stringify({ models: jobs(), serve: null }), {}, PYTHON2);
    expect(two.mlflow).toMatch(/^2\.22\./);
    for (const [i, m] of lab.entries()) {
      expectSame(m, MODELS[i].tol, two.loaded[`${m.name}@champion`]);
      expectSame(m, MODELS[i].tol, two.loaded[`${m.name}:run`]);
    }
  }, 600_000);
});

describe('lab → exportLab() (SQLite, the default) → MLflow 3.17 with no flag, no migration', () => {
  it('mlflow.db + mlruns/ artifacts: pyfunc loads every model by alias and by run, models serve answers; the lab re-imports it adding nothing', async () => {
    const zip = await exportLab();
    const dir = unpack(zip, 'sqlite');
    expect(existsSync(join(dir, 'mlflow.db'))).toBe(true);
    // The runs' dataset rides along by default (under 50 MB), beside the store, and MLflow below is not bothered by it.
    expect(existsSync(join(dir, 'datasets', 'mfflow-datasets.json'))).toBe(true);
    const servePort = 20_000 + Math.floor(Math.random() * 20_000);
    const three = runPython<Loaded>('lab_journey_load.py', ['sqlite:///mlflow.db', dir], JSON.stringify({
      models: jobs(), serve: { uri: 'models:/wine@champion', port: servePort, columns: FEATURES, rows },
    }), { MLFLOW_ALLOW_FILE_STORE: 'false' }, PYTHON);
    expect(three.mlflow).toBe('3.17.2');
    for (const [i, m] of lab.entries()) {
      expectSame(m, MODELS[i].tol, three.loaded[`${m.name}@champion`]);
      expectSame(m, MODELS[i].tol, three.loaded[`${m.name}:run`]);
    }
    expect(three.served!.status).toBe(200);
    const served = (three.served!.body.predictions as ({ predictions: number } | number)[]).map((r) => (typeof r === 'number' ? r : r.predictions));
    expectSame(lab[0], 1e-9, { columns: { predictions: served } });

    const b64 = Buffer.from(zip).toString('base64');
    const again = await page.evaluate(async (b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const r = await window.mfflow.importBundle(new File([bytes], 'lab.zip', { type: 'application/zip' }));
      return { added: r.addedRuns, models: r.addedRegisteredModels, conflicts: r.conflicts };
    }, b64);
    expect(again).toEqual({ added: [], models: [], conflicts: [] });
  }, 600_000);
});

describe('a folder MLflow tracked in sqlite:///mlflow.db, dropped on the built lab', () => {
  it('imports through the bundle worker (sql.js); again adds nothing', async () => {
    const dir = join(work, 'mlflow-db');
    mkdirSync(dir);
    const logged = runPython<{ runs: { run_id: string; params: Record<string, string> }[]; }>('mlflow_log_store.py', [dir, 'sqlite']);
    const b64 = readFileSync(join(dir, 'store.zip')).toString('base64');
    const result = await page.evaluate(async ({ b64, ids }) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const first = await window.mfflow.importBundle(new File([bytes], 'store.zip', { type: 'application/zip' }));
      const again = await window.mfflow.importBundle(new File([bytes], 'store.zip', { type: 'application/zip' }));
      const runs = await Promise.all(ids.map((id) => window.mfflow.getRun(id)));
      return { first: first.addedRuns, again: again.addedRuns, params: runs.map((r) => ({ ...r.params })) };
    }, { b64, ids: logged.runs.map((r) => r.run_id) });
    expect([...result.first].sort()).toEqual(logged.runs.map((r) => r.run_id).sort());
    expect(result.again).toEqual([]);
    expect(result.params).toEqual(logged.runs.map((r) => r.params));
  }, 600_000);
});

/**
 * A folder real MLflow 3.17 wrote with its defaults (`sqlite:///mlflow.db`, artifacts in the
 * default `./mlruns` root with absolute paths in the database), picked with the built lab's
 * "Import folder…" button in Chromium as a person would: every param, tag, metric point (bit for
 * bit), dataset input, artifact, logged model file, registered model version and alias arrives,
 * and picking the folder again adds nothing (issue 10).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { runPython } from './python';

const root = resolve(__dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'mfflow-mlflow-folder-'));
const port = 20_000 + Math.floor(Math.random() * 20_000);
let server: ChildProcess;
let browser: Browser;
let page: Page;

interface Logged {
  version: string;
  experiment: { experiment_id: string; tags: Record<string, string> };
  runs: {
    run_id: string; experiment_id: string; run_name: string; status: string; start_time: number; end_time: number; user_id: string;
    params: Record<string, string>; tags: Record<string, string>; metrics: Record<string, [number, string, number][]>;
    inputs: { name: string; digest: string; source_type: string; source: string; schema: string; profile: string; tags: Record<string, string> }[];
    artifacts: Record<string, string>;
  }[];
  model: { model_id: string; source_run_id: string; files: Record<string, string> };
  registry: { name: string; aliases: Record<string, number>; versions: { version: number; run_id: string; source: string; tags: Record<string, string> }[] };
}

/** What the lab holds for some runs, read through `window.mfflow`; floats as big-endian IEEE-754 hex. */
async function labRuns(ids: string[]) {
  return page.evaluate(async (ids) => {
    const m = window.mfflow;
    const hex = (v: number) => {
      const dv = new DataView(new ArrayBuffer(8));
      dv.setFloat64(0, v);
      return [...new Uint8Array(dv.buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
    };
    const b64 = (u: Uint8Array) => {
      let s = '';
      for (let i = 0; i < u.length; i += 0x8000) s += String.fromCharCode(...u.subarray(i, i + 0x8000));
      return btoa(s);
    };
    const files = async (runId: string, dir?: string): Promise<string[]> => {
      const out: string[] = [];
      for (const f of await m.listArtifacts(runId, dir)) out.push(...(f.isDir ? await files(runId, f.path) : [f.path]));
      return out;
    };
    const out = [];
    for (const id of ids) {
      const r = await m.getRun(id);
      const metrics: Record<string, [number, string, number][]> = {};
      for (const key of Object.keys(r.metrics)) {
        const h = await m.getMetricHistory(id, key);
        metrics[key] = Array.from(h.values, (v, i) => [h.timestamps[i], hex(v), h.steps[i]]);
      }
      const artifacts: Record<string, string> = {};
      for (const p of await files(id)) artifacts[p] = b64(await m.readArtifact(id, p));
      out.push({
        info: { ...r.info }, params: { ...r.params }, tags: { ...r.tags }, metrics, artifacts,
        inputs: r.inputs.map((i) => ({ name: i.dataset.name, digest: i.dataset.digest, source_type: i.dataset.sourceType, source: i.dataset.source,
          schema: i.dataset.schema, profile: i.dataset.profile, tags: { ...i.tags } })),
      });
    }
    return out;
  }, ids);
}

/** Clicks "Import folder…", picks `dir` in the file chooser, and waits for the import's report. */
async function pickFolder(dir: string): Promise<string> {
  const report = page.getByTestId('bundle-report');
  if (await report.isVisible()) await report.getByRole('button', { name: 'Dismiss' }).click();
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Import folder…' }).click();
  await (await chooser).setFiles(dir);
  await report.waitFor({ state: 'visible', timeout: 120_000 });
  return report.innerText();
}

beforeAll(async () => {
  if (!existsSync(join(root, 'dist/index.html'))) execFileSync('npx', ['vite', 'build'], { cwd: root, stdio: 'ignore' });
  server = spawn('node', ['scripts/serve.mjs', '--port', String(port), '--prefix', '/lab/'], { cwd: root, stdio: 'ignore' });
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
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
}, 300_000);

afterAll(async () => {
  await browser?.close();
  server?.kill();
  rmSync(work, { recursive: true, force: true });
});

describe('a folder MLflow 3.17 wrote with its defaults, picked with Import folder… in the built lab', () => {
  it('every param, metric point, tag, input, artifact, version and alias arrives; picking it again adds nothing', async () => {
    const logDir = join(work, 'log');
    mkdirSync(logDir);
    const logged = runPython<Logged>('mlflow_log_store.py', [logDir, 'sqlite']);
    expect(logged.version).toBe('3.17.2');
    // The folder a colleague hands over: MLflow's store and its default artifact root, nothing else.
    const folder = join(work, 'colleague-mlflow');
    mkdirSync(folder);
    cpSync(join(logDir, 'mlflow.db'), join(folder, 'mlflow.db'));
    cpSync(join(logDir, 'mlruns'), join(folder, 'mlruns'), { recursive: true });

    const first = await pickFolder(folder);
    expect(first).toContain(`${logged.runs.length} run(s) added`);
    const ids = logged.runs.map((r) => r.run_id);
    const got = await labRuns(ids);
    for (const [i, want] of logged.runs.entries()) {
      const run = got[i];
      expect(run.info).toMatchObject({ runId: want.run_id, experimentId: want.experiment_id, runName: want.run_name, status: want.status,
        startTime: want.start_time, endTime: want.end_time, userId: want.user_id });
      expect(run.params).toEqual(want.params);
      for (const [k, v] of Object.entries(want.tags)) expect(run.tags[k], k).toBe(v);
      expect(run.tags['mfflow.import.source']).toBe('colleague-mlflow/');
      expect(run.metrics).toEqual(want.metrics);
      expect(run.inputs).toEqual(want.inputs);
      for (const [path, b64] of Object.entries(want.artifacts)) expect(run.artifacts[path], path).toBe(b64);
      if (want.run_id === logged.model.source_run_id) {
        for (const [path, b64] of Object.entries(logged.model.files)) expect(run.artifacts[`model/${path}`], `model/${path}`).toBe(b64);
      }
    }
    const lab = await page.evaluate(async () => ({
      experiments: (await window.mfflow.listExperiments()).map((e) => ({ id: e.experimentId, tags: { ...e.tags } })),
      models: (await window.mfflow.listRegisteredModels()).map((m) => ({ name: m.name, aliases: { ...m.aliases },
        versions: m.versions.map((v) => ({ version: v.version, run_id: v.runId, source: v.source, tags: { ...v.tags } })) })),
    }));
    const exp = lab.experiments.find((e) => e.id === logged.experiment.experiment_id);
    expect(exp?.tags).toMatchObject(logged.experiment.tags);
    expect(lab.models).toEqual([{ name: logged.registry.name, aliases: logged.registry.aliases, versions: logged.registry.versions }]);

    const again = await pickFolder(folder);
    expect(again).toContain('0 run(s) added');
    expect(again).toContain(`${logged.runs.length} already here`);
    const after = await page.evaluate(async () => (await window.mfflow.listRegisteredModels()).map((m) => m.versions.length));
    expect(after).toEqual([logged.registry.versions.length]);
  }, 600_000);
});
